use std::collections::HashMap;

use sqlx::MySqlPool;

use super::not_found;
use crate::application::Services;
use crate::application::project_cloud::scope;
use crate::domain::auth::RequestContext;
use crate::domain::floating_ip::FloatingIp;
use crate::domain::network_interface::NetworkInterface;
use crate::domain::page::{Cursor, Page, PageRequest, SortOrder};
use crate::domain::server::Server;
use crate::domain::volume::Volume;
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::resource_actions::{self, ResourceAction};
use crate::infrastructure::db::servers::{self, ServerFilter, ServerSort};
use crate::infrastructure::db::{floating_ips, network_interfaces, security_groups};

/// A server with what hangs off it.
#[derive(Debug, Clone)]
pub struct ServerDetail {
    pub server: Server,
    pub volumes: Vec<Volume>,
    pub interfaces: Vec<NetworkInterface>,
    pub floating_ips: Vec<FloatingIp>,
    /// `(id, name)`, each group once.
    pub security_groups: Vec<(i64, String)>,
}

pub struct ServerQuery {
    pub filter: ServerFilter,
    pub sort: ServerSort,
    pub order: SortOrder,
    pub page: PageRequest,
}

pub async fn list(svc: &Services, ctx: &RequestContext, q: ServerQuery) -> AppResult<Page<ServerDetail>> {
    let project_id = scope(ctx)?.project_id;
    let sort_name = format!("{}:{}", q.sort.column(), q.order.sql());
    let after = q
        .page
        .for_sort(&sort_name)
        .map_err(|e| AppError::invalid_field("query.cursor", "value_error", e))?;
    let rows = servers::list(&svc.pool, project_id, &q.filter, q.sort, q.order, after, q.page.limit).await?;
    let page = Page::from_overfetch(rows, q.page.limit, |s| Cursor {
        sort: sort_name.clone(),
        key: q.sort.cursor_key(s),
        id: s.id,
    });
    Ok(Page {
        items: details(&svc.pool, project_id, page.items).await?,
        next_cursor: page.next_cursor,
    })
}

pub async fn get(svc: &Services, ctx: &RequestContext, id: i64) -> AppResult<ServerDetail> {
    let project_id = scope(ctx)?.project_id;
    let server = servers::find(&svc.pool, project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut all = details(&svc.pool, project_id, vec![server]).await?;
    all.pop().ok_or_else(|| not_found(id))
}

/// Loads the related rows of all servers at once: four statements whatever
/// the number of servers.
pub async fn details(pool: &MySqlPool, project_id: i64, servers: Vec<Server>) -> AppResult<Vec<ServerDetail>> {
    let ids: Vec<i64> = servers.iter().map(|s| s.id).collect();
    let volumes = crate::infrastructure::db::volumes::of_servers(pool, &ids).await?;
    let interfaces = network_interfaces::of_servers(pool, &ids).await?;
    let nic_ids: Vec<i64> = interfaces.iter().map(|n| n.id).collect();
    let fips = floating_ips::of_interfaces(pool, &nic_ids).await?;
    let groups = security_groups::names_of_interfaces(pool, project_id, &nic_ids).await?;
    // Position of each server in the page, and the server of each interface.
    let slot: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let nic_slot: HashMap<i64, usize> = interfaces
        .iter()
        .filter_map(|n| Some((n.id, *slot.get(&n.server_id?)?)))
        .collect();
    let mut all: Vec<ServerDetail> = servers
        .into_iter()
        .map(|server| ServerDetail {
            server,
            volumes: Vec::new(),
            interfaces: Vec::new(),
            floating_ips: Vec::new(),
            security_groups: Vec::new(),
        })
        .collect();
    for v in volumes {
        if let Some(d) = v.server_id.and_then(|s| slot.get(&s)).and_then(|i| all.get_mut(*i)) {
            d.volumes.push(v);
        }
    }
    for f in fips {
        if let Some(d) = f
            .network_interface_id
            .and_then(|n| nic_slot.get(&n))
            .and_then(|i| all.get_mut(*i))
        {
            d.floating_ips.push(f);
        }
    }
    for (nic_id, group_id, name) in groups {
        if let Some(d) = nic_slot.get(&nic_id).and_then(|i| all.get_mut(*i))
            && !d.security_groups.iter().any(|(g, _)| *g == group_id)
        {
            d.security_groups.push((group_id, name));
        }
    }
    for n in interfaces {
        if let Some(d) = n.server_id.and_then(|s| slot.get(&s)).and_then(|i| all.get_mut(*i)) {
            d.interfaces.push(n);
        }
    }
    Ok(all)
}

/// The action log, readable after the server is deleted.
pub async fn actions(svc: &Services, ctx: &RequestContext, id: i64) -> AppResult<Vec<ResourceAction>> {
    let project_id = scope(ctx)?.project_id;
    servers::find_including_deleted(&svc.pool, project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    resource_actions::of_resource(&svc.pool, "server", id).await
}
