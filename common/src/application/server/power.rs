//! Start and stop: allowed from the states `check_power_action` names, never
//! while another action is in flight. The task state stays until the cloud
//! shows the new power state (the reconciler records it).

use serde_json::json;

use super::{busy, not_found};
use crate::application::intent::{self, Intent, Witness};
use crate::application::project_cloud::{cloud_error, cloud_of, scope};
use crate::application::{Services, guard, refresh};
use crate::domain::auth::RequestContext;
use crate::domain::server_state::{ActionRefusal, PowerAction, ServerTask, check_power_action};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::{begin, servers};

pub async fn set_power(
    svc: &Services,
    ctx: &RequestContext,
    id: i64,
    action: PowerAction,
    if_match: Option<i64>,
) -> AppResult<super::ServerDetail> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let (task, name) = match action {
        PowerAction::Start => (ServerTask::Starting, "start"),
        PowerAction::Stop => (ServerTask::Stopping, "stop"),
    };
    let mut tx = begin(&svc.pool).await?;
    let server = servers::lock(&mut tx, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, server.version)?;
    check_power_action(server.status, server.task_state, action).map_err(|refusal| match refusal {
        ActionRefusal::Busy(t) => busy(id, t.as_str()),
        ActionRefusal::InvalidStatus(s) => invalid_status(action, s.as_str()),
    })?;
    let cloud_id = server.openstack_id.clone().ok_or_else(|| busy(id, "creating"))?;
    servers::begin_action(&mut tx, id, server.version, task, name).await?;
    let intent = Intent {
        resource_type: "server",
        resource_id: id,
        action: name,
        audit_action: if action == PowerAction::Start {
            "server.start"
        } else {
            "server.stop"
        },
        detail: Some(json!({"from": server.status.as_str()})),
    };
    intent::record(&mut tx, &scope, intent).await?;
    tx.commit().await?;
    let sent = match action {
        PowerAction::Start => cloud.start_server(&cloud_id).await,
        PowerAction::Stop => cloud.stop_server(&cloud_id).await,
    };
    if let Err(e) = sent
        && !e.is_outcome_unknown()
    {
        let message = e.message();
        let mut tx = begin(&svc.pool).await?;
        servers::end_action(&mut *tx, id, name, Some(&message)).await?;
        intent::record_failure(&mut tx, Witness::Request(&scope), "server", id, &message).await?;
        tx.commit().await?;
        return Err(cloud_error(e));
    }
    refresh::request(&svc.pool, refresh::server(id), &scope).await;
    super::get(svc, ctx, id).await
}

fn invalid_status(action: PowerAction, status: &str) -> AppError {
    match action {
        PowerAction::Start => AppError::conflict(
            "SERVER_STATUS_INVALID_TO_START",
            format!("a server can be started only from SHUTOFF, not {status}"),
        ),
        PowerAction::Stop => AppError::conflict(
            "SERVER_STATUS_INVALID_TO_STOP",
            format!("a server can be stopped only from ACTIVE or ERROR, not {status}"),
        ),
    }
}
