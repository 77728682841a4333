//! The `volume` table. Reads are scoped to a project; every change after
//! creation is versioned. `size_gb` is what the cloud confirmed;
//! `requested_size_gb` holds an extend in flight.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection, MySqlPool, QueryBuilder};

use super::id_list::push_in;
use super::keyset::{push_after, push_order_and_limit};
use super::{ensure_version_matched, unique_violation_key};
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::domain::volume::{Volume, VolumeStatus};
use crate::error::{AppError, AppResult};

const COLUMNS: &str = "SELECT id, project_id, name, description, size_gb, requested_size_gb, volume_type_id, image_id, \
    status, task_state, pending_action, error_message, server_id, is_root, openstack_id, last_synced_at, created_at, \
    updated_at, deleted_at, version FROM volume WHERE 1 = 1";

#[derive(sqlx::FromRow)]
struct VolumeRow {
    id: i64,
    project_id: i64,
    name: String,
    description: String,
    size_gb: i32,
    requested_size_gb: Option<i32>,
    volume_type_id: Option<String>,
    image_id: Option<String>,
    status: String,
    task_state: Option<String>,
    pending_action: Option<String>,
    error_message: Option<String>,
    server_id: Option<i64>,
    is_root: bool,
    openstack_id: Option<String>,
    last_synced_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    version: i64,
}

impl From<VolumeRow> for Volume {
    fn from(r: VolumeRow) -> Self {
        Volume {
            id: r.id,
            project_id: r.project_id,
            name: r.name,
            description: r.description,
            size_gb: i64::from(r.size_gb),
            requested_size_gb: r.requested_size_gb.map(i64::from),
            volume_type_id: r.volume_type_id,
            image_id: r.image_id,
            status: VolumeStatus::parse(&r.status).unwrap_or(VolumeStatus::Error),
            task_state: r.task_state,
            pending_action: r.pending_action,
            error_message: r.error_message,
            server_id: r.server_id,
            is_root: r.is_root,
            openstack_id: r.openstack_id,
            last_synced_at: r.last_synced_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            version: r.version,
        }
    }
}

fn map_unique(e: sqlx::Error, name: &str) -> AppError {
    match unique_violation_key(&e).as_deref() {
        Some("uq_volume_project_live_name") => AppError::conflict(
            "VOLUME_NAME_DUPLICATE",
            format!("a volume named {name:?} already exists in this project"),
        ),
        _ => AppError::from(e),
    }
}

pub struct NewVolume<'a> {
    pub project_id: i64,
    pub name: &'a str,
    pub description: &'a str,
    pub size_gb: u32,
    pub volume_type_id: Option<&'a str>,
    pub image_id: Option<&'a str>,
    /// Root volumes are created with their server and belong to it.
    pub root_of_server: Option<i64>,
    pub user_id: Option<i64>,
}

/// Writes the volume in `CREATING` with the `create` intent.
pub async fn insert(conn: &mut MySqlConnection, new: &NewVolume<'_>) -> AppResult<i64> {
    let result = sqlx::query(
        "INSERT INTO volume (project_id, name, description, size_gb, volume_type_id, image_id, status, task_state,
            pending_action, pending_since, server_id, is_root, created_by_user_id)
         VALUES (?, ?, ?, ?, ?, ?, 'CREATING', 'creating', 'create', UTC_TIMESTAMP(6), ?, ?, ?)",
    )
    .bind(new.project_id)
    .bind(new.name)
    .bind(new.description)
    .bind(new.size_gb)
    .bind(new.volume_type_id)
    .bind(new.image_id)
    .bind(new.root_of_server)
    .bind(new.root_of_server.is_some())
    .bind(new.user_id)
    .execute(conn)
    .await
    .map_err(|e| map_unique(e, new.name))?;
    Ok(result.last_insert_id() as i64)
}

pub async fn find<'c>(db: impl Executor<'c, Database = MySql>, project_id: i64, id: i64) -> AppResult<Option<Volume>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ").push_bind(id).push(" AND deleted_at IS NULL");
    Ok(qb
        .build_query_as::<VolumeRow>()
        .fetch_optional(db)
        .await?
        .map(Volume::from))
}

pub async fn lock(conn: &mut MySqlConnection, project_id: i64, id: i64) -> AppResult<Option<Volume>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ")
        .push_bind(id)
        .push(" AND deleted_at IS NULL FOR UPDATE");
    Ok(qb
        .build_query_as::<VolumeRow>()
        .fetch_optional(conn)
        .await?
        .map(Volume::from))
}

