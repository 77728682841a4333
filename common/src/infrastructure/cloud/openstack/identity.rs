//! [`IdentityApi`] over Keystone v3 with the service user's admin token.

use std::collections::HashMap;

use async_trait::async_trait;
use tokio::sync::Mutex;

use crate::infrastructure::cloud::error::{CloudError, CloudResult, CloudService};
use crate::infrastructure::cloud::model::*;
use crate::infrastructure::cloud::port::IdentityApi;
use crate::infrastructure::cloud::services::keystone;
use crate::infrastructure::cloud::session::Session;

pub(crate) struct KeystoneIdentity {
    session: Session,
    member_role_name: String,
    role_ids: Mutex<HashMap<String, String>>,
}

impl KeystoneIdentity {
    pub fn new(session: Session, member_role_name: String) -> Self {
        KeystoneIdentity {
            session,
            member_role_name,
            role_ids: Mutex::new(HashMap::new()),
        }
    }

    async fn role_id(&self, name: &str) -> CloudResult<String> {
        let mut cache = self.role_ids.lock().await;
        if let Some(id) = cache.get(name) {
            return Ok(id.clone());
        }
        let id = keystone::role_id(&self.session, name).await?;
        cache.insert(name.to_owned(), id.clone());
        Ok(id)
    }

    /// Domain and user id of the service user's token.
    async fn service_identity(&self) -> CloudResult<(String, String)> {
        let token = self.session.token().await?;
        let domain = token
            .project_domain_id
            .clone()
            .ok_or_else(|| CloudError::invalid_response(CloudService::Identity, "token without project domain"))?;
        let user = token
            .user_id
            .clone()
            .ok_or_else(|| CloudError::invalid_response(CloudService::Identity, "token without user id"))?;
        Ok((domain, user))
    }
}

#[async_trait]
impl IdentityApi for KeystoneIdentity {
    async fn create_project(&self, request: &CreateProjectRequest) -> CloudResult<CloudProjectRecord> {
        let (domain_id, _) = self.service_identity().await?;
        let project = keystone::create_project(&self.session, &domain_id, request).await?;
        self.grant_service_access(&project.id).await?;
        Ok(project)
    }

    async fn find_project_by_name(&self, name: &str) -> CloudResult<Option<CloudProjectRecord>> {
        let (domain_id, _) = self.service_identity().await?;
        keystone::find_project(&self.session, &domain_id, name).await
    }

    async fn grant_service_access(&self, project_id: &str) -> CloudResult<()> {
        let (_, service_user) = self.service_identity().await?;
        let role = self.role_id(&self.member_role_name).await?;
        keystone::assign_role(&self.session, project_id, &service_user, &role).await
    }

    async fn rename_project(&self, project_id: &str, name: &str) -> CloudResult<()> {
        keystone::rename_project(&self.session, project_id, name).await
    }

    async fn delete_project(&self, project_id: &str) -> CloudResult<()> {
        keystone::delete_project(&self.session, project_id).await
    }

    async fn create_user(&self, request: &CreateUserRequest) -> CloudResult<CloudUserRecord> {
        let (domain_id, _) = self.service_identity().await?;
        keystone::create_user(&self.session, &domain_id, request).await
    }

    async fn delete_user(&self, user_id: &str) -> CloudResult<()> {
        keystone::delete_user(&self.session, user_id).await
    }

    async fn assign_role(&self, project_id: &str, user_id: &str, role_name: &str) -> CloudResult<()> {
        let role = self.role_id(role_name).await?;
        keystone::assign_role(&self.session, project_id, user_id, &role).await
    }

    async fn unassign_role(&self, project_id: &str, user_id: &str, role_name: &str) -> CloudResult<()> {
        let role = self.role_id(role_name).await?;
        keystone::unassign_role(&self.session, project_id, user_id, &role).await
    }
}
