//! Attach and detach: the volume shows ATTACHING / DETACHING from the
//! request on, until the cloud reports it `in-use` / `available` (the
//! reconciler records that; a detached volume then has no server).

use serde_json::json;

use super::{busy, not_found};
use crate::application::intent::{self, Intent, Witness};
use crate::application::project_cloud::{Scope, cloud_error, cloud_of, scope};
use crate::application::{Services, refresh, volume};
use crate::domain::auth::RequestContext;
use crate::domain::server::Server;
use crate::domain::volume::{Volume, VolumeStatus};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::volumes::VolumeIntent;
use crate::infrastructure::db::{begin, resource_actions, servers, volumes};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Attach,
    Detach,
}

pub async fn attach_volume(
    svc: &Services,
    ctx: &RequestContext,
    server_id: i64,
    volume_id: i64,
) -> AppResult<super::ServerDetail> {
    change(svc, ctx, server_id, volume_id, Direction::Attach).await
}

pub async fn detach_volume(
    svc: &Services,
    ctx: &RequestContext,
    server_id: i64,
    volume_id: i64,
) -> AppResult<super::ServerDetail> {
    change(svc, ctx, server_id, volume_id, Direction::Detach).await
}

async fn change(
    svc: &Services,
    ctx: &RequestContext,
    server_id: i64,
    volume_id: i64,
    direction: Direction,
) -> AppResult<super::ServerDetail> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let (server_cloud, volume_cloud) = write_intent(svc, &scope, server_id, volume_id, direction).await?;
    let sent = match direction {
        Direction::Attach => cloud.attach_volume(&server_cloud, &volume_cloud).await,
        Direction::Detach => cloud.detach_volume(&server_cloud, &volume_cloud).await,
    };
    match sent {
        Ok(()) => resource_actions::finish(&svc.pool, "server", server_id, true, None).await?,
        Err(e) if e.is_outcome_unknown() => {}
        Err(e) => {
            let message = e.message();
            let (action, back_to) = match direction {
                Direction::Attach => ("attach", VolumeStatus::Available),
                Direction::Detach => ("detach", VolumeStatus::InUse),
            };
            let mut tx = begin(&svc.pool).await?;
            volumes::revert_action(&mut *tx, volume_id, action, back_to, &message).await?;
            intent::record_failure(&mut tx, Witness::Request(&scope), "server", server_id, &message).await?;
            resource_actions::finish(&mut *tx, "volume", volume_id, false, Some(&message)).await?;
            tx.commit().await?;
            return Err(cloud_error(e));
        }
    }
    refresh::request(&svc.pool, refresh::volume(volume_id), &scope).await;
    super::get(svc, ctx, server_id).await
}

/// Checks both sides under lock, records the volume's intent and the
/// server's log entry; returns the cloud ids of server and volume.
async fn write_intent(
    svc: &Services,
    scope: &Scope,
    server_id: i64,
    volume_id: i64,
    direction: Direction,
) -> AppResult<(String, String)> {
    let mut tx = begin(&svc.pool).await?;
    let server = servers::lock(&mut tx, scope.project_id, server_id)
        .await?
        .ok_or_else(|| not_found(server_id))?;
    let vol = volumes::lock(&mut tx, scope.project_id, volume_id)
        .await?
        .ok_or_else(|| volume::not_found(volume_id))?;
    let (server_cloud, volume_cloud) = check(&server, &vol, direction)?;
    let (status, task, action, attach_to, log, audit) = match direction {
        Direction::Attach => (
            VolumeStatus::Attaching,
            "attaching",
            "attach",
            Some(server_id),
            "attach_volume",
            "server.attach_volume",
        ),
        Direction::Detach => (
            VolumeStatus::Detaching,
            "detaching",
            "detach",
            None,
            "detach_volume",
            "server.detach_volume",
        ),
    };
    let intent = VolumeIntent {
        status,
        task,
        action,
        attach_to,
        requested_size_gb: None,
    };
    volumes::begin_action(&mut tx, volume_id, vol.version, &intent).await?;
    resource_actions::start(
        &mut tx,
        &resource_actions::NewAction {
            project_id: scope.project_id,
            resource_type: "volume",
            resource_id: volume_id,
            action,
            request_id: &scope.request_id,
            user_id: Some(scope.user_id),
        },
    )
    .await?;
    let record = Intent {
        resource_type: "server",
        resource_id: server_id,
        action: log,
        audit_action: audit,
        detail: Some(json!({"volume_id": volume_id})),
    };
    intent::record(&mut tx, scope, record).await?;
    tx.commit().await?;
    Ok((server_cloud, volume_cloud))
}

fn check(server: &Server, vol: &Volume, direction: Direction) -> AppResult<(String, String)> {
    if let Some(task) = server.task_state {
        return Err(busy(server.id, task.as_str()));
    }
    let server_cloud = server.openstack_id.clone().ok_or_else(|| busy(server.id, "creating"))?;
    if vol.is_busy() {
        return Err(volume::busy(vol.id));
    }
    let volume_cloud = vol.openstack_id.clone().ok_or_else(|| volume::busy(vol.id))?;
    match direction {
        Direction::Attach if vol.server_id.is_some() => Err(AppError::conflict(
            "VOLUME_ALREADY_ATTACHED",
            format!("volume {} is already attached to a server", vol.id),
        )),
        Direction::Attach if vol.status != VolumeStatus::Available => Err(volume::status_invalid(vol, "attached")),
        Direction::Detach if vol.server_id != Some(server.id) => Err(AppError::conflict(
            "VOLUME_NOT_ATTACHED_TO_SERVER",
            format!("volume {} is not attached to server {}", vol.id, server.id),
        )),
        Direction::Detach if vol.is_root => Err(AppError::conflict(
            "CANNOT_DETACH_ROOT_VOLUME",
            "the root volume cannot be detached from its server",
        )),
        Direction::Detach if vol.status != VolumeStatus::InUse => Err(volume::status_invalid(vol, "detached")),
        _ => Ok((server_cloud, volume_cloud)),
    }
}
