//! The narrow cloud port the project use cases need: create and delete the
//! cloud side of a project. The cloud adapters implement it; tests may use
//! a fake of this port only (the database is always real).

use futures_util::future::BoxFuture;

use crate::error::AppResult;

#[derive(Debug, Clone)]
pub struct ProvisionRequest {
    /// Our inventory id; the cloud project carries it so a lost create can be found.
    pub project_id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudProjectRef {
    pub openstack_id: String,
}

pub trait ProjectProvisioner: Send + Sync {
    /// Creates the cloud project and gives the service user its role on it.
    fn create_project<'a>(&'a self, request: &'a ProvisionRequest) -> BoxFuture<'a, AppResult<CloudProjectRef>>;

    fn delete_project<'a>(&'a self, openstack_id: &'a str) -> BoxFuture<'a, AppResult<()>>;
}

/// For a deployment with no OpenStack connection configured: OpenStack
/// projects are refused with 503 (NHN projects need no call).
pub struct NoCloud;

impl ProjectProvisioner for NoCloud {
    fn create_project<'a>(&'a self, _: &'a ProvisionRequest) -> BoxFuture<'a, AppResult<CloudProjectRef>> {
        Box::pin(async {
            Err(crate::error::AppError::cloud_unavailable(
                "no cloud is configured for OpenStack projects",
                60,
            ))
        })
    }

    fn delete_project<'a>(&'a self, _: &'a str) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(async { Ok(()) })
    }
}
