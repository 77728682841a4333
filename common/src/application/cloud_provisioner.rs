//! The project provisioner over the cloud port: an OpenStack project per
//! project of ours, named with our id so a lost create can be found again.

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::project_cloud::cloud_error;
use super::provisioning::{CloudProjectRef, ProjectProvisioner, ProvisionRequest};
use crate::error::AppResult;
use crate::infrastructure::cloud::{CloudConnector, CreateProjectRequest, Provider};

pub struct ConnectorProvisioner {
    connector: Arc<CloudConnector>,
}

impl ConnectorProvisioner {
    pub fn new(connector: Arc<CloudConnector>) -> Self {
        Self { connector }
    }
}

fn cloud_name(request: &ProvisionRequest) -> String {
    format!("cloudplane-{}-{}", request.project_id, request.name)
}

impl ProjectProvisioner for ConnectorProvisioner {
    fn create_project<'a>(&'a self, request: &'a ProvisionRequest) -> BoxFuture<'a, AppResult<CloudProjectRef>> {
        Box::pin(async move {
            let identity = self.connector.identity(Provider::OpenStack).map_err(cloud_error)?;
            let name = cloud_name(request);
            let created = match identity
                .create_project(&CreateProjectRequest {
                    name: name.clone(),
                    description: Some(format!("inventory_id=project:{}", request.project_id)),
                })
                .await
            {
                Ok(p) => p,
                Err(e) if e.is_outcome_unknown() => identity
                    .find_project_by_name(&name)
                    .await
                    .map_err(cloud_error)?
                    .ok_or_else(|| cloud_error(e))?,
                Err(e) => return Err(cloud_error(e)),
            };
            Ok(CloudProjectRef {
                openstack_id: created.id,
            })
        })
    }

    fn delete_project<'a>(&'a self, openstack_id: &'a str) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(async move {
            let identity = self.connector.identity(Provider::OpenStack).map_err(cloud_error)?;
            match identity.delete_project(openstack_id).await {
                Ok(()) => Ok(()),
                Err(e) if e.is_not_found() => Ok(()),
                Err(e) => Err(cloud_error(e)),
            }
        })
    }
}
