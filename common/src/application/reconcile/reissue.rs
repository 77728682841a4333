//! Re-issuing a create that provably never reached the cloud: no cloud id,
//! nothing carrying its inventory id in a complete listing, for longer than
//! the grace. The create goes through the same flow the API uses; each
//! re-issue is an action-log entry, and after [`MAX_REISSUES`] of them the
//! row is failed instead.

use std::collections::HashMap;

use sqlx::{MySqlConnection, MySqlPool};

use super::report::Outcome;
use crate::application::intent::Witness;
use crate::application::server::provision::{self as server_provision, Provisioned};
use crate::application::volume_provision;
use crate::domain::server_state::ServerTask;
use crate::domain::volume::VolumeStatus;
use crate::error::{AppResult, ErrorKind};
use crate::infrastructure::cloud::CloudProject;
use crate::infrastructure::db::volumes::VolumeIntent;
use crate::infrastructure::db::{resource_actions, servers, volumes};

/// The action-log name of a re-issue.
pub const ACTION: &str = "reissue_create";

/// Re-issues per create before it is failed with a reason.
pub const MAX_REISSUES: u32 = 2;

/// The re-issues so far of each of `ids` (rows of `resource_type`).
pub async fn counts(pool: &MySqlPool, resource_type: &str, ids: &[i64]) -> AppResult<HashMap<i64, u32>> {
    resource_actions::count_of(pool, resource_type, ACTION, ids).await
}

/// The row is claimed for the re-issue with a versioned write (the API may
/// have changed it meanwhile) that restarts its grace and logs the attempt.
async fn claim<F>(pool: &MySqlPool, project_id: i64, resource_type: &'static str, id: i64, begin: F) -> AppResult<bool>
where
    F: AsyncFnOnce(&mut MySqlConnection) -> AppResult<()>,
{
    let mut tx = pool.begin().await?;
    match begin(&mut tx).await {
        Ok(()) => {}
        Err(e) if e.kind == ErrorKind::Conflict => return Ok(false),
        Err(e) => return Err(e),
    }
    let entry = resource_actions::NewAction {
        project_id,
        resource_type,
        resource_id: id,
        action: ACTION,
        request_id: "reconcile",
        user_id: None,
    };
    resource_actions::start(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn server(pool: &MySqlPool, cloud: &dyn CloudProject, project_id: i64, id: i64, version: i64) -> Outcome {
    outcome(reissue_server(pool, cloud, project_id, id, version).await)
}

async fn reissue_server(
    pool: &MySqlPool,
    cloud: &dyn CloudProject,
    project_id: i64,
    id: i64,
    version: i64,
) -> AppResult<Outcome> {
    let Some(mut order) = server_provision::order_of(pool, project_id, id).await? else {
        return Ok(Outcome::Skipped);
    };
    let claimed = claim(pool, project_id, "server", id, async |c| {
        servers::begin_action(c, id, version, ServerTask::Creating, "create").await
    })
    .await?;
    if !claimed {
        return Ok(Outcome::Skipped);
    }
    server_provision::adopt_lost_port(pool, cloud, &mut order).await?;
    let provisioned = server_provision::provision(pool, cloud, &order, Witness::Reconcile).await?;
    Ok(outcome_of("server", id, provisioned))
}

fn outcome_of(kind: &str, id: i64, provisioned: Provisioned) -> Outcome {
    match provisioned {
        Provisioned::Created(_) | Provisioned::Unknown => Outcome::Changed,
        Provisioned::Refused(e) => refused(kind, id, &e.message()),
    }
}

/// After the last re-issue: the server is `ERROR` with `reason`, its port
/// (if one was made) and its interface and root volume rows are undone.
pub async fn give_up_server(
    pool: &MySqlPool,
    cloud: &dyn CloudProject,
    project_id: i64,
    id: i64,
    version: i64,
    reason: &str,
) -> Outcome {
    let given_up = async {
        let Some(order) = server_provision::order_of(pool, project_id, id).await? else {
            return Ok(Outcome::Skipped);
        };
        let done = server_provision::give_up(pool, cloud, &order, version, reason).await?;
        Ok(if done { Outcome::Changed } else { Outcome::Skipped })
    };
    outcome(given_up.await)
}

pub async fn volume(pool: &MySqlPool, cloud: &dyn CloudProject, project_id: i64, id: i64, version: i64) -> Outcome {
    outcome(reissue_volume(pool, cloud, project_id, id, version).await)
}

async fn reissue_volume(
    pool: &MySqlPool,
    cloud: &dyn CloudProject,
    project_id: i64,
    id: i64,
    version: i64,
) -> AppResult<Outcome> {
    let Some(order) = volume_provision::order_of(pool, project_id, id).await? else {
        return Ok(Outcome::Skipped);
    };
    let intent = VolumeIntent {
        status: VolumeStatus::Creating,
        task: "creating",
        action: "create",
        attach_to: None,
        requested_size_gb: None,
    };
    let claimed = claim(pool, project_id, "volume", id, async |c| {
        volumes::begin_action(c, id, version, &intent).await
    })
    .await?;
    if !claimed {
        return Ok(Outcome::Skipped);
    }
    let provisioned = volume_provision::provision(pool, cloud, &order, Witness::Reconcile).await?;
    Ok(outcome_of("volume", id, provisioned))
}

/// The cloud refused the re-issued create: the row is `ERROR` with the
/// cloud's message, which is the change.
fn refused(resource_type: &str, id: i64, message: &str) -> Outcome {
    tracing::warn!(
        resource_type,
        id,
        message,
        "the cloud refused a re-issued create; the row is ERROR"
    );
    Outcome::Changed
}

fn outcome(result: AppResult<Outcome>) -> Outcome {
    result.unwrap_or_else(|e| Outcome::Failed(format!("{e:?}")))
}
