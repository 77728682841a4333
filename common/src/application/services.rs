use std::sync::Arc;

use sqlx::MySqlPool;

use super::auth::password::PasswordHasher;
use super::auth::revocation::RevocationCache;
use super::auth::throttle::ThrottleSettings;
use super::auth::token::TokenIssuer;
use super::credentials::CredentialCipher;
use super::project_cloud::ProjectClouds;
use super::provisioning::ProjectProvisioner;
use crate::domain::quota::Amounts;

/// Everything the use cases run on, built once at start.
pub struct Services {
    pub pool: MySqlPool,
    pub passwords: PasswordHasher,
    pub tokens: TokenIssuer,
    pub revocations: RevocationCache,
    pub throttle: ThrottleSettings,
    /// Limits for kinds a project has no stored quota for.
    pub quota_defaults: Amounts,
    pub provisioner: Arc<dyn ProjectProvisioner>,
    /// `None` when no key is configured: NHN projects are then refused.
    pub credential_cipher: Option<CredentialCipher>,
    pub signup_enabled: bool,
    /// The clouds project resources live in; `None`: resource calls answer 503.
    pub clouds: Option<Arc<ProjectClouds>>,
}
