//! Server create: the server, its root volume and its network interface are
//! written first (BUILD / CREATING), then the cloud gets a port and a
//! boot-from-volume server on it carrying our inventory id. A definite
//! failure of a later step undoes the earlier ones.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;

use super::read::{ServerDetail, details};
use crate::application::intent::{self, Intent};
use crate::application::project_cloud::{Scope, cloud_error, cloud_of, scope};
use crate::application::{Services, catalog, quotas};
use crate::domain::auth::RequestContext;
use crate::domain::quota::{Amounts, QuotaKind};
use crate::domain::server::{NewServer, inventory_id};
use crate::error::{AppError, AppResult};
use crate::infrastructure::cloud::{CloudError, CloudProject, CreatePortRequest, CreateServerRequest};
use crate::infrastructure::db::volumes::NewVolume;
use crate::infrastructure::db::{begin, network_interfaces, resource_actions, security_groups, servers, volumes};

/// The rows written for one create.
struct Written {
    server_id: i64,
    volume_id: i64,
    nic_id: i64,
    group_cloud_ids: Vec<String>,
}

pub async fn create(svc: &Services, ctx: &RequestContext, input: NewServer) -> AppResult<ServerDetail> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let flavors = catalog::flavors_of(svc, scope.project_id).await?;
    let flavor = flavors
        .iter()
        .find(|f| f.id == input.flavor_id)
        .ok_or_else(|| AppError::not_found("FLAVOR_NOT_FOUND", format!("flavor {} does not exist", input.flavor_id)))?;
    let size = (i64::from(flavor.vcpus), flavor.ram_mb as i64);
    let written = write_intent(svc, &scope, &input, size).await?;
    provision(svc, &scope, cloud, &input, &written).await?;
    let server = servers::find(&svc.pool, scope.project_id, written.server_id)
        .await?
        .ok_or_else(|| super::not_found(written.server_id))?;
    let mut all = details(&svc.pool, scope.project_id, vec![server]).await?;
    all.pop().ok_or_else(|| super::not_found(written.server_id))
}

async fn write_intent(svc: &Services, scope: &Scope, input: &NewServer, size: (i64, i64)) -> AppResult<Written> {
    let mut tx = begin(&svc.pool).await?;
    let requested = Amounts::new()
        .with(QuotaKind::Servers, 1)
        .with(QuotaKind::Vcpus, size.0)
        .with(QuotaKind::RamMb, size.1)
        .with(QuotaKind::Volumes, 1)
        .with(QuotaKind::VolumeGb, i64::from(input.root_volume_size_gb));
    quotas::check_quota(&mut tx, &svc.quota_defaults, scope.project_id, &requested).await?;
    let groups = security_groups::find_many(&mut *tx, scope.project_id, &input.security_group_ids).await?;
    if let Some(missing) = input
        .security_group_ids
        .iter()
        .find(|id| !groups.iter().any(|g| g.id == **id))
    {
        return Err(crate::application::security_group::not_found(*missing));
    }
    let server_id = servers::insert(&mut tx, scope.project_id, input, size, Some(scope.user_id)).await?;
    let root_name: String = input.name.as_str().chars().take(200).collect();
    let volume_id = volumes::insert(
        &mut tx,
        &NewVolume {
            project_id: scope.project_id,
            name: &format!("{root_name}-root-{server_id}"),
            description: "root volume",
            size_gb: input.root_volume_size_gb,
            volume_type_id: None,
            image_id: Some(&input.image_id),
            root_of_server: Some(server_id),
            user_id: Some(scope.user_id),
        },
    )
    .await?;
    servers::set_root_volume(&mut tx, server_id, volume_id).await?;
    let nic_id = network_interfaces::insert(
        &mut tx,
        scope.project_id,
        server_id,
        &input.network_id,
        &input.security_group_ids,
    )
    .await?;
    let detail = json!({"name": input.name.as_str(), "flavor_id": input.flavor_id, "network_id": input.network_id});
    let intent = Intent {
        resource_type: "server",
        resource_id: server_id,
        action: "create",
        audit_action: "server.create",
        detail: Some(detail),
    };
    intent::record(&mut tx, scope, intent).await?;
    tx.commit().await?;
    Ok(Written {
        server_id,
        volume_id,
        nic_id,
        group_cloud_ids: groups.into_iter().filter_map(|g| g.openstack_id).collect(),
    })
}

