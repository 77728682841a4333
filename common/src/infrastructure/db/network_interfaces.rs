//! The `network_interface` table (cloud ports of our servers) and its links
//! to security groups.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection, MySqlPool, QueryBuilder};

use super::ensure_version_matched;
use super::id_list::push_in;
use super::keyset::{push_after, push_order_and_limit};
use crate::domain::network_interface::NetworkInterface;
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::error::AppResult;

const COLUMNS: &str = "SELECT id, project_id, server_id, network_id, subnet_id, fixed_ip, mac_address, status, \
    pending_action, error_message, openstack_id, last_synced_at, created_at, updated_at, deleted_at, version \
    FROM network_interface WHERE 1 = 1";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    project_id: i64,
    server_id: Option<i64>,
    network_id: String,
    subnet_id: Option<String>,
    fixed_ip: Option<String>,
    mac_address: Option<String>,
    status: String,
    pending_action: Option<String>,
    error_message: Option<String>,
    openstack_id: Option<String>,
    last_synced_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    version: i64,
}

impl From<Row> for NetworkInterface {
    fn from(r: Row) -> Self {
        NetworkInterface {
            id: r.id,
            project_id: r.project_id,
            server_id: r.server_id,
            network_id: r.network_id,
            subnet_id: r.subnet_id,
            fixed_ip: r.fixed_ip,
            mac_address: r.mac_address,
            status: r.status,
            pending_action: r.pending_action,
            error_message: r.error_message,
            openstack_id: r.openstack_id,
            last_synced_at: r.last_synced_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            version: r.version,
        }
    }
}

/// Writes the interface in `BUILD` with the `create` intent, linked to its groups.
pub async fn insert(
    conn: &mut MySqlConnection,
    project_id: i64,
    server_id: i64,
    network_id: &str,
    security_group_ids: &[i64],
) -> AppResult<i64> {
    let result = sqlx::query(
        "INSERT INTO network_interface (project_id, server_id, network_id, status, pending_action, pending_since)
         VALUES (?, ?, ?, 'BUILD', 'create', UTC_TIMESTAMP(6))",
    )
    .bind(project_id)
    .bind(server_id)
    .bind(network_id)
    .execute(&mut *conn)
    .await?;
    let id = result.last_insert_id() as i64;
    for group in security_group_ids {
        sqlx::query(
            "INSERT INTO network_interface_security_group (network_interface_id, security_group_id) VALUES (?, ?)",
        )
        .bind(id)
        .bind(*group)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

pub async fn find<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    id: i64,
) -> AppResult<Option<NetworkInterface>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ").push_bind(id).push(" AND deleted_at IS NULL");
    Ok(qb
        .build_query_as::<Row>()
        .fetch_optional(db)
        .await?
        .map(NetworkInterface::from))
}

pub async fn lock(conn: &mut MySqlConnection, project_id: i64, id: i64) -> AppResult<Option<NetworkInterface>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ")
        .push_bind(id)
        .push(" AND deleted_at IS NULL FOR UPDATE");
    Ok(qb
        .build_query_as::<Row>()
        .fetch_optional(conn)
        .await?
        .map(NetworkInterface::from))
}

pub async fn of_servers<'c>(
    db: impl Executor<'c, Database = MySql>,
    server_ids: &[i64],
) -> AppResult<Vec<NetworkInterface>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND deleted_at IS NULL");
    push_in(&mut qb, "server_id", server_ids);
    qb.push(" ORDER BY id");
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(NetworkInterface::from)
        .collect())
}

pub async fn find_many<'c>(db: impl Executor<'c, Database = MySql>, ids: &[i64]) -> AppResult<Vec<NetworkInterface>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND deleted_at IS NULL");
    push_in(&mut qb, "id", ids);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(NetworkInterface::from)
        .collect())
}

/// Newest first, keyset on `created_at`.
pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<NetworkInterface>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ")
        .push_bind(project_id)
        .push(" AND deleted_at IS NULL");
    push_after(&mut qb, "created_at", SortOrder::Desc, after);
    push_order_and_limit(&mut qb, "created_at", SortOrder::Desc, limit);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(NetworkInterface::from)
        .collect())
}

