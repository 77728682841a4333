//! Server create: the server, its root volume and its network interface are
//! written first (BUILD / CREATING), then the cloud gets a port and a
//! boot-from-volume server on it carrying our inventory id (`provision`).

use serde_json::json;

use super::provision::{Provisioned, ServerOrder, provision};
use super::read::{ServerDetail, details};
use crate::application::intent::{self, Intent, Witness};
use crate::application::project_cloud::{Scope, cloud_error, cloud_of, scope};
use crate::application::{Services, catalog_choice, quotas, refresh};
use crate::domain::auth::RequestContext;
use crate::domain::quota::{Amounts, QuotaKind};
use crate::domain::server::NewServer;
use crate::error::AppResult;
use crate::infrastructure::db::volumes::NewVolume;
use crate::infrastructure::db::{begin, network_interfaces, security_groups, servers, volumes};

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
    let flavor = catalog_choice::flavor(svc, scope.project_id, &input.flavor_id).await?;
    catalog_choice::network(svc, scope.project_id, &input.network_id).await?;
    catalog_choice::image(
        svc,
        scope.project_id,
        &input.image_id,
        input.root_volume_size_gb,
        "body.root_volume.size",
    )
    .await?;
    if let Some(zone) = &input.availability_zone {
        catalog_choice::availability_zone(svc, scope.project_id, zone).await?;
    }
    let size = (i64::from(flavor.vcpus), flavor.ram_mb as i64);
    let written = write_intent(svc, &scope, &input, size).await?;
    match provision(
        &svc.pool,
        cloud.as_ref(),
        &order(&scope, &input, &written),
        Witness::Request(&scope),
    )
    .await?
    {
        Provisioned::Refused(e) => return Err(cloud_error(e)),
        Provisioned::Created(_) | Provisioned::Unknown => {}
    }
    refresh::request(&svc.pool, refresh::server(written.server_id), &scope).await;
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

/// The rows of the create as the cloud calls need them.
fn order(scope: &Scope, input: &NewServer, w: &Written) -> ServerOrder {
    ServerOrder {
        project_id: scope.project_id,
        server_id: w.server_id,
        volume_id: w.volume_id,
        nic_id: w.nic_id,
        name: input.name.as_str().to_owned(),
        flavor_id: input.flavor_id.clone(),
        image_id: input.image_id.clone(),
        root_volume_size_gb: input.root_volume_size_gb,
        network_id: input.network_id.clone(),
        key_name: input.key_name.clone(),
        availability_zone: input.availability_zone.clone(),
        group_cloud_ids: w.group_cloud_ids.clone(),
        port_id: None,
    }
}
