//! The projects the reconcilers look after, with the cloud target of each.

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::MySqlPool;

use crate::application::credentials::{CredentialCipher, EncryptedSecret};
use crate::domain::project::Provider;
use crate::error::{AppError, AppResult};
use crate::infrastructure::cloud::{
    CloudConnector, CloudError, CloudInventory, CloudProject, NhnTenantCredentials, ProjectCloudTarget, Secret,
};
use crate::infrastructure::db::{cloud_credentials, projects};

pub struct ManagedProject {
    pub id: i64,
    /// OpenStack project id or NHN tenant id.
    pub cloud_id: String,
    pub target: ProjectCloudTarget,
}

#[derive(Default)]
pub struct ManagedProjects {
    projects: Vec<ManagedProject>,
    by_id: HashMap<i64, usize>,
    by_cloud_id: HashMap<String, i64>,
}

impl ManagedProjects {
    /// Live projects that have a cloud side. A project whose credentials
    /// cannot be read is left out (and logged), never guessed at.
    pub async fn load(pool: &MySqlPool, cipher: Option<&CredentialCipher>) -> AppResult<Self> {
        let mut managed = Vec::new();
        for project in projects::list_provisioned(pool).await? {
            let Some(cloud_id) = project.openstack_id.clone() else {
                continue;
            };
            let target = match project.provider {
                Provider::OpenStack => ProjectCloudTarget::OpenStack {
                    project_id: cloud_id.clone(),
                },
                Provider::Nhn => match nhn_target(pool, cipher, project.id).await {
                    Ok(Some(t)) => t,
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::warn!(project_id = project.id, error = ?e, "NHN credentials unreadable; project skipped");
                        continue;
                    }
                },
            };
            managed.push(ManagedProject {
                id: project.id,
                cloud_id,
                target,
            });
        }
        Ok(Self::from(managed))
    }

    pub fn is_empty(&self) -> bool {
        self.projects.is_empty()
    }

    pub fn ids(&self) -> Vec<i64> {
        self.projects.iter().map(|p| p.id).collect()
    }

    pub fn cloud_id_of(&self, project_id: i64) -> Option<&str> {
        self.by_id.get(&project_id).map(|i| self.projects[*i].cloud_id.as_str())
    }

    pub fn id_of_cloud(&self, cloud_id: &str) -> Option<i64> {
        self.by_cloud_id.get(cloud_id).copied()
    }

    pub fn inventory(&self, connector: &CloudConnector) -> AppResult<Arc<dyn CloudInventory>> {
        let targets: Vec<ProjectCloudTarget> = self.projects.iter().map(|p| p.target.clone()).collect();
        connector.inventory(&targets).map_err(cloud_failure)
    }

    pub fn project(&self, connector: &CloudConnector, project_id: i64) -> AppResult<Arc<dyn CloudProject>> {
        let i = self
            .by_id
            .get(&project_id)
            .ok_or_else(|| AppError::internal(std::io::Error::other(format!("project {project_id} is not managed"))))?;
        connector.project(&self.projects[*i].target).map_err(cloud_failure)
    }
}

impl From<Vec<ManagedProject>> for ManagedProjects {
    fn from(projects: Vec<ManagedProject>) -> Self {
        let by_id = projects.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        let by_cloud_id = projects.iter().map(|p| (p.cloud_id.clone(), p.id)).collect();
        Self {
            projects,
            by_id,
            by_cloud_id,
        }
    }
}

async fn nhn_target(
    pool: &MySqlPool,
    cipher: Option<&CredentialCipher>,
    project_id: i64,
) -> AppResult<Option<ProjectCloudTarget>> {
    let Some(stored) = cloud_credentials::find_of_project(pool, project_id).await? else {
        return Ok(None);
    };
    let cipher = cipher.ok_or_else(|| AppError::cloud_unavailable("no credential key is configured", 60))?;
    let password = cipher.decrypt(&EncryptedSecret {
        ciphertext: stored.secret_ciphertext,
        nonce: stored.secret_nonce,
        key_id: stored.key_id,
    })?;
    Ok(Some(ProjectCloudTarget::Nhn(NhnTenantCredentials {
        tenant_id: stored.tenant_id,
        username: stored.username,
        api_password: Secret::new(password),
        region: stored.region,
    })))
}

/// A cloud failure as the batch server records it.
pub fn cloud_failure(e: CloudError) -> AppError {
    AppError::cloud(e.message()).with_source(e)
}
