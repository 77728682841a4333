//! The bare-SQL side of the read-path bench: exactly the statements one
//! `GET /servers` or `GET /servers/{id}` runs (the token's revocation check is
//! served from its in-process cache within its TTL, so it costs the endpoint
//! well under one statement per request; the statement counts printed by the
//! bench show it), issued directly on the pool, with no HTTP, no JSON and no
//! assembly of the detail view.

use common::domain::page::SortOrder;
use common::domain::server::Server;
use common::infrastructure::db::servers::{self, ServerFilter, ServerSort};
use common::infrastructure::db::{floating_ips, network_interfaces, security_groups, volumes};
use sqlx::MySqlPool;

/// The page query (overfetching one row like the endpoint) and the related
/// rows of the page; answers how many servers the page holds.
pub async fn page(pool: &MySqlPool, project_id: i64, limit: u32) -> usize {
    let mut rows = servers::list(
        pool,
        project_id,
        &ServerFilter::default(),
        ServerSort::CreatedAt,
        SortOrder::Desc,
        None,
        limit,
    )
    .await
    .unwrap();
    rows.truncate(limit as usize);
    related(pool, project_id, &rows).await;
    rows.len()
}

pub async fn one(pool: &MySqlPool, project_id: i64, id: i64) {
    let server = servers::find(pool, project_id, id).await.unwrap().unwrap();
    related(pool, project_id, &[server]).await;
}

async fn related(pool: &MySqlPool, project_id: i64, rows: &[Server]) {
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    volumes::of_servers(pool, &ids).await.unwrap();
    let nics = network_interfaces::of_servers(pool, &ids).await.unwrap();
    let nic_ids: Vec<i64> = nics.iter().map(|n| n.id).collect();
    floating_ips::of_interfaces(pool, &nic_ids).await.unwrap();
    security_groups::names_of_interfaces(pool, project_id, &nic_ids)
        .await
        .unwrap();
}
