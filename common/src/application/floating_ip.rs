//! Floating IPs: allocate, delete, and associate with / disassociate from a
//! network interface (Neutron answers these at once, so no wait is needed).

use std::collections::HashMap;

use serde_json::json;

use super::intent::{self, Intent, Witness};
use super::project_cloud::{Scope, cloud_error, cloud_of, scope};
use super::{Services, catalog, guard, quotas};
use crate::domain::auth::RequestContext;
use crate::domain::floating_ip::{FloatingIp, status_from_cloud};
use crate::domain::page::{Cursor, Page, PageRequest};
use crate::domain::quota::{Amounts, QuotaKind};
use crate::domain::server::inventory_id;
use crate::error::{AppError, AppResult};
use crate::infrastructure::cloud::CreateFloatingIpRequest;
use crate::infrastructure::db::{begin, floating_ips, network_interfaces, resource_actions, servers};

pub fn not_found(id: i64) -> AppError {
    AppError::not_found("FLOATING_IP_NOT_FOUND", format!("floating ip {id} does not exist"))
}

fn busy(id: i64) -> AppError {
    AppError::conflict(
        "FLOATING_IP_BUSY",
        format!("floating ip {id} has an action in flight; try again shortly"),
    )
}

/// A floating IP and the server of the interface it is on (`(id, name)`).
#[derive(Debug, Clone)]
pub struct FloatingIpDetail {
    pub floating_ip: FloatingIp,
    pub server: Option<(i64, String)>,
}

pub async fn list(svc: &Services, ctx: &RequestContext, page: PageRequest) -> AppResult<Page<FloatingIpDetail>> {
    let project_id = scope(ctx)?.project_id;
    let sort = "created_at:DESC";
    let after = page
        .for_sort(sort)
        .map_err(|e| AppError::invalid_field("query.cursor", "value_error", e))?;
    let rows = floating_ips::list(&svc.pool, project_id, after, page.limit).await?;
    let page = Page::from_overfetch(rows, page.limit, |f| Cursor {
        sort: sort.to_owned(),
        key: floating_ips::cursor_key(f),
        id: f.id,
    });
    Ok(Page {
        items: with_servers(svc, project_id, page.items).await?,
        next_cursor: page.next_cursor,
    })
}

pub async fn get(svc: &Services, ctx: &RequestContext, id: i64) -> AppResult<FloatingIpDetail> {
    let project_id = scope(ctx)?.project_id;
    let fip = floating_ips::find(&svc.pool, project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut all = with_servers(svc, project_id, vec![fip]).await?;
    all.pop().ok_or_else(|| not_found(id))
}

async fn with_servers(svc: &Services, project_id: i64, fips: Vec<FloatingIp>) -> AppResult<Vec<FloatingIpDetail>> {
    let nic_ids: Vec<i64> = fips.iter().filter_map(|f| f.network_interface_id).collect();
    let nics = network_interfaces::find_many(&svc.pool, &nic_ids).await?;
    let server_ids: Vec<i64> = nics.iter().filter_map(|n| n.server_id).collect();
    let names: HashMap<i64, String> = servers::find_many(&svc.pool, project_id, &server_ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let server_of: HashMap<i64, i64> = nics.iter().filter_map(|n| Some((n.id, n.server_id?))).collect();
    Ok(fips
        .into_iter()
        .map(|f| FloatingIpDetail {
            server: f
                .network_interface_id
                .and_then(|n| server_of.get(&n))
                .and_then(|s| names.get(s).map(|name| (*s, name.clone()))),
            floating_ip: f,
        })
        .collect())
}

pub async fn create(svc: &Services, ctx: &RequestContext, floating_network_id: String) -> AppResult<FloatingIpDetail> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let networks = catalog::networks(svc, ctx).await?;
    if !networks.iter().any(|n| n.external && n.id == floating_network_id) {
        return Err(AppError::not_found(
            "NETWORK_NOT_FOUND",
            format!("{floating_network_id} is not an external network of the catalog"),
        ));
    }
    let mut tx = begin(&svc.pool).await?;
    let one = Amounts::new().with(QuotaKind::FloatingIps, 1);
    quotas::check_quota(&mut tx, &svc.quota_defaults, scope.project_id, &one).await?;
    let id = floating_ips::insert(&mut tx, scope.project_id, &floating_network_id, Some(scope.user_id)).await?;
    let record = Intent {
        resource_type: "floating_ip",
        resource_id: id,
        action: "create",
        audit_action: "floating_ip.create",
        detail: Some(json!({"floating_network_id": floating_network_id})),
    };
    intent::record(&mut tx, &scope, record).await?;
    tx.commit().await?;
    let request = CreateFloatingIpRequest {
        floating_network_id,
        port_id: None,
        description: Some(inventory_id("floating_ip", id)),
    };
    match cloud.create_floating_ip(&request).await {
        Ok(created) => {
            let status = status_from_cloud(&created.status);
            floating_ips::set_allocated(&svc.pool, id, &created.id, &created.floating_ip_address, status).await?;
            resource_actions::finish(&svc.pool, "floating_ip", id, true, None).await?;
        }
        Err(e) if e.is_outcome_unknown() => {}
        Err(e) => {
            fail(svc, &scope, id, &e.message()).await?;
            return Err(cloud_error(e));
        }
    }
    get(svc, ctx, id).await
}

async fn fail(svc: &Services, scope: &Scope, id: i64, message: &str) -> AppResult<()> {
    let mut tx = begin(&svc.pool).await?;
    if let Some(f) = floating_ips::lock(&mut tx, scope.project_id, id).await? {
        floating_ips::mark_error(&mut tx, id, f.version, message).await?;
    }
    intent::record_failure(&mut tx, Witness::Request(scope), "floating_ip", id, message).await?;
    tx.commit().await?;
    Ok(())
}

/// True when the floating IP is gone (204); false when the cloud's answer
/// was lost and the reconciler finishes it (202).
pub async fn delete(svc: &Services, ctx: &RequestContext, id: i64, if_match: Option<i64>) -> AppResult<bool> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let mut tx = begin(&svc.pool).await?;
    let f = floating_ips::lock(&mut tx, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, f.version)?;
    if f.network_interface_id.is_some() {
        return Err(AppError::conflict(
            "ATTACHED_FLOATING_IP_DELETION",
            format!("floating ip {id} is attached to a network interface; detach it first"),
        ));
    }
    if f.pending_action.is_some() && f.openstack_id.is_some() {
        return Err(busy(id));
    }
    floating_ips::begin_action(&mut tx, id, f.version, "deleting", "delete", None).await?;
    let record = Intent {
        resource_type: "floating_ip",
        resource_id: id,
        action: "delete",
        audit_action: "floating_ip.delete",
        detail: f.address.as_ref().map(|a| json!({"address": a})),
    };
    intent::record(&mut tx, &scope, record).await?;
    tx.commit().await?;
    if let Some(cloud_id) = &f.openstack_id {
        match cloud.delete_floating_ip(cloud_id).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) if e.is_outcome_unknown() => return Ok(false),
            Err(e) => {
                fail(svc, &scope, id, &e.message()).await?;
                return Err(cloud_error(e));
            }
        }
    }
    let mut tx = begin(&svc.pool).await?;
    if let Some(current) = floating_ips::lock(&mut tx, scope.project_id, id).await? {
        floating_ips::finish_delete(&mut tx, id, current.version).await?;
    }
    resource_actions::finish(&mut *tx, "floating_ip", id, true, None).await?;
    tx.commit().await?;
    Ok(true)
}
