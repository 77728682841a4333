//! Network interfaces: reads, and linking floating IPs to them.

use std::collections::HashMap;

use serde_json::json;

use super::intent::{self, Intent, Witness};
use super::project_cloud::{Scope, cloud_error, cloud_of, scope};
use super::{Services, floating_ip};
use crate::domain::auth::RequestContext;
use crate::domain::floating_ip::{FloatingIp, status_from_cloud};
use crate::domain::network_interface::NetworkInterface;
use crate::domain::page::{Cursor, Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::{begin, floating_ips, network_interfaces, resource_actions, security_groups};

pub fn not_found(id: i64) -> AppError {
    AppError::not_found(
        "NETWORK_INTERFACE_NOT_FOUND",
        format!("network interface {id} does not exist"),
    )
}

#[derive(Debug, Clone)]
pub struct InterfaceDetail {
    pub interface: NetworkInterface,
    pub floating_ip: Option<FloatingIp>,
    pub security_groups: Vec<(i64, String)>,
}

pub async fn list(svc: &Services, ctx: &RequestContext, page: PageRequest) -> AppResult<Page<InterfaceDetail>> {
    let project_id = scope(ctx)?.project_id;
    let sort = "created_at:DESC";
    let after = page
        .for_sort(sort)
        .map_err(|e| AppError::invalid_field("query.cursor", "value_error", e))?;
    let rows = network_interfaces::list(&svc.pool, project_id, after, page.limit).await?;
    let page = Page::from_overfetch(rows, page.limit, |n| Cursor {
        sort: sort.to_owned(),
        key: network_interfaces::cursor_key(n),
        id: n.id,
    });
    Ok(Page {
        items: details(svc, project_id, page.items).await?,
        next_cursor: page.next_cursor,
    })
}

pub async fn get(svc: &Services, ctx: &RequestContext, id: i64) -> AppResult<InterfaceDetail> {
    let project_id = scope(ctx)?.project_id;
    let nic = network_interfaces::find(&svc.pool, project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut all = details(svc, project_id, vec![nic]).await?;
    all.pop().ok_or_else(|| not_found(id))
}

async fn details(svc: &Services, project_id: i64, nics: Vec<NetworkInterface>) -> AppResult<Vec<InterfaceDetail>> {
    let ids: Vec<i64> = nics.iter().map(|n| n.id).collect();
    let mut fips: HashMap<i64, FloatingIp> = floating_ips::of_interfaces(&svc.pool, &ids)
        .await?
        .into_iter()
        .filter_map(|f| Some((f.network_interface_id?, f)))
        .collect();
    let mut groups: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (nic, group, name) in security_groups::names_of_interfaces(&svc.pool, project_id, &ids).await? {
        groups.entry(nic).or_default().push((group, name));
    }
    Ok(nics
        .into_iter()
        .map(|interface| InterfaceDetail {
            floating_ip: fips.remove(&interface.id),
            security_groups: groups.remove(&interface.id).unwrap_or_default(),
            interface,
        })
        .collect())
}

pub async fn attach_floating_ip(svc: &Services, ctx: &RequestContext, nic_id: i64, fip_id: i64) -> AppResult<()> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let mut tx = begin(&svc.pool).await?;
    let nic = network_interfaces::lock(&mut tx, scope.project_id, nic_id)
        .await?
        .ok_or_else(|| not_found(nic_id))?;
    let fip = floating_ips::lock(&mut tx, scope.project_id, fip_id)
        .await?
        .ok_or_else(|| floating_ip::not_found(fip_id))?;
    if fip.network_interface_id.is_some() {
        return Err(AppError::conflict(
            "FLOATING_IP_ALREADY_ATTACHED_TO_NETWORK_INTERFACE",
            format!("floating ip {fip_id} is already attached to a network interface"),
        ));
    }
    let (Some(port), Some(cloud_fip), None) = (&nic.openstack_id, &fip.openstack_id, &fip.pending_action) else {
        return Err(AppError::conflict(
            "FLOATING_IP_BUSY",
            "the floating ip or the interface is not ready yet; try again shortly",
        ));
    };
    floating_ips::begin_action(&mut tx, fip_id, fip.version, "attaching", "associate", Some(nic_id)).await?;
    record(&mut tx, &scope, fip_id, nic_id, "associate", "floating_ip.associate").await?;
    tx.commit().await?;
    match cloud.associate_floating_ip(cloud_fip, port).await {
        Ok(done) => finish(svc, &scope, fip_id, Some(nic_id), status_from_cloud(&done.status), None).await,
        Err(e) if e.is_outcome_unknown() => Ok(()),
        Err(e) => {
            finish(svc, &scope, fip_id, None, &fip.status, Some(&e.message())).await?;
            Err(cloud_error(e))
        }
    }
}

pub async fn detach_floating_ip(svc: &Services, ctx: &RequestContext, nic_id: i64, fip_id: i64) -> AppResult<()> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let mut tx = begin(&svc.pool).await?;
    network_interfaces::lock(&mut tx, scope.project_id, nic_id)
        .await?
        .ok_or_else(|| not_found(nic_id))?;
    let fip = floating_ips::lock(&mut tx, scope.project_id, fip_id)
        .await?
        .ok_or_else(|| floating_ip::not_found(fip_id))?;
    match fip.network_interface_id {
        None => {
            return Err(AppError::conflict(
                "FLOATING_IP_NOT_ATTACHED_TO_NETWORK_INTERFACE",
                format!("floating ip {fip_id} is not attached to a network interface"),
            ));
        }
        Some(other) if other != nic_id => {
            return Err(AppError::bad_request(
                "NETWORK_INTERFACE_NOT_MATCHED",
                format!("floating ip {fip_id} is attached to another network interface"),
            ));
        }
        Some(_) => {}
    }
    let (Some(cloud_fip), None) = (&fip.openstack_id, &fip.pending_action) else {
        return Err(AppError::conflict(
            "FLOATING_IP_BUSY",
            "the floating ip has an action in flight",
        ));
    };
    floating_ips::begin_action(&mut tx, fip_id, fip.version, "detaching", "disassociate", None).await?;
    record(
        &mut tx,
        &scope,
        fip_id,
        nic_id,
        "disassociate",
        "floating_ip.disassociate",
    )
    .await?;
    tx.commit().await?;
    match cloud.disassociate_floating_ip(cloud_fip).await {
        Ok(done) => finish(svc, &scope, fip_id, None, status_from_cloud(&done.status), None).await,
        Err(e) if e.is_outcome_unknown() => Ok(()),
        Err(e) => {
            finish(svc, &scope, fip_id, Some(nic_id), &fip.status, Some(&e.message())).await?;
            Err(cloud_error(e))
        }
    }
}

async fn record(
    tx: &mut sqlx::MySqlConnection,
    scope: &Scope,
    fip_id: i64,
    nic_id: i64,
    action: &'static str,
    audit: &'static str,
) -> AppResult<()> {
    let intent = Intent {
        resource_type: "floating_ip",
        resource_id: fip_id,
        action,
        audit_action: audit,
        detail: Some(json!({"network_interface_id": nic_id})),
    };
    intent::record(tx, scope, intent).await
}

async fn finish(
    svc: &Services,
    scope: &Scope,
    fip_id: i64,
    nic: Option<i64>,
    status: &str,
    error: Option<&str>,
) -> AppResult<()> {
    let mut tx = begin(&svc.pool).await?;
    floating_ips::end_action(&mut *tx, fip_id, nic, status, error).await?;
    match error {
        Some(message) => {
            intent::record_failure(&mut tx, Witness::Request(scope), "floating_ip", fip_id, message).await?
        }
        None => resource_actions::finish(&mut *tx, "floating_ip", fip_id, true, None).await?,
    }
    tx.commit().await?;
    Ok(())
}
