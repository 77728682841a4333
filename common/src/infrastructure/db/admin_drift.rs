//! Admin reads and resolutions of `drift_finding`, and the inventory writes
//! a resolution makes: adopting a cloud resource, or taking the cloud's value
//! of one field. Tables and columns come from closed enums, never from input.

use sqlx::{AssertSqlSafe, Executor, MySql, MySqlConnection, QueryBuilder};

use super::drift_findings::DriftFinding;
use super::keyset::{push_after, push_order_and_limit};
use super::{ensure_version_matched, unique_violation_key};
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::error::{AppError, AppResult};

pub const SORT: &str = "first_seen_at:desc";

const COLUMNS: &str = "SELECT id, kind, resource_type, resource_id, project_id, openstack_id, field, our_value, \
     cloud_value, first_seen_at, last_seen_at, resolved_at, resolution, resolved_by_user_id, version FROM drift_finding";

#[derive(Debug, Clone, Default)]
pub struct DriftFilter {
    pub kind: Option<String>,
    pub resource_type: Option<String>,
    /// `Some(true)`: open only; `Some(false)`: resolved only.
    pub open: Option<bool>,
}

pub fn cursor_of(f: &DriftFinding) -> Cursor {
    Cursor {
        sort: SORT.to_owned(),
        key: CursorKey::Time(f.first_seen_at),
        id: f.id,
    }
}

/// Up to `limit + 1` findings after the cursor, newest first.
pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    filter: &DriftFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<DriftFinding>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" WHERE 1 = 1");
    match filter.open {
        Some(true) => qb.push(" AND resolved_at IS NULL"),
        Some(false) => qb.push(" AND resolved_at IS NOT NULL"),
        None => &mut qb,
    };
    if let Some(kind) = &filter.kind {
        qb.push(" AND kind = ").push_bind(kind.clone());
    }
    if let Some(resource_type) = &filter.resource_type {
        qb.push(" AND resource_type = ").push_bind(resource_type.clone());
    }
    push_after(&mut qb, "first_seen_at", SortOrder::Desc, after);
    push_order_and_limit(&mut qb, "first_seen_at", SortOrder::Desc, limit);
    Ok(qb.build_query_as::<DriftFinding>().fetch_all(db).await?)
}

/// Reads a finding and locks it until the transaction ends, so two
/// resolutions of one finding queue up instead of both passing the check.
pub async fn lock(conn: &mut MySqlConnection, id: i64) -> AppResult<Option<DriftFinding>> {
    Ok(
        sqlx::query_as(AssertSqlSafe(format!("{COLUMNS} WHERE id = ? FOR UPDATE")))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn mark_resolved(
    conn: &mut MySqlConnection,
    finding: &DriftFinding,
    resolution: &str,
    user_id: Option<i64>,
) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE drift_finding SET resolved_at = UTC_TIMESTAMP(6), resolution = ?, resolved_by_user_id = ?, \
         version = version + 1 WHERE id = ? AND version = ? AND resolved_at IS NULL",
    )
    .bind(resolution)
    .bind(user_id)
    .bind(finding.id)
    .bind(finding.version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "drift finding")
}

/// An inventory table a finding can name (`resource_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftTable {
    Server,
    Volume,
    SecurityGroup,
    FloatingIp,
    NetworkInterface,
}

impl DriftTable {
    pub fn parse(resource_type: &str) -> Option<Self> {
        match resource_type {
            "server" => Some(Self::Server),
            "volume" => Some(Self::Volume),
            "security_group" => Some(Self::SecurityGroup),
            "floating_ip" => Some(Self::FloatingIp),
            "network_interface" => Some(Self::NetworkInterface),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::Volume => "volume",
            Self::SecurityGroup => "security_group",
            Self::FloatingIp => "floating_ip",
            Self::NetworkInterface => "network_interface",
        }
    }

    /// The columns whose cloud value may be written back (the cloud owns
    /// them); anything else a finding names is refused.
    pub fn accepts_cloud_value_for(self, field: &str) -> Option<&'static str> {
        let allowed: &[&'static str] = match self {
            Self::Server => &["status", "flavor_id", "name", "availability_zone", "image_id"],
            Self::Volume => &["status", "size_gb", "name", "volume_type_id", "availability_zone"],
            Self::SecurityGroup => &["status", "name", "description"],
            Self::FloatingIp => &["status", "address"],
            Self::NetworkInterface => &["status", "fixed_ip", "mac_address"],
        };
        allowed.iter().copied().find(|c| *c == field)
    }

    /// The columns an adopted row needs besides project, name and cloud id,
    /// with placeholders the next reconcile pass overwrites.
    fn adopt_insert(self) -> &'static str {
        match self {
            Self::Server => {
                "INSERT INTO server (project_id, name, openstack_id, flavor_id, network_id, status) \
                 VALUES (?, ?, ?, '', '', 'ACTIVE')"
            }
            Self::Volume => {
                "INSERT INTO volume (project_id, name, openstack_id, size_gb, status) VALUES (?, ?, ?, 1, 'AVAILABLE')"
            }
            Self::SecurityGroup => {
                "INSERT INTO security_group (project_id, name, openstack_id, status) VALUES (?, ?, ?, 'ACTIVE')"
            }
            Self::FloatingIp => {
                "INSERT INTO floating_ip (project_id, address, openstack_id, floating_network_id, status) \
                 VALUES (?, ?, ?, '', 'DOWN')"
            }
            Self::NetworkInterface => {
                "INSERT INTO network_interface (project_id, fixed_ip, openstack_id, network_id, status) \
                 VALUES (?, ?, ?, '', 'DOWN')"
            }
        }
    }
}

/// The current value (as text) and version of one live row's column.
pub async fn read_field(
    conn: &mut MySqlConnection,
    table: DriftTable,
    column: &'static str,
    id: i64,
) -> AppResult<Option<(Option<String>, i64)>> {
    let sql = format!(
        "SELECT CAST({column} AS CHAR) AS value, version FROM {} WHERE id = ? AND deleted_at IS NULL FOR UPDATE",
        table.name()
    );
    Ok(sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(conn).await?)
}

/// Writes one column if the row still has `version`.
pub async fn write_field(
    conn: &mut MySqlConnection,
    table: DriftTable,
    column: &'static str,
    id: i64,
    version: i64,
    value: Option<&str>,
) -> AppResult<()> {
    let sql = format!(
        "UPDATE {} SET {column} = ?, version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
        table.name()
    );
    let result = sqlx::query(AssertSqlSafe(sql))
        .bind(value)
        .bind(id)
        .bind(version)
        .execute(conn)
        .await?;
    ensure_version_matched(result, table.name())
}

/// Inserts a row for a cloud resource nobody here created; its id.
pub async fn adopt(
    conn: &mut MySqlConnection,
    table: DriftTable,
    project_id: i64,
    name: &str,
    openstack_id: &str,
) -> AppResult<i64> {
    let result = sqlx::query(table.adopt_insert())
        .bind(project_id)
        .bind(name)
        .bind(openstack_id)
        .execute(conn)
        .await
        .map_err(|e| match unique_violation_key(&e) {
            Some(key) if key.contains("openstack_id") => AppError::conflict(
                "DRIFT_RESOURCE_ALREADY_MANAGED",
                format!("a live {} already has cloud id {openstack_id}", table.name()),
            ),
            Some(key) if key.contains("name") => AppError::conflict(
                "DRIFT_ADOPT_NAME_DUPLICATE",
                format!("project {project_id} already has a live {} named {name}", table.name()),
            ),
            _ => AppError::from(e),
        })?;
    Ok(result.last_insert_id() as i64)
}
