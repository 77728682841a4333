//! The cloud of the token's project: who is asking inside which project,
//! the project's `CloudProject` handle, and how cloud failures reach clients.

use std::sync::Arc;

use super::Services;
use super::catalog::CatalogCache;
use super::credentials::EncryptedSecret;
use crate::domain::auth::RequestContext;
use crate::domain::project::Provider;
use crate::error::{AppError, AppResult};
use crate::infrastructure::cloud::{
    CloudConnector, CloudError, CloudProject, NhnTenantCredentials, ProjectCloudTarget, Secret,
};
use crate::infrastructure::db::{cloud_credentials, projects};

/// The connector and what is cached per project (the catalog).
pub struct ProjectClouds {
    pub connector: Arc<CloudConnector>,
    pub catalog: CatalogCache,
}

impl ProjectClouds {
    pub fn new(connector: Arc<CloudConnector>) -> Self {
        Self {
            connector,
            catalog: CatalogCache::default(),
        }
    }
}

/// Who asks, inside which project.
#[derive(Debug, Clone)]
pub struct Scope {
    pub project_id: i64,
    pub user_id: i64,
    pub request_id: String,
}

/// Project resources live in the token's project; a token without one
/// (an admin with no project) may not touch them.
pub fn scope(ctx: &RequestContext) -> AppResult<Scope> {
    let actor = super::guard::actor(ctx)?;
    let project_id = actor.project_id.ok_or_else(|| {
        AppError::forbidden(
            "PROJECT_SCOPE_REQUIRED",
            "log in with a project to manage its resources",
        )
    })?;
    Ok(Scope {
        project_id,
        user_id: actor.user_id,
        request_id: ctx.request_id.clone(),
    })
}

/// The cloud handle of one of our projects.
pub async fn cloud_of(svc: &Services, project_id: i64) -> AppResult<Arc<dyn CloudProject>> {
    let clouds = svc
        .clouds
        .as_ref()
        .ok_or_else(|| AppError::cloud_unavailable("no cloud is configured on this server", 60))?;
    let project = projects::find(&svc.pool, project_id)
        .await?
        .ok_or_else(|| super::projects::not_found(project_id))?;
    let not_ready = || {
        AppError::conflict(
            "PROJECT_NOT_READY",
            format!("project {project_id} has no cloud side yet (status {})", project.status),
        )
    };
    let target = match project.provider {
        Provider::OpenStack => ProjectCloudTarget::OpenStack {
            project_id: project.openstack_id.clone().ok_or_else(not_ready)?,
        },
        Provider::Nhn => {
            let stored = cloud_credentials::find_of_project(&svc.pool, project_id)
                .await?
                .ok_or_else(not_ready)?;
            let cipher = svc
                .credential_cipher
                .as_ref()
                .ok_or_else(|| AppError::cloud_unavailable("CLOUD_CREDENTIAL_KEY is not configured", 60))?;
            let password = cipher.decrypt(&EncryptedSecret {
                ciphertext: stored.secret_ciphertext,
                nonce: stored.secret_nonce,
                key_id: stored.key_id,
            })?;
            ProjectCloudTarget::Nhn(NhnTenantCredentials {
                tenant_id: stored.tenant_id,
                username: stored.username,
                api_password: Secret::new(password),
                region: stored.region,
            })
        }
    };
    clouds.connector.project(&target).map_err(cloud_error)
}

/// A cloud failure as the client sees it: throttling and outages 503 with
/// `Retry-After`, quota refusals 409 `QUOTA_EXCEEDED`, the rest 502 `CLOUD_ERROR`.
pub fn cloud_error(e: CloudError) -> AppError {
    let message = e.message();
    match e {
        CloudError::RateLimited { retry_after, .. } => {
            AppError::cloud_unavailable(message, retry_after.map_or(5, |d| d.as_secs().max(1)))
        }
        CloudError::Unavailable { .. } => AppError::cloud_unavailable(message, 5),
        CloudError::OverQuota(_) => AppError::conflict("QUOTA_EXCEEDED", format!("the cloud refused: {message}")),
        CloudError::Unsupported { .. } => AppError::cloud_unavailable(message, 60),
        other => AppError::cloud(other.message()).with_source(other),
    }
}
