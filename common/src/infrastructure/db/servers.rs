//! The `server` table. Reads are scoped to a project and see live rows
//! unless they say otherwise; every change after creation is versioned.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection, MySqlPool, QueryBuilder};

use super::id_list::push_in;
use super::keyset::{push_after, push_order_and_limit};
use super::{ensure_version_matched, unique_violation_key};
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::domain::server::{NewServer, Server};
use crate::domain::server_state::{ServerStatus, ServerTask};
use crate::error::{AppError, AppResult};

const COLUMNS: &str = "SELECT id, project_id, name, description, flavor_id, image_id, network_id, availability_zone, \
    key_name, status, task_state, pending_action, error_message, openstack_id, root_volume_id, vcpus, ram_mb, \
    last_synced_at, created_at, updated_at, deleted_at, version FROM server WHERE 1 = 1";

#[derive(sqlx::FromRow)]
struct ServerRow {
    id: i64,
    project_id: i64,
    name: String,
    description: String,
    flavor_id: String,
    image_id: Option<String>,
    network_id: String,
    availability_zone: Option<String>,
    key_name: Option<String>,
    status: String,
    task_state: Option<String>,
    pending_action: Option<String>,
    error_message: Option<String>,
    openstack_id: Option<String>,
    root_volume_id: Option<i64>,
    vcpus: i64,
    ram_mb: i64,
    last_synced_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    version: i64,
}

impl From<ServerRow> for Server {
    fn from(r: ServerRow) -> Self {
        Server {
            id: r.id,
            project_id: r.project_id,
            name: r.name,
            description: r.description,
            flavor_id: r.flavor_id,
            image_id: r.image_id,
            network_id: r.network_id,
            availability_zone: r.availability_zone,
            key_name: r.key_name,
            status: ServerStatus::from_cloud(&r.status),
            task_state: r.task_state.as_deref().and_then(ServerTask::parse),
            pending_action: r.pending_action,
            error_message: r.error_message,
            openstack_id: r.openstack_id,
            root_volume_id: r.root_volume_id,
            vcpus: r.vcpus,
            ram_mb: r.ram_mb,
            last_synced_at: r.last_synced_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            version: r.version,
        }
    }
}

fn name_taken(name: &str) -> AppError {
    AppError::conflict(
        "SERVER_NAME_DUPLICATE",
        format!("a server named {name:?} already exists in this project"),
    )
}

fn map_unique(e: sqlx::Error, name: &str) -> AppError {
    match unique_violation_key(&e).as_deref() {
        Some("uq_server_project_live_name") => name_taken(name),
        _ => AppError::from(e),
    }
}

/// Writes the server in `BUILD` with the `create` intent.
pub async fn insert(
    conn: &mut MySqlConnection,
    project_id: i64,
    new: &NewServer,
    flavor: (i64, i64),
    user_id: Option<i64>,
) -> AppResult<i64> {
    let result = sqlx::query(
        "INSERT INTO server (project_id, name, description, flavor_id, image_id, network_id, availability_zone, key_name,
            status, task_state, pending_action, pending_since, vcpus, ram_mb, created_by_user_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'BUILD', 'creating', 'create', UTC_TIMESTAMP(6), ?, ?, ?)",
    )
    .bind(project_id)
    .bind(new.name.as_str())
    .bind(&new.description)
    .bind(&new.flavor_id)
    .bind(&new.image_id)
    .bind(&new.network_id)
    .bind(&new.availability_zone)
    .bind(&new.key_name)
    .bind(flavor.0)
    .bind(flavor.1)
    .bind(user_id)
    .execute(conn)
    .await
    .map_err(|e| map_unique(e, new.name.as_str()))?;
    Ok(result.last_insert_id() as i64)
}

/// Part of the creating transaction: the row is not visible to anyone yet.
pub async fn set_root_volume(conn: &mut MySqlConnection, id: i64, volume_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE server SET root_volume_id = ? WHERE id = ?")
        .bind(volume_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find<'c>(db: impl Executor<'c, Database = MySql>, project_id: i64, id: i64) -> AppResult<Option<Server>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ").push_bind(id).push(" AND deleted_at IS NULL");
    Ok(qb
        .build_query_as::<ServerRow>()
        .fetch_optional(db)
        .await?
        .map(Server::from))
}

/// Deleted rows too (the action log stays readable after deletion).
pub async fn find_including_deleted<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    id: i64,
) -> AppResult<Option<Server>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ").push_bind(id);
    Ok(qb
        .build_query_as::<ServerRow>()
        .fetch_optional(db)
        .await?
        .map(Server::from))
}

/// Reads a live server of the project and locks it until the transaction ends.
pub async fn lock(conn: &mut MySqlConnection, project_id: i64, id: i64) -> AppResult<Option<Server>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ")
        .push_bind(id)
        .push(" AND deleted_at IS NULL FOR UPDATE");
    Ok(qb
        .build_query_as::<ServerRow>()
        .fetch_optional(conn)
        .await?
        .map(Server::from))
}

