//! Rename / describe a server, and its console URL.

use serde_json::json;

use super::not_found;
use crate::application::intent;
use crate::application::project_cloud::{cloud_error, cloud_of, scope};
use crate::application::{Services, guard};
use crate::domain::auth::RequestContext;
use crate::domain::resource_name::ResourceName;
use crate::domain::server_state::{ServerStatus, ServerTask};
use crate::error::{AppError, AppResult};
use crate::infrastructure::cloud::UpdateServerRequest;
use crate::infrastructure::db::{begin, servers};

/// Stored first; the cloud's copy follows (a failure there is logged and
/// left for the reconciler's drift check: our row is the truth for names).
pub async fn update_info(
    svc: &Services,
    ctx: &RequestContext,
    id: i64,
    name: ResourceName,
    description: String,
    if_match: Option<i64>,
) -> AppResult<super::ServerDetail> {
    let scope = scope(ctx)?;
    let mut tx = begin(&svc.pool).await?;
    let server = servers::lock(&mut tx, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, server.version)?;
    servers::update_info(&mut tx, id, server.version, name.as_str(), &description).await?;
    let detail = json!({"name": name.as_str(), "description": description});
    intent::record_done(&mut tx, &scope, "server.update", "server", id, Some(detail)).await?;
    tx.commit().await?;
    if let Some(cloud_id) = &server.openstack_id {
        let cloud = cloud_of(svc, scope.project_id).await?;
        let request = UpdateServerRequest {
            name: Some(name.as_str().to_owned()),
            description: None,
        };
        if let Err(e) = cloud.update_server(cloud_id, &request).await {
            tracing::warn!(server_id = id, error = %e, "cloud rename failed; the reconciler will retry");
        }
    }
    super::get(svc, ctx, id).await
}

/// A fresh noVNC URL of an ACTIVE server.
pub async fn vnc_url(svc: &Services, ctx: &RequestContext, id: i64) -> AppResult<String> {
    let scope = scope(ctx)?;
    let server = servers::find(&svc.pool, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let cloud_id = match (&server.openstack_id, server.status, server.task_state) {
        (_, _, Some(ServerTask::Deleting)) => {
            return Err(AppError::conflict(
                "SERVER_NOT_ACTIVE",
                format!("server {id} has no console while it is being deleted"),
            ));
        }
        (Some(cloud_id), ServerStatus::Active, _) => cloud_id.clone(),
        _ => {
            return Err(AppError::conflict(
                "SERVER_NOT_ACTIVE",
                format!("server {id} has no console while {}", server.status.as_str()),
            ));
        }
    };
    let cloud = cloud_of(svc, scope.project_id).await?;
    cloud.console_url(&cloud_id).await.map_err(cloud_error)
}
