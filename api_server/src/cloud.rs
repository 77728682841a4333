//! Wires the OpenStack identity adapter into the project use cases'
//! provisioning port.

use std::sync::Arc;

use common::application::provisioning::{CloudProjectRef, ProjectProvisioner, ProvisionRequest};
use common::error::{AppError, AppResult};
use common::infrastructure::cloud::{
    CloudConnector, CloudError, CreateProjectRequest, IdentityApi, OpenStackSettings, Provider,
};
use futures_util::future::BoxFuture;

/// Creates Keystone projects (the adapter also grants the service user its
/// role) named `cp<inventory id>-<name>`, so a create whose answer was lost
/// is found again by name instead of made twice.
pub struct IdentityProvisioner {
    identity: Arc<dyn IdentityApi>,
}

impl IdentityProvisioner {
    pub fn connect(settings: OpenStackSettings) -> AppResult<Self> {
        let connector = CloudConnector::new(Some(settings), None).map_err(app_error)?;
        Ok(Self {
            identity: connector.identity(Provider::OpenStack).map_err(app_error)?,
        })
    }
}

fn cloud_name(request: &ProvisionRequest) -> String {
    let name: String = format!("cp{}-{}", request.project_id, request.name)
        .chars()
        .take(64)
        .collect();
    name
}

impl ProjectProvisioner for IdentityProvisioner {
    fn create_project<'a>(&'a self, request: &'a ProvisionRequest) -> BoxFuture<'a, AppResult<CloudProjectRef>> {
        Box::pin(async move {
            let name = cloud_name(request);
            let create = CreateProjectRequest {
                name: name.clone(),
                description: Some(format!("inventory_id={}", request.project_id)),
            };
            let record = match self.identity.create_project(&create).await {
                Ok(record) => record,
                Err(CloudError::Conflict(_)) => {
                    let found = self.identity.find_project_by_name(&name).await.map_err(app_error)?;
                    let record = found.ok_or_else(|| AppError::cloud("the cloud project name is taken"))?;
                    self.identity
                        .grant_service_access(&record.id)
                        .await
                        .map_err(app_error)?;
                    record
                }
                Err(e) => return Err(app_error(e)),
            };
            Ok(CloudProjectRef {
                openstack_id: record.id,
            })
        })
    }

    fn delete_project<'a>(&'a self, openstack_id: &'a str) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(async move {
            match self.identity.delete_project(openstack_id).await {
                Ok(()) | Err(CloudError::NotFound(_)) => Ok(()),
                Err(e) => Err(app_error(e)),
            }
        })
    }
}

fn app_error(e: CloudError) -> AppError {
    match &e {
        CloudError::RateLimited { retry_after, .. } => {
            let secs = retry_after.map_or(5, |d| d.as_secs().max(1));
            AppError::cloud_unavailable("the cloud is rate-limiting us", secs).with_source(e)
        }
        CloudError::Unavailable { .. } => AppError::cloud_unavailable("the cloud is unreachable", 5).with_source(e),
        _ => AppError::cloud(format!("the cloud refused: {e}")).with_source(e),
    }
}