/// Live servers by id within the project.
pub async fn find_many<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    ids: &[i64],
) -> AppResult<Vec<Server>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ")
        .push_bind(project_id)
        .push(" AND deleted_at IS NULL");
    push_in(&mut qb, "id", ids);
    Ok(qb
        .build_query_as::<ServerRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Server::from)
        .collect())
}

#[derive(Debug, Clone, Default)]
pub struct ServerFilter {
    pub id: Option<i64>,
    pub ids_contain: Option<Vec<i64>>,
    pub ids_exclude: Option<Vec<i64>>,
    pub name_eq: Option<String>,
    pub name_like: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerSort {
    Name,
    CreatedAt,
}

impl ServerSort {
    pub fn column(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::CreatedAt => "created_at",
        }
    }

    pub fn cursor_key(self, s: &Server) -> CursorKey {
        match self {
            Self::Name => CursorKey::Text(s.name.clone()),
            Self::CreatedAt => CursorKey::Time(s.created_at),
        }
    }
}

/// One page (+1 row to tell whether more exist) of the project's live servers.
pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    filter: &ServerFilter,
    sort: ServerSort,
    order: SortOrder,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<Server>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ")
        .push_bind(project_id)
        .push(" AND deleted_at IS NULL");
    if let Some(id) = filter.id {
        qb.push(" AND id = ").push_bind(id);
    }
    if let Some(ids) = &filter.ids_contain {
        push_in(&mut qb, "id", ids);
    }
    if let Some(ids) = filter.ids_exclude.as_ref().filter(|ids| !ids.is_empty()) {
        qb.push(" AND id NOT IN (");
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
    }
    if let Some(name) = &filter.name_eq {
        qb.push(" AND name = ").push_bind(name.clone());
    }
    if let Some(like) = &filter.name_like {
        qb.push(" AND name LIKE ").push_bind(format!("%{}%", escape_like(like)));
    }
    push_after(&mut qb, sort.column(), order, after);
    push_order_and_limit(&mut qb, sort.column(), order, limit);
    Ok(qb
        .build_query_as::<ServerRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Server::from)
        .collect())
}

pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

pub async fn update_info(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    name: &str,
    description: &str,
) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE server SET name = ?, description = ?, version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(name)
    .bind(description)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await
    .map_err(|e| map_unique(e, name))?;
    ensure_version_matched(result, "server")
}

/// Records a new intent (`start`, `stop`, `delete`, ...) with its task state.
pub async fn begin_action(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    task: ServerTask,
    action: &str,
) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE server SET task_state = ?, pending_action = ?, pending_since = UTC_TIMESTAMP(6), error_message = NULL,
            version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(task.as_str())
    .bind(action)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "server")
}

/// The cloud accepted the create: remember its id; the reconciler sees it to ACTIVE.
pub async fn set_openstack_id<'c>(
    db: impl Executor<'c, Database = MySql>,
    id: i64,
    openstack_id: &str,
) -> AppResult<()> {
    sqlx::query("UPDATE server SET openstack_id = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL")
        .bind(openstack_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// The cloud refused an action that changes nothing there (attach, detach):
/// the server is no longer busy; the message says why.
pub async fn end_action<'c>(
    db: impl Executor<'c, Database = MySql>,
    id: i64,
    action: &str,
    error: Option<&str>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE server SET task_state = NULL, pending_action = NULL, pending_since = NULL, error_message = ?,
            version = version + 1 WHERE id = ? AND pending_action = ? AND deleted_at IS NULL",
    )
    .bind(error)
    .bind(id)
    .bind(action)
    .execute(db)
    .await?;
    Ok(())
}

// ----- for the reconciler ----------------------------------------------------

/// What a reconciler needs to compare a server with the cloud.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ServerReconcileRow {
    pub id: i64,
    pub project_id: i64,
    pub version: i64,
    pub openstack_id: Option<String>,
    pub status: String,
    pub task_state: Option<String>,
    pub pending_action: Option<String>,
    pub pending_since: Option<DateTime<Utc>>,
    pub error_message: Option<String>,
    pub flavor_id: String,
    /// `None` until the cloud's view was first stored (fresh or adopted rows).
    pub last_synced_at: Option<DateTime<Utc>>,
}

/// Live servers of the given projects, in id order.
pub async fn list_for_reconcile(pool: &MySqlPool, project_ids: &[i64]) -> AppResult<Vec<ServerReconcileRow>> {
    reconcile_rows(pool, project_ids, None).await
}

/// The live servers among `ids` of the given projects (a targeted refresh).
pub async fn list_for_reconcile_by_id(
    pool: &MySqlPool,
    project_ids: &[i64],
    ids: &[i64],
) -> AppResult<Vec<ServerReconcileRow>> {
    reconcile_rows(pool, project_ids, Some(ids)).await
}

