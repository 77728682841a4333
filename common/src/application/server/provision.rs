//! The cloud half of a server create: a port carrying the interface's
//! inventory id, then a boot-from-volume server on it carrying the server's.
//! The API runs it right after writing the intent; the reconciler runs it
//! again for a create that provably never reached the cloud. A definite
//! failure of a later step undoes the earlier ones.

use std::collections::BTreeMap;

use sqlx::MySqlPool;

use crate::application::intent::{self, Witness};
use crate::application::project_cloud::cloud_error;
use crate::domain::server::inventory_id;
use crate::error::AppResult;
use crate::infrastructure::cloud::{
    CloudError, CloudPort, CloudProject, CreatePortRequest, CreateServerRequest, PortListQuery,
};
use crate::infrastructure::db::{begin, network_interfaces, security_groups, servers, volumes};

/// Everything the cloud calls of one server create need, as the rows hold it.
#[derive(Debug, Clone)]
pub struct ServerOrder {
    pub project_id: i64,
    pub server_id: i64,
    pub volume_id: i64,
    pub nic_id: i64,
    pub name: String,
    pub flavor_id: String,
    pub image_id: String,
    pub root_volume_size_gb: u32,
    pub network_id: String,
    pub key_name: Option<String>,
    pub availability_zone: Option<String>,
    pub group_cloud_ids: Vec<String>,
    /// The port an earlier attempt made and stored; it is used, not made again.
    pub port_id: Option<String>,
}

/// How the cloud calls of a create (server or volume) ended.
#[derive(Debug)]
pub enum Provisioned {
    /// The cloud accepted the resource; its id is stored.
    Created(String),
    /// No answer (timeout, 5xx): the intent stays for the reconciler.
    Unknown,
    /// The cloud refused: what was made for it is undone (a server's port),
    /// and the row is `ERROR` with the cloud's message.
    Refused(CloudError),
}

/// Port (unless the order has one), then server. A refusal is audited as
/// seen by `witness`.
pub async fn provision(
    pool: &MySqlPool,
    cloud: &dyn CloudProject,
    order: &ServerOrder,
    witness: Witness<'_>,
) -> AppResult<Provisioned> {
    let port_id = match &order.port_id {
        Some(port) => port.clone(),
        None => match cloud.create_port(&port_request(order)).await {
            Ok(port) => {
                store_port(pool, order.nic_id, &port).await?;
                port.id
            }
            Err(e) if e.is_outcome_unknown() => return Ok(Provisioned::Unknown),
            Err(e) => {
                undo(pool, cloud, order, None, &e.message(), witness).await;
                return Ok(Provisioned::Refused(e));
            }
        },
    };
    match cloud.create_server(&server_request(order, &port_id)).await {
        Ok(created) => {
            servers::set_openstack_id(pool, order.server_id, &created.id).await?;
            Ok(Provisioned::Created(created.id))
        }
        Err(e) if e.is_outcome_unknown() => Ok(Provisioned::Unknown),
        Err(e) => {
            undo(pool, cloud, order, Some(&port_id), &e.message(), witness).await;
            Ok(Provisioned::Refused(e))
        }
    }
}

/// The order of a live server still being created, read back from its rows
/// (`None` when they are gone or incomplete).
pub async fn order_of(pool: &MySqlPool, project_id: i64, server_id: i64) -> AppResult<Option<ServerOrder>> {
    let Some(server) = servers::find(pool, project_id, server_id).await? else {
        return Ok(None);
    };
    let Some(root) = (match server.root_volume_id {
        Some(id) => volumes::find(pool, project_id, id).await?,
        None => None,
    }) else {
        return Ok(None);
    };
    let Some(nic) = network_interfaces::of_servers(pool, &[server_id])
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let group_ids: Vec<i64> = network_interfaces::security_group_links(pool, &[nic.id])
        .await?
        .into_iter()
        .map(|(_, group)| group)
        .collect();
    let group_cloud_ids = security_groups::find_many(pool, project_id, &group_ids)
        .await?
        .into_iter()
        .filter_map(|g| g.openstack_id)
        .collect();
    Ok(Some(ServerOrder {
        project_id,
        server_id,
        volume_id: root.id,
        nic_id: nic.id,
        name: server.name,
        flavor_id: server.flavor_id,
        image_id: server.image_id.or(root.image_id).unwrap_or_default(),
        root_volume_size_gb: u32::try_from(root.size_gb).unwrap_or(1),
        network_id: nic.network_id,
        key_name: server.key_name,
        availability_zone: server.availability_zone,
        group_cloud_ids,
        port_id: nic.openstack_id,
    }))
}

