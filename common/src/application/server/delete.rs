//! Server delete: the server, its root volume and its interfaces go to
//! deleting in one transaction; then the cloud server and its ports are
//! deleted. The rows are deleted once the cloud confirms the server gone
//! (here when it already is, else by the reconciler). A server that never
//! reached the cloud, or never finished building, is deleted the same way.

use std::sync::Arc;

use serde_json::json;

use super::not_found;
use crate::application::intent::{self, Intent, Witness};
use crate::application::project_cloud::{Scope, cloud_error, cloud_of, scope};
use crate::application::{Services, guard, refresh};
use crate::domain::auth::RequestContext;
use crate::domain::server::{Server, inventory_id};
use crate::domain::server_state::ServerTask;
use crate::error::AppResult;
use crate::infrastructure::cloud::CloudProject;
use crate::infrastructure::db::{begin, network_interfaces, servers, volumes};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedServer {
    pub server_id: i64,
    pub volume_id: Option<i64>,
    pub network_interface_ids: Vec<i64>,
}

pub async fn delete(svc: &Services, ctx: &RequestContext, id: i64, if_match: Option<i64>) -> AppResult<DeletedServer> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let (server, nic_ids, first_request) = write_intent(svc, &scope, id, if_match).await?;
    let answer = DeletedServer {
        server_id: id,
        volume_id: server.root_volume_id,
        network_interface_ids: nic_ids,
    };
    if first_request {
        delete_in_cloud(svc, &scope, cloud, &server).await?;
        refresh::request(&svc.pool, refresh::server(id), &scope).await;
    }
    Ok(answer)
}

/// Returns the server as it was, its interfaces, and whether this request
/// started the deletion (a repeat changes nothing and calls nothing).
async fn write_intent(
    svc: &Services,
    scope: &Scope,
    id: i64,
    if_match: Option<i64>,
) -> AppResult<(Server, Vec<i64>, bool)> {
    let mut tx = begin(&svc.pool).await?;
    let server = servers::lock(&mut tx, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, server.version)?;
    let nic_ids = network_interfaces::of_servers(&mut *tx, &[id])
        .await?
        .iter()
        .map(|n| n.id)
        .collect();
    if server.pending_action.as_deref() == Some("delete") {
        return Ok((server, nic_ids, false));
    }
    servers::begin_action(&mut tx, id, server.version, ServerTask::Deleting, "delete").await?;
    volumes::begin_delete_with_server(&mut tx, id).await?;
    network_interfaces::begin_delete_of_server(&mut tx, id).await?;
    let intent = Intent {
        resource_type: "server",
        resource_id: id,
        action: "delete",
        audit_action: "server.delete",
        detail: Some(json!({"name": server.name})),
    };
    intent::record(&mut tx, scope, intent).await?;
    tx.commit().await?;
    Ok((server, nic_ids, true))
}

async fn delete_in_cloud(
    svc: &Services,
    scope: &Scope,
    cloud: Arc<dyn CloudProject>,
    server: &Server,
) -> AppResult<()> {
    let cloud_id = match &server.openstack_id {
        Some(known) => Some(known.clone()),
        // A create whose answer was lost may still have made the server.
        None => match cloud
            .find_server_by_inventory_id(&inventory_id("server", server.id))
            .await
        {
            Ok(found) => found.map(|s| s.id),
            Err(e) => return leave_or_fail(svc, scope, server.id, e).await,
        },
    };
    let gone = match cloud_id {
        None => true,
        Some(os_id) => match cloud.delete_server(&os_id).await {
            Ok(()) => false,
            Err(e) if e.is_not_found() => true,
            Err(e) => return leave_or_fail(svc, scope, server.id, e).await,
        },
    };
    let ports_gone = delete_ports(svc, scope, cloud.as_ref(), server.id).await?;
    if gone && ports_gone {
        let mut tx = begin(&svc.pool).await?;
        if let Some(current) = servers::lock(&mut tx, scope.project_id, server.id).await? {
            servers::finish_delete(&mut tx, current.id, current.version).await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Deletes the server's ports; true when none is left in the cloud.
async fn delete_ports(svc: &Services, scope: &Scope, cloud: &dyn CloudProject, server_id: i64) -> AppResult<bool> {
    let mut all_gone = true;
    for nic in network_interfaces::of_servers(&svc.pool, &[server_id]).await? {
        let gone = match &nic.openstack_id {
            None => true,
            Some(port) => match cloud.delete_port(port).await {
                Ok(()) => true,
                Err(e) if e.is_not_found() => true,
                Err(e) => {
                    tracing::warn!(port, error = %e, "port deletion failed; left for the reconciler");
                    false
                }
            },
        };
        if gone && nic.openstack_id.is_some() {
            let mut tx = begin(&svc.pool).await?;
            if let Some(current) = network_interfaces::lock(&mut tx, scope.project_id, nic.id).await? {
                network_interfaces::finish_delete(&mut tx, current.id, current.version).await?;
            }
            tx.commit().await?;
        }
        all_gone &= gone;
    }
    Ok(all_gone)
}

/// Unknown outcome: the intent stays for the reconciler and the client gets
/// its 202. Definite: the server is `ERROR` with the cloud's message (it can
/// be deleted again) and the client learns why.
async fn leave_or_fail(
    svc: &Services,
    scope: &Scope,
    id: i64,
    e: crate::infrastructure::cloud::CloudError,
) -> AppResult<()> {
    if e.is_outcome_unknown() {
        return Ok(());
    }
    let message = e.message();
    let mut tx = begin(&svc.pool).await?;
    if let Some(current) = servers::lock(&mut tx, scope.project_id, id).await? {
        servers::mark_error(&mut tx, id, current.version, &message).await?;
    }
    intent::record_failure(&mut tx, Witness::Request(scope), "server", id, &message).await?;
    tx.commit().await?;
    Err(cloud_error(e))
}
