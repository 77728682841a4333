//! Acting on a [`Lifecycle`] change: the same three arms for every simple
//! kind, with the kind's own repository writes and confirming get.

use std::collections::HashMap;
use std::future::Future;

use sqlx::{MySqlConnection, MySqlPool};

use super::act::{self, Absent};
use super::managed::ManagedProjects;
use super::report::Outcome;
use super::tracked::Lifecycle;
use crate::application::intent::{self, Witness};
use crate::error::AppResult;
use crate::infrastructure::cloud::{CloudConnector, CloudProject, CloudResult};

/// The writes and the direct get one kind's repository offers the reconciler.
pub trait KindRows {
    /// As findings name it: `floating_ip`, `network_interface`, ...
    const RESOURCE: &'static str;

    fn finish_delete(c: &mut MySqlConnection, id: i64, version: i64) -> impl Future<Output = AppResult<()>> + Send;

    fn mark_error(
        c: &mut MySqlConnection,
        id: i64,
        version: i64,
        reason: &str,
    ) -> impl Future<Output = AppResult<()>> + Send;

    fn get(project: &dyn CloudProject, openstack_id: &str) -> impl Future<Output = CloudResult<()>> + Send;
}

pub async fn settle<K: KindRows>(
    pool: &MySqlPool,
    connector: &CloudConnector,
    managed: &ManagedProjects,
    project_of: &HashMap<i64, i64>,
    change: Lifecycle,
) -> Outcome {
    match change {
        Lifecycle::FinishDelete { id, version } => {
            act::write(pool, async |c| K::finish_delete(c, id, version).await).await
        }
        Lifecycle::TimeOut { id, version, reason } => {
            act::write(pool, async |c| {
                K::mark_error(c, id, version, &reason).await?;
                intent::record_failure(c, Witness::Reconcile, K::RESOURCE, id, &reason).await
            })
            .await
        }
        Lifecycle::ConfirmGone {
            id,
            version,
            openstack_id,
            deleting,
        } => {
            let Some(&project_id) = project_of.get(&id) else {
                return Outcome::Skipped;
            };
            let project = match managed.project(connector, project_id) {
                Ok(p) => p,
                Err(e) => return Outcome::Failed(format!("{e:?}")),
            };
            let absent = Absent {
                resource_type: K::RESOURCE,
                id,
                project_id,
                openstack_id: &openstack_id,
                deleting,
            };
            act::confirm_gone(pool, absent, K::get(project.as_ref(), &openstack_id), async |c| {
                K::finish_delete(c, id, version).await
            })
            .await
        }
    }
}