/// Port, then server. An unknown outcome leaves the intent for the reconciler.
async fn provision(
    svc: &Services,
    scope: &Scope,
    cloud: Arc<dyn CloudProject>,
    input: &NewServer,
    w: &Written,
) -> AppResult<()> {
    let port_request = CreatePortRequest {
        network_id: input.network_id.clone(),
        name: Some(format!("{}-nic", input.name.as_str())),
        description: Some(inventory_id("network_interface", w.nic_id)),
        security_group_ids: (!w.group_cloud_ids.is_empty()).then(|| w.group_cloud_ids.clone()),
        subnet_id: None,
        fixed_ip: None,
    };
    let port = match cloud.create_port(&port_request).await {
        Ok(port) => port,
        Err(e) if e.is_outcome_unknown() => return Ok(()),
        Err(e) => return Err(undo(svc, scope, cloud.as_ref(), w, None, e).await),
    };
    let ip = port.fixed_ips.first();
    network_interfaces::set_port(
        &svc.pool,
        w.nic_id,
        &port.id,
        ip.map(|i| i.ip_address.as_str()),
        ip.and_then(|i| i.subnet_id.as_deref()),
        port.mac_address.as_deref(),
    )
    .await?;
    let server_request = CreateServerRequest {
        name: input.name.as_str().to_owned(),
        description: Some(inventory_id("server", w.server_id)),
        flavor_id: input.flavor_id.clone(),
        image_id: input.image_id.clone(),
        root_volume_size_gb: input.root_volume_size_gb,
        root_volume_type: None,
        delete_root_volume_on_termination: true,
        port_ids: vec![port.id.clone()],
        network_id: None,
        security_group_names: Vec::new(),
        key_name: input.key_name.clone(),
        availability_zone: input.availability_zone.clone(),
        metadata: BTreeMap::new(),
        inventory_id: inventory_id("server", w.server_id),
    };
    match cloud.create_server(&server_request).await {
        Ok(created) => servers::set_openstack_id(&svc.pool, w.server_id, &created.id).await,
        Err(e) if e.is_outcome_unknown() => Ok(()),
        Err(e) => Err(undo(svc, scope, cloud.as_ref(), w, Some(&port.id), e).await),
    }
}

/// Compensation after a definite failure: the port goes, the server row is
/// `ERROR` with the cloud's message, the volume and interface rows (which
/// never existed in the cloud) are deleted.
async fn undo(
    svc: &Services,
    scope: &Scope,
    cloud: &dyn CloudProject,
    w: &Written,
    port_id: Option<&str>,
    cause: CloudError,
) -> AppError {
    let port_left = match port_id {
        Some(port) => match cloud.delete_port(port).await {
            Ok(()) => false,
            Err(e) if e.is_not_found() => false,
            Err(e) => {
                tracing::warn!(port, error = %e, "compensation: port deletion failed; left for the reconciler");
                true
            }
        },
        None => false,
    };
    let message = cause.message();
    if let Err(e) = record_failure(svc, scope, w, port_left, &message).await {
        tracing::warn!(server_id = w.server_id, error = ?e, "could not record a failed server create");
    }
    cloud_error(cause)
}

async fn record_failure(svc: &Services, scope: &Scope, w: &Written, port_left: bool, message: &str) -> AppResult<()> {
    let mut tx = begin(&svc.pool).await?;
    let server = servers::lock(&mut tx, scope.project_id, w.server_id).await?;
    if let Some(server) = server {
        servers::mark_error(&mut tx, server.id, server.version, message).await?;
    }
    if let Some(v) = volumes::lock(&mut tx, scope.project_id, w.volume_id).await? {
        volumes::finish_delete(&mut tx, v.id, v.version).await?;
    }
    if let Some(n) = network_interfaces::lock(&mut tx, scope.project_id, w.nic_id).await? {
        if port_left {
            network_interfaces::mark_error(&mut tx, n.id, n.version, message).await?;
        } else {
            network_interfaces::finish_delete(&mut tx, n.id, n.version).await?;
        }
    }
    resource_actions::finish(&mut *tx, "server", w.server_id, false, Some(message)).await?;
    tx.commit().await?;
    Ok(())
}