/// Live volumes attached to any of these servers.
pub async fn of_servers<'c>(db: impl Executor<'c, Database = MySql>, server_ids: &[i64]) -> AppResult<Vec<Volume>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND deleted_at IS NULL");
    push_in(&mut qb, "server_id", server_ids);
    qb.push(" ORDER BY is_root DESC, id");
    Ok(qb
        .build_query_as::<VolumeRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Volume::from)
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeSort {
    Name,
    CreatedAt,
}

impl VolumeSort {
    pub fn column(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::CreatedAt => "created_at",
        }
    }

    pub fn cursor_key(self, v: &Volume) -> CursorKey {
        match self {
            Self::Name => CursorKey::Text(v.name.clone()),
            Self::CreatedAt => CursorKey::Time(v.created_at),
        }
    }
}

pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    sort: VolumeSort,
    order: SortOrder,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<Volume>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ")
        .push_bind(project_id)
        .push(" AND deleted_at IS NULL");
    push_after(&mut qb, sort.column(), order, after);
    push_order_and_limit(&mut qb, sort.column(), order, limit);
    Ok(qb
        .build_query_as::<VolumeRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Volume::from)
        .collect())
}

pub async fn update_info(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    name: &str,
    description: &str,
) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE volume SET name = ?, description = ?, version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(name)
    .bind(description)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await
    .map_err(|e| map_unique(e, name))?;
    ensure_version_matched(result, "volume")
}

/// An intent on the volume: its shown status, task and pending action;
/// `server_id` changes only when given (attach).
pub struct VolumeIntent<'a> {
    pub status: VolumeStatus,
    pub task: &'a str,
    pub action: &'a str,
    pub attach_to: Option<i64>,
    pub requested_size_gb: Option<u32>,
}

pub async fn begin_action(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    intent: &VolumeIntent<'_>,
) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE volume SET status = ?, task_state = ?, pending_action = ?, pending_since = UTC_TIMESTAMP(6),
            server_id = COALESCE(?, server_id), requested_size_gb = COALESCE(?, requested_size_gb),
            error_message = NULL, version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(intent.status.as_str())
    .bind(intent.task)
    .bind(intent.action)
    .bind(intent.attach_to)
    .bind(intent.requested_size_gb)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "volume")
}

/// The cloud refused an action that changed nothing there: back to `status`
/// (attach refusals also drop the server), the message kept. MySQL applies
/// the assignments left to right, so `server_id` reads `pending_action` first.
pub async fn revert_action<'c>(
    db: impl Executor<'c, Database = MySql>,
    id: i64,
    action: &str,
    status: VolumeStatus,
    message: &str,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE volume SET server_id = IF(pending_action = 'attach', NULL, server_id), status = ?, error_message = ?,
            task_state = NULL, pending_action = NULL, pending_since = NULL, requested_size_gb = NULL, version = version + 1
         WHERE id = ? AND pending_action = ? AND deleted_at IS NULL",
    )
    .bind(status.as_str())
    .bind(message)
    .bind(id)
    .bind(action)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn set_openstack_id<'c>(
    db: impl Executor<'c, Database = MySql>,
    id: i64,
    openstack_id: &str,
) -> AppResult<()> {
    sqlx::query("UPDATE volume SET openstack_id = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL")
        .bind(openstack_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

// ----- for the reconciler ----------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct VolumeReconcileRow {
    pub id: i64,
    pub project_id: i64,
    pub version: i64,
    pub openstack_id: Option<String>,
    pub status: String,
    pub task_state: Option<String>,
    pub pending_action: Option<String>,
    pub pending_since: Option<DateTime<Utc>>,
    pub server_id: Option<i64>,
    /// The cloud id of the live server row `server_id` names.
    pub server_openstack_id: Option<String>,
    pub is_root: bool,
    pub size_gb: i32,
    pub requested_size_gb: Option<i32>,
    /// `None` until the cloud's view was first stored (fresh or adopted rows).
    pub last_synced_at: Option<DateTime<Utc>>,
}

pub async fn list_for_reconcile(pool: &MySqlPool, project_ids: &[i64]) -> AppResult<Vec<VolumeReconcileRow>> {
    reconcile_rows(pool, project_ids, None).await
}

/// The live volumes among `ids` of the given projects (a targeted refresh).
pub async fn list_for_reconcile_by_id(
    pool: &MySqlPool,
    project_ids: &[i64],
    ids: &[i64],
) -> AppResult<Vec<VolumeReconcileRow>> {
    reconcile_rows(pool, project_ids, Some(ids)).await
}

async fn reconcile_rows(
    pool: &MySqlPool,
    project_ids: &[i64],
    ids: Option<&[i64]>,
) -> AppResult<Vec<VolumeReconcileRow>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT v.id, v.project_id, v.version, v.openstack_id, v.status, v.task_state, v.pending_action,
            v.pending_since, v.server_id, s.openstack_id AS server_openstack_id, v.is_root, v.size_gb,
            v.requested_size_gb, v.last_synced_at
         FROM volume v LEFT JOIN server s ON s.id = v.server_id AND s.deleted_at IS NULL
         WHERE v.deleted_at IS NULL",
    );
    push_in(&mut qb, "v.project_id", project_ids);
    if let Some(ids) = ids {
        push_in(&mut qb, "v.id", ids);
    }
    qb.push(" ORDER BY v.id");
    Ok(qb.build_query_as::<VolumeReconcileRow>().fetch_all(pool).await?)
}