pub fn cursor_key(n: &NetworkInterface) -> CursorKey {
    CursorKey::Time(n.created_at)
}

/// The cloud created the port.
pub async fn set_port<'c>(
    db: impl Executor<'c, Database = MySql>,
    id: i64,
    openstack_id: &str,
    fixed_ip: Option<&str>,
    subnet_id: Option<&str>,
    mac_address: Option<&str>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE network_interface SET openstack_id = ?, fixed_ip = ?, subnet_id = ?, mac_address = ?, status = 'DOWN',
            pending_action = NULL, pending_since = NULL, version = version + 1 WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(openstack_id)
    .bind(fixed_ip)
    .bind(subnet_id)
    .bind(mac_address)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// The interfaces of a server go with it: `DELETING` until the cloud confirms.
pub async fn begin_delete_of_server(conn: &mut MySqlConnection, server_id: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE network_interface SET status = 'DELETING', pending_action = 'delete', pending_since = UTC_TIMESTAMP(6),
            version = version + 1 WHERE server_id = ? AND deleted_at IS NULL",
    )
    .bind(server_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Security group ids linked to each interface: `(interface id, group id)`.
pub async fn security_group_links<'c>(
    db: impl Executor<'c, Database = MySql>,
    interface_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT network_interface_id, security_group_id FROM network_interface_security_group WHERE 1 = 1",
    );
    push_in(&mut qb, "network_interface_id", interface_ids);
    Ok(qb.build_query_as::<(i64, i64)>().fetch_all(db).await?)
}

// ----- for the reconciler ----------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InterfaceReconcileRow {
    pub id: i64,
    pub project_id: i64,
    pub server_id: Option<i64>,
    pub version: i64,
    pub openstack_id: Option<String>,
    pub status: String,
    pub pending_action: Option<String>,
    pub pending_since: Option<DateTime<Utc>>,
}

pub async fn list_for_reconcile(pool: &MySqlPool, project_ids: &[i64]) -> AppResult<Vec<InterfaceReconcileRow>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT id, project_id, server_id, version, openstack_id, status, pending_action, pending_since
         FROM network_interface WHERE deleted_at IS NULL",
    );
    push_in(&mut qb, "project_id", project_ids);
    qb.push(" ORDER BY id");
    Ok(qb.build_query_as::<InterfaceReconcileRow>().fetch_all(pool).await?)
}

/// What the cloud shows of a port.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedPort<'a> {
    pub openstack_id: &'a str,
    /// Neutron status (`ACTIVE`, `DOWN`, `BUILD`).
    pub status: &'a str,
    pub fixed_ip: Option<&'a str>,
    pub mac_address: Option<&'a str>,
}

pub async fn record_observed(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    seen: &ObservedPort<'_>,
) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE network_interface SET openstack_id = ?, status = IF(pending_action <=> 'delete', status, ?),
            fixed_ip = COALESCE(?, fixed_ip), mac_address = COALESCE(?, mac_address),
            pending_action = IF(pending_action <=> 'create', NULL, pending_action),
            last_synced_at = UTC_TIMESTAMP(6), version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(seen.openstack_id)
    .bind(seen.status.to_ascii_uppercase())
    .bind(seen.fixed_ip)
    .bind(seen.mac_address)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "network interface")
}

pub async fn mark_error(conn: &mut MySqlConnection, id: i64, version: i64, message: &str) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE network_interface SET status = 'ERROR', error_message = ?, pending_action = NULL, pending_since = NULL,
            version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(message)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "network interface")
}

/// The cloud confirmed the port gone: the row is deleted and its floating IP unlinked.
pub async fn finish_delete(conn: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE network_interface SET deleted_at = UTC_TIMESTAMP(6), status = 'DELETED', pending_action = NULL,
            pending_since = NULL, version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    ensure_version_matched(result, "network interface")?;
    sqlx::query(
        "UPDATE floating_ip SET network_interface_id = NULL, status = 'DOWN', task_state = NULL, version = version + 1
         WHERE network_interface_id = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
