//! The `floating_ip` table.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection, MySqlPool, QueryBuilder};

use super::ensure_version_matched;
use super::id_list::push_in;
use super::keyset::{push_after, push_order_and_limit};
use crate::domain::floating_ip::FloatingIp;
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::error::AppResult;

const COLUMNS: &str = "SELECT id, project_id, floating_network_id, address, network_interface_id, status, task_state, \
    pending_action, error_message, openstack_id, last_synced_at, created_at, updated_at, deleted_at, version \
    FROM floating_ip WHERE 1 = 1";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    project_id: i64,
    floating_network_id: String,
    address: Option<String>,
    network_interface_id: Option<i64>,
    status: String,
    task_state: Option<String>,
    pending_action: Option<String>,
    error_message: Option<String>,
    openstack_id: Option<String>,
    last_synced_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    version: i64,
}

impl From<Row> for FloatingIp {
    fn from(r: Row) -> Self {
        FloatingIp {
            id: r.id,
            project_id: r.project_id,
            floating_network_id: r.floating_network_id,
            address: r.address,
            network_interface_id: r.network_interface_id,
            status: r.status,
            task_state: r.task_state,
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

pub async fn insert(
    conn: &mut MySqlConnection,
    project_id: i64,
    floating_network_id: &str,
    user_id: Option<i64>,
) -> AppResult<i64> {
    let result = sqlx::query(
        "INSERT INTO floating_ip (project_id, floating_network_id, status, task_state, pending_action, pending_since,
            created_by_user_id) VALUES (?, ?, 'CREATING', 'creating', 'create', UTC_TIMESTAMP(6), ?)",
    )
    .bind(project_id)
    .bind(floating_network_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(result.last_insert_id() as i64)
}

pub async fn find<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    id: i64,
) -> AppResult<Option<FloatingIp>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ").push_bind(id).push(" AND deleted_at IS NULL");
    Ok(qb
        .build_query_as::<Row>()
        .fetch_optional(db)
        .await?
        .map(FloatingIp::from))
}

pub async fn lock(conn: &mut MySqlConnection, project_id: i64, id: i64) -> AppResult<Option<FloatingIp>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ")
        .push_bind(id)
        .push(" AND deleted_at IS NULL FOR UPDATE");
    Ok(qb
        .build_query_as::<Row>()
        .fetch_optional(conn)
        .await?
        .map(FloatingIp::from))
}

pub async fn of_interfaces<'c>(
    db: impl Executor<'c, Database = MySql>,
    interface_ids: &[i64],
) -> AppResult<Vec<FloatingIp>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND deleted_at IS NULL");
    push_in(&mut qb, "network_interface_id", interface_ids);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(FloatingIp::from)
        .collect())
}

/// Newest first, keyset on `created_at`.
pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<FloatingIp>> {
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
        .map(FloatingIp::from)
        .collect())
}

pub fn cursor_key(f: &FloatingIp) -> CursorKey {
    CursorKey::Time(f.created_at)
}

/// The cloud allocated it.
pub async fn set_allocated<'c>(
    db: impl Executor<'c, Database = MySql>,
    id: i64,
    openstack_id: &str,
    address: &str,
    status: &str,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE floating_ip SET openstack_id = ?, address = ?, status = ?, task_state = NULL, pending_action = NULL,
            pending_since = NULL, version = version + 1 WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(openstack_id)
    .bind(address)
    .bind(status)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// An intent: `attaching` (links the interface now), `detaching` or `deleting`.
pub async fn begin_action(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    task: &str,
    action: &str,
    interface_id: Option<i64>,
) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE floating_ip SET task_state = ?, pending_action = ?, pending_since = UTC_TIMESTAMP(6),
            network_interface_id = COALESCE(?, network_interface_id), error_message = NULL, version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(task)
    .bind(action)
    .bind(interface_id)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "floating ip")
}

/// Ends the pending action with the link and status the cloud now has
/// (or had, when it refused).
pub async fn end_action<'c>(
    db: impl Executor<'c, Database = MySql>,
    id: i64,
    interface_id: Option<i64>,
    status: &str,
    error: Option<&str>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE floating_ip SET network_interface_id = ?, status = ?, error_message = ?, task_state = NULL,
            pending_action = NULL, pending_since = NULL, version = version + 1 WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(interface_id)
    .bind(status)
    .bind(error)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

// ----- for the reconciler ----------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FloatingIpReconcileRow {
    pub id: i64,
    pub project_id: i64,
    pub version: i64,
    pub openstack_id: Option<String>,
    pub status: String,
    pub network_interface_id: Option<i64>,
    pub task_state: Option<String>,
    pub pending_action: Option<String>,
    pub pending_since: Option<DateTime<Utc>>,
}

pub async fn list_for_reconcile(pool: &MySqlPool, project_ids: &[i64]) -> AppResult<Vec<FloatingIpReconcileRow>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT id, project_id, version, openstack_id, status, network_interface_id, task_state, pending_action,
            pending_since FROM floating_ip WHERE deleted_at IS NULL",
    );
    push_in(&mut qb, "project_id", project_ids);
    qb.push(" ORDER BY id");
    Ok(qb.build_query_as::<FloatingIpReconcileRow>().fetch_all(pool).await?)
}

/// What the cloud shows; `network_interface_id` is our id of the port it is on.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedFloatingIp<'a> {
    pub openstack_id: &'a str,
    pub address: &'a str,
    pub status: &'a str,
    pub network_interface_id: Option<i64>,
}

pub async fn record_observed(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    seen: &ObservedFloatingIp<'_>,
) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE floating_ip SET openstack_id = ?, address = ?, status = IF(pending_action <=> 'delete', status, ?),
            network_interface_id = ?, last_synced_at = UTC_TIMESTAMP(6),
            task_state = IF(pending_action <=> 'delete', task_state, NULL),
            pending_since = IF(pending_action <=> 'delete', pending_since, NULL),
            pending_action = IF(pending_action <=> 'delete', pending_action, NULL), version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(seen.openstack_id)
    .bind(seen.address)
    .bind(crate::domain::floating_ip::status_from_cloud(seen.status))
    .bind(seen.network_interface_id)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "floating ip")
}

pub async fn mark_error(conn: &mut MySqlConnection, id: i64, version: i64, message: &str) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE floating_ip SET status = 'ERROR', error_message = ?, task_state = NULL, pending_action = NULL,
            pending_since = NULL, version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(message)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "floating ip")
}

pub async fn finish_delete(conn: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE floating_ip SET deleted_at = UTC_TIMESTAMP(6), network_interface_id = NULL, task_state = NULL,
            pending_action = NULL, pending_since = NULL, version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "floating ip")
}