/// What the cloud shows of a volume. `server_id` is our id of the server it
/// is attached to (`None`: attached to nothing).
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedVolume<'a> {
    pub openstack_id: &'a str,
    /// Cinder status.
    pub status: &'a str,
    pub size_gb: u32,
    pub server_id: Option<i64>,
    pub device: Option<&'a str>,
}

impl ObservedVolume<'_> {
    /// `available`, `in-use` or an error: the pending action has ended.
    fn settled(&self) -> bool {
        matches!(
            VolumeStatus::from_cloud(self.status),
            VolumeStatus::Available | VolumeStatus::InUse | VolumeStatus::Error
        )
    }

    /// Settled in an error status: why the pending action failed.
    pub fn failure(&self) -> Option<String> {
        (self.settled() && VolumeStatus::from_cloud(self.status) == VolumeStatus::Error)
            .then(|| format!("the cloud reports the volume {}", self.status))
    }
}

/// Stores the cloud's view. A settled cloud status (`available`, `in-use`,
/// `error*`) ends the pending action other than `delete`, and its log entry
/// unless it is an error (that one is the caller's: `intent::record_failure`);
/// the new size is stored as the cloud reports it and a satisfied extend
/// request is cleared.
pub async fn record_observed(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    seen: &ObservedVolume<'_>,
) -> AppResult<()> {
    let status = VolumeStatus::from_cloud(seen.status);
    let settled = seen.settled();
    let result = sqlx::query(
        "UPDATE volume SET openstack_id = ?, status = IF(pending_action <=> 'delete', status, ?), size_gb = ?,
            requested_size_gb = IF(requested_size_gb IS NOT NULL AND ? >= requested_size_gb, NULL, requested_size_gb),
            server_id = IF(?, ?, server_id), device = IF(?, ?, device), last_synced_at = UTC_TIMESTAMP(6),
            task_state = IF(? AND NOT (pending_action <=> 'delete'), NULL, task_state),
            pending_since = IF(? AND NOT (pending_action <=> 'delete'), NULL, pending_since),
            pending_action = IF(? AND NOT (pending_action <=> 'delete'), NULL, pending_action),
            version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(seen.openstack_id)
    .bind(status.as_str())
    .bind(seen.size_gb)
    .bind(seen.size_gb)
    .bind(settled)
    .bind(seen.server_id)
    .bind(settled)
    .bind(seen.device)
    .bind(settled)
    .bind(settled)
    .bind(settled)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    ensure_version_matched(result, "volume")?;
    if settled && status != VolumeStatus::Error {
        super::resource_actions::finish(&mut *conn, "volume", id, true, None).await?;
    }
    Ok(())
}

/// The volume is `ERROR` with the message; its pending action ends. Its log
/// entry is the caller's to end (`intent::record_failure`, which audits the
/// failure), after this write: the row is locked first.
pub async fn mark_error(conn: &mut MySqlConnection, id: i64, version: i64, message: &str) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE volume SET status = 'ERROR', error_message = ?, task_state = NULL, pending_action = NULL,
            pending_since = NULL, requested_size_gb = NULL, version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(message)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    ensure_version_matched(result, "volume")
}

/// The cloud confirmed the volume gone: the row is deleted, the log entry succeeds.
pub async fn finish_delete(conn: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE volume SET deleted_at = UTC_TIMESTAMP(6), status = 'DELETING', task_state = NULL, pending_action = NULL,
            pending_since = NULL, version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    ensure_version_matched(result, "volume")?;
    super::resource_actions::finish(&mut *conn, "volume", id, true, None).await
}

/// A server deletion takes its volumes along: the root volume `DELETING`,
/// others `DETACHING` until the cloud confirms the server gone.
pub async fn begin_delete_with_server(conn: &mut MySqlConnection, server_id: i64) -> AppResult<()> {
    sqlx::query(
        "UPDATE volume SET status = IF(is_root = 1, 'DELETING', 'DETACHING'),
            task_state = IF(is_root = 1, 'deleting', 'detaching'), version = version + 1
         WHERE server_id = ? AND deleted_at IS NULL",
    )
    .bind(server_id)
    .execute(conn)
    .await?;
    Ok(())
}
