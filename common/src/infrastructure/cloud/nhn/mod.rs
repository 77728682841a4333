//! NHN Cloud adapter: identity v2.0 tenant tokens, region endpoints from the
//! token catalog, and the OpenStack-compatible compute, block storage,
//! network and image APIs (shared wire clients, NHN dialect).

mod auth;
mod inventory;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::error::{CloudError, CloudResult};
use super::http::HttpCore;
use super::model::*;
use super::port::{CloudInventory, CloudProject, IdentityApi};
use super::project::ProjectClient;
use super::rate::CallRate;
use super::session::{Dialect, Session};
use super::settings::{EndpointInterface, NhnSettings, NhnTenantCredentials};

use auth::TenantTokens;

/// NHN Cloud, reached with per-project tenant credentials. Token caches live
/// here (one per tenant and user), so keep one per process.
pub struct NhnCloud {
    http: Arc<HttpCore>,
    settings: NhnSettings,
    tokens: Mutex<HashMap<(String, String), Arc<TenantTokens>>>,
}

impl NhnCloud {
    pub fn new(settings: NhnSettings) -> CloudResult<Self> {
        Self::with_call_rate(settings, None)
    }

    /// Every call of this cloud, every tenant's included, passes through `rate`.
    pub fn with_call_rate(settings: NhnSettings, rate: Option<Arc<CallRate>>) -> CloudResult<Self> {
        let http = Arc::new(HttpCore::new("nhn", settings.http.clone(), rate)?);
        Ok(NhnCloud {
            http,
            settings,
            tokens: Mutex::new(HashMap::new()),
        })
    }

    /// The cached token source for these credentials; a changed password
    /// replaces it (and its token).
    fn tokens_for(&self, credentials: &NhnTenantCredentials) -> Arc<TenantTokens> {
        let mut map = match self.tokens.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        let key = (credentials.tenant_id.clone(), credentials.username.clone());
        if let Some(existing) = map.get(&key)
            && existing.credentials == *credentials
        {
            return existing.clone();
        }
        let fresh = Arc::new(TenantTokens::new(
            self.http.clone(),
            &self.settings.identity_url,
            credentials.clone(),
        ));
        map.insert(key, fresh.clone());
        fresh
    }

    fn client(&self, credentials: &NhnTenantCredentials) -> ProjectClient {
        ProjectClient {
            session: Session {
                http: self.http.clone(),
                tokens: self.tokens_for(credentials),
                dialect: Dialect::Nhn,
                interfaces: vec![EndpointInterface::Public],
                region: credentials
                    .region
                    .clone()
                    .or_else(|| self.settings.default_region.clone()),
                identity_root: None,
            },
            provider: Provider::Nhn,
            project_id: credentials.tenant_id.clone(),
        }
    }

    pub fn project(&self, credentials: &NhnTenantCredentials) -> Arc<dyn CloudProject> {
        Arc::new(self.client(credentials))
    }

    /// NHN has no account-wide token: the inventory lists each tenant in turn.
    pub fn inventory(&self, tenants: &[NhnTenantCredentials]) -> Arc<dyn CloudInventory> {
        Arc::new(inventory::PerTenantInventory::new(
            tenants.iter().map(|c| self.client(c)).collect(),
        ))
    }

    pub fn identity(&self) -> Arc<dyn IdentityApi> {
        Arc::new(NoIdentityApi)
    }
}

/// NHN Cloud projects and IAM members are managed in its console, not
/// through the IaaS API.
pub(crate) struct NoIdentityApi;

fn unsupported(operation: &'static str) -> CloudError {
    CloudError::Unsupported {
        provider: "nhn",
        operation,
    }
}

#[async_trait]
impl IdentityApi for NoIdentityApi {
    async fn create_project(&self, _: &CreateProjectRequest) -> CloudResult<CloudProjectRecord> {
        Err(unsupported("create_project"))
    }

    async fn find_project_by_name(&self, _: &str) -> CloudResult<Option<CloudProjectRecord>> {
        Err(unsupported("find_project_by_name"))
    }

    async fn grant_service_access(&self, _: &str) -> CloudResult<()> {
        Err(unsupported("grant_service_access"))
    }

    async fn rename_project(&self, _: &str, _: &str) -> CloudResult<()> {
        Err(unsupported("rename_project"))
    }

    async fn delete_project(&self, _: &str) -> CloudResult<()> {
        Err(unsupported("delete_project"))
    }

    async fn create_user(&self, _: &CreateUserRequest) -> CloudResult<CloudUserRecord> {
        Err(unsupported("create_user"))
    }

    async fn delete_user(&self, _: &str) -> CloudResult<()> {
        Err(unsupported("delete_user"))
    }

    async fn assign_role(&self, _: &str, _: &str, _: &str) -> CloudResult<()> {
        Err(unsupported("assign_role"))
    }

    async fn unassign_role(&self, _: &str, _: &str, _: &str) -> CloudResult<()> {
        Err(unsupported("unassign_role"))
    }
}