/// A port made by an earlier attempt whose answer was lost carries the
/// interface's inventory id: it is adopted instead of made again.
pub async fn adopt_lost_port(pool: &MySqlPool, cloud: &dyn CloudProject, order: &mut ServerOrder) -> AppResult<()> {
    if order.port_id.is_some() {
        return Ok(());
    }
    let query = PortListQuery {
        device_id: None,
        network_id: Some(order.network_id.clone()),
    };
    let ours = inventory_id("network_interface", order.nic_id);
    let ports = cloud.list_ports(&query).await.map_err(cloud_error)?;
    if let Some(port) = ports
        .into_iter()
        .find(|p| p.description.as_deref() == Some(ours.as_str()))
    {
        store_port(pool, order.nic_id, &port).await?;
        order.port_id = Some(port.id);
    }
    Ok(())
}

fn port_request(order: &ServerOrder) -> CreatePortRequest {
    CreatePortRequest {
        network_id: order.network_id.clone(),
        name: Some(format!("{}-nic", order.name)),
        description: Some(inventory_id("network_interface", order.nic_id)),
        security_group_ids: (!order.group_cloud_ids.is_empty()).then(|| order.group_cloud_ids.clone()),
        subnet_id: None,
        fixed_ip: None,
    }
}

fn server_request(order: &ServerOrder, port_id: &str) -> CreateServerRequest {
    CreateServerRequest {
        name: order.name.clone(),
        description: Some(inventory_id("server", order.server_id)),
        flavor_id: order.flavor_id.clone(),
        image_id: order.image_id.clone(),
        root_volume_size_gb: order.root_volume_size_gb,
        root_volume_type: None,
        delete_root_volume_on_termination: true,
        port_ids: vec![port_id.to_owned()],
        network_id: None,
        security_group_names: Vec::new(),
        key_name: order.key_name.clone(),
        availability_zone: order.availability_zone.clone(),
        metadata: BTreeMap::new(),
        inventory_id: inventory_id("server", order.server_id),
    }
}

async fn store_port(pool: &MySqlPool, nic_id: i64, port: &CloudPort) -> AppResult<()> {
    let ip = port.fixed_ips.first();
    network_interfaces::set_port(
        pool,
        nic_id,
        &port.id,
        ip.map(|i| i.ip_address.as_str()),
        ip.and_then(|i| i.subnet_id.as_deref()),
        port.mac_address.as_deref(),
    )
    .await
}

/// Gives up a create that never reached the cloud: the same undo as after
/// a refusal, with `reason` as the message. Skipped when the row moved on
/// (another version, or no longer being created).
pub async fn give_up(
    pool: &MySqlPool,
    cloud: &dyn CloudProject,
    order: &ServerOrder,
    version: i64,
    reason: &str,
) -> AppResult<bool> {
    let current = servers::find(pool, order.project_id, order.server_id).await?;
    if !current.is_some_and(|s| s.version == version && s.pending_action.as_deref() == Some("create")) {
        return Ok(false);
    }
    undo(pool, cloud, order, order.port_id.as_deref(), reason, Witness::Reconcile).await;
    Ok(true)
}

/// Compensation after a definite failure: the port goes, the server row is
/// `ERROR` with the message, the volume and interface rows (which never
/// existed in the cloud) are deleted.
async fn undo(
    pool: &MySqlPool,
    cloud: &dyn CloudProject,
    order: &ServerOrder,
    port_id: Option<&str>,
    message: &str,
    witness: Witness<'_>,
) {
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
    if let Err(e) = write_failure(pool, order, port_left, message, witness).await {
        tracing::warn!(server_id = order.server_id, error = ?e, "could not record a failed server create");
    }
}

async fn write_failure(
    pool: &MySqlPool,
    order: &ServerOrder,
    port_left: bool,
    message: &str,
    witness: Witness<'_>,
) -> AppResult<()> {
    let mut tx = begin(pool).await?;
    if let Some(server) = servers::lock(&mut tx, order.project_id, order.server_id).await? {
        servers::mark_error(&mut tx, server.id, server.version, message).await?;
    }
    intent::record_failure(&mut tx, witness, "server", order.server_id, message).await?;
    if let Some(v) = volumes::lock(&mut tx, order.project_id, order.volume_id).await? {
        volumes::finish_delete(&mut tx, v.id, v.version).await?;
    }
    if let Some(n) = network_interfaces::lock(&mut tx, order.project_id, order.nic_id).await? {
        if port_left {
            network_interfaces::mark_error(&mut tx, n.id, n.version, message).await?;
        } else {
            network_interfaces::finish_delete(&mut tx, n.id, n.version).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