async fn reconcile_rows(
    pool: &MySqlPool,
    project_ids: &[i64],
    ids: Option<&[i64]>,
) -> AppResult<Vec<ServerReconcileRow>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT id, project_id, version, openstack_id, status, task_state, pending_action, pending_since,
            error_message, flavor_id, last_synced_at
         FROM server WHERE deleted_at IS NULL",
    );
    push_in(&mut qb, "project_id", project_ids);
    if let Some(ids) = ids {
        push_in(&mut qb, "id", ids);
    }
    qb.push(" ORDER BY id");
    Ok(qb.build_query_as::<ServerReconcileRow>().fetch_all(pool).await?)
}

/// What the cloud shows of a server.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedServer<'a> {
    pub openstack_id: &'a str,
    /// Nova status (`ACTIVE`, `SHUTOFF`, ...).
    pub status: &'a str,
    /// Nova's task state; `None` once it is settled.
    pub cloud_task_state: Option<&'a str>,
    pub fault_message: Option<&'a str>,
    /// Taken only when the row was never synced (an adopted row has none of its own).
    pub flavor_id: Option<&'a str>,
}

impl ObservedServer<'_> {
    /// No task in flight and past BUILD: the pending action has ended.
    fn settled(&self) -> bool {
        self.cloud_task_state.is_none() && ServerStatus::from_cloud(self.status) != ServerStatus::Build
    }

    /// Settled in `ERROR`: why the pending action failed.
    pub fn failure(&self) -> Option<String> {
        (self.settled() && ServerStatus::from_cloud(self.status) == ServerStatus::Error).then(|| {
            self.fault_message
                .map_or_else(|| "the cloud reports the server in ERROR".to_owned(), str::to_owned)
        })
    }
}

/// Stores the cloud's view. A settled cloud state ends our pending action
/// (all but `delete`, which [`finish_delete`] ends) and, when it is not an
/// error, its log entry. A settled error's entry is the caller's to end
/// (`intent::record_failure`, which audits the failure).
pub async fn record_observed(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    seen: &ObservedServer<'_>,
) -> AppResult<()> {
    let status = ServerStatus::from_cloud(seen.status);
    let settled = seen.settled();
    let result = sqlx::query(
        "UPDATE server SET openstack_id = ?, status = ?, error_message = ?,
            flavor_id = IF(last_synced_at IS NULL AND ? IS NOT NULL, ?, flavor_id),
            last_synced_at = UTC_TIMESTAMP(6),
            task_state = IF(? AND NOT (pending_action <=> 'delete'), NULL, task_state),
            pending_since = IF(? AND NOT (pending_action <=> 'delete'), NULL, pending_since),
            pending_action = IF(? AND NOT (pending_action <=> 'delete'), NULL, pending_action),
            version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(seen.openstack_id)
    .bind(status.as_str())
    .bind(seen.fault_message)
    .bind(seen.flavor_id)
    .bind(seen.flavor_id)
    .bind(settled)
    .bind(settled)
    .bind(settled)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    ensure_version_matched(result, "server")?;
    if settled && status != ServerStatus::Error {
        super::resource_actions::finish(&mut *conn, "server", id, true, None).await?;
    }
    Ok(())
}

/// The server is `ERROR` with the cloud's message; its pending action ends.
/// Its log entry is the caller's to end (`intent::record_failure`, which
/// audits the failure), after this write: the row is locked first.
pub async fn mark_error(conn: &mut MySqlConnection, id: i64, version: i64, message: &str) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE server SET status = 'ERROR', error_message = ?, task_state = NULL, pending_action = NULL,
            pending_since = NULL, version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(message)
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    ensure_version_matched(result, "server")
}

/// The cloud confirmed the server gone: the row, its root volume and its
/// network interfaces are deleted, other volumes become `AVAILABLE` with no
/// server, floating IPs are unlinked (`DOWN`), the log entry succeeds.
pub async fn finish_delete(conn: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE server SET deleted_at = UTC_TIMESTAMP(6), status = 'DELETED', task_state = NULL, pending_action = NULL,
            pending_since = NULL, version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    ensure_version_matched(result, "server")?;
    sqlx::query(
        "UPDATE floating_ip f JOIN network_interface n ON n.id = f.network_interface_id
         SET f.network_interface_id = NULL, f.status = 'DOWN', f.task_state = NULL, f.version = f.version + 1
         WHERE n.server_id = ? AND f.deleted_at IS NULL",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE network_interface SET deleted_at = UTC_TIMESTAMP(6), status = 'DELETED', pending_action = NULL,
            version = version + 1 WHERE server_id = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE volume SET deleted_at = IF(is_root = 1, UTC_TIMESTAMP(6), NULL),
            status = IF(is_root = 1, 'DELETING', 'AVAILABLE'), server_id = IF(is_root = 1, server_id, NULL),
            device = NULL, task_state = NULL, pending_action = NULL, pending_since = NULL, version = version + 1
         WHERE server_id = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .execute(&mut *conn)
    .await?;
    super::resource_actions::finish(&mut *conn, "server", id, true, None).await
}
