//! The `security_group` and `security_group_rule` tables. The rules we
//! store are the desired set; `openstack_id` says the cloud holds one.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection, MySqlPool, QueryBuilder};

use super::id_list::push_in;
use super::keyset::{push_after, push_order_and_limit};
use super::{ensure_version_matched, unique_violation_key};
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::domain::security_group::{SecurityGroup, StoredRule};
use crate::domain::security_group_rule::{Direction, EtherType, Protocol, Rule};
use crate::error::{AppError, AppResult};

const COLUMNS: &str = "SELECT id, project_id, name, description, status, pending_action, error_message, openstack_id, \
    last_synced_at, created_at, updated_at, deleted_at, version FROM security_group WHERE 1 = 1";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    project_id: i64,
    name: String,
    description: String,
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

impl From<Row> for SecurityGroup {
    fn from(r: Row) -> Self {
        SecurityGroup {
            id: r.id,
            project_id: r.project_id,
            name: r.name,
            description: r.description,
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

fn map_unique(e: sqlx::Error, name: &str) -> AppError {
    match unique_violation_key(&e).as_deref() {
        Some("uq_security_group_project_live_name") => AppError::conflict(
            "SECURITY_GROUP_NAME_DUPLICATED",
            format!("a security group named {name:?} already exists in this project"),
        ),
        _ => AppError::from(e),
    }
}

pub async fn insert(conn: &mut MySqlConnection, project_id: i64, name: &str, description: &str) -> AppResult<i64> {
    let result = sqlx::query(
        "INSERT INTO security_group (project_id, name, description, status, pending_action, pending_since)
         VALUES (?, ?, ?, 'CREATING', 'create', UTC_TIMESTAMP(6))",
    )
    .bind(project_id)
    .bind(name)
    .bind(description)
    .execute(conn)
    .await
    .map_err(|e| map_unique(e, name))?;
    Ok(result.last_insert_id() as i64)
}

pub async fn find<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    id: i64,
) -> AppResult<Option<SecurityGroup>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ").push_bind(id).push(" AND deleted_at IS NULL");
    Ok(qb
        .build_query_as::<Row>()
        .fetch_optional(db)
        .await?
        .map(SecurityGroup::from))
}

pub async fn lock(conn: &mut MySqlConnection, project_id: i64, id: i64) -> AppResult<Option<SecurityGroup>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ").push_bind(project_id);
    qb.push(" AND id = ")
        .push_bind(id)
        .push(" AND deleted_at IS NULL FOR UPDATE");
    Ok(qb
        .build_query_as::<Row>()
        .fetch_optional(conn)
        .await?
        .map(SecurityGroup::from))
}

/// Live groups of the project by id.
pub async fn find_many<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    ids: &[i64],
) -> AppResult<Vec<SecurityGroup>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ")
        .push_bind(project_id)
        .push(" AND deleted_at IS NULL");
    push_in(&mut qb, "id", ids);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(SecurityGroup::from)
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupSort {
    Name,
    CreatedAt,
}

impl GroupSort {
    pub fn column(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::CreatedAt => "created_at",
        }
    }

    pub fn cursor_key(self, g: &SecurityGroup) -> CursorKey {
        match self {
            Self::Name => CursorKey::Text(g.name.clone()),
            Self::CreatedAt => CursorKey::Time(g.created_at),
        }
    }
}

pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    sort: GroupSort,
    order: SortOrder,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<SecurityGroup>> {
    let mut qb = QueryBuilder::<MySql>::new(COLUMNS);
    qb.push(" AND project_id = ")
        .push_bind(project_id)
        .push(" AND deleted_at IS NULL");
    push_after(&mut qb, sort.column(), order, after);
    push_order_and_limit(&mut qb, sort.column(), order, limit);
    Ok(qb
        .build_query_as::<Row>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(SecurityGroup::from)
        .collect())
}

/// Name, description and a new intent (`update`, `delete`) in one versioned write.
pub async fn begin_action(
    conn: &mut MySqlConnection,
    id: i64,
    version: i64,
    name: &str,
    description: &str,
    status: &str,
    action: &str,
) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE security_group SET name = ?, description = ?, status = ?, pending_action = ?,
            pending_since = UTC_TIMESTAMP(6), error_message = NULL, version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(name)
    .bind(description)
    .bind(status)
    .bind(action)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await
    .map_err(|e| map_unique(e, name))?;
    ensure_version_matched(result, "security group")
}

/// The cloud holds the group as stored: `ACTIVE`, nothing pending.
pub async fn set_synced<'c>(db: impl Executor<'c, Database = MySql>, id: i64, openstack_id: &str) -> AppResult<()> {
    sqlx::query(
        "UPDATE security_group SET openstack_id = ?, status = 'ACTIVE', pending_action = NULL, pending_since = NULL,
            last_synced_at = UTC_TIMESTAMP(6), version = version + 1 WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(openstack_id)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

/// Whether a live network interface uses the group.
pub async fn in_use(conn: &mut MySqlConnection, id: i64) -> AppResult<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM network_interface_security_group l JOIN network_interface n ON n.id = l.network_interface_id
         WHERE l.security_group_id = ? AND n.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// `(group id, server id, server name)` of the live servers using the groups.
pub async fn servers_of<'c>(
    db: impl Executor<'c, Database = MySql>,
    group_ids: &[i64],
) -> AppResult<Vec<(i64, i64, String)>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT DISTINCT l.security_group_id, s.id, s.name FROM network_interface_security_group l
         JOIN network_interface n ON n.id = l.network_interface_id AND n.deleted_at IS NULL
         JOIN server s ON s.id = n.server_id AND s.deleted_at IS NULL WHERE 1 = 1",
    );
    push_in(&mut qb, "l.security_group_id", group_ids);
    Ok(qb.build_query_as::<(i64, i64, String)>().fetch_all(db).await?)
}

// ----- rules -----------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: i64,
    security_group_id: i64,
    protocol: Option<String>,
    ether_type: String,
    direction: String,
    port_range_min: Option<i32>,
    port_range_max: Option<i32>,
    remote_ip_prefix: Option<String>,
    openstack_id: Option<String>,
}

impl From<RuleRow> for StoredRule {
    fn from(r: RuleRow) -> Self {
        let protocol = match r.protocol.as_deref() {
            Some("tcp") => Some(Protocol::Tcp),
            Some("udp") => Some(Protocol::Udp),
            Some("icmp") => Some(Protocol::Icmp),
            _ => None,
        };
        StoredRule {
            id: r.id,
            security_group_id: r.security_group_id,
            rule: Rule {
                protocol,
                ether_type: if r.ether_type == "IPv6" {
                    EtherType::IPv6
                } else {
                    EtherType::IPv4
                },
                direction: if r.direction == "egress" {
                    Direction::Egress
                } else {
                    Direction::Ingress
                },
                port_range_min: r.port_range_min.and_then(|p| u16::try_from(p).ok()),
                port_range_max: r.port_range_max.and_then(|p| u16::try_from(p).ok()),
                remote_ip_prefix: r.remote_ip_prefix,
            },
            openstack_id: r.openstack_id,
        }
    }
}

/// Live rules of the groups, in insertion order.
pub async fn rules_of<'c>(db: impl Executor<'c, Database = MySql>, group_ids: &[i64]) -> AppResult<Vec<StoredRule>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT id, security_group_id, protocol, ether_type, direction, port_range_min, port_range_max,
            remote_ip_prefix, openstack_id FROM security_group_rule WHERE deleted_at IS NULL",
    );
    push_in(&mut qb, "security_group_id", group_ids);
    qb.push(" ORDER BY id");
    Ok(qb
        .build_query_as::<RuleRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(StoredRule::from)
        .collect())
}

/// Replaces the stored rule set of a group by `rules` (not yet in the cloud).
pub async fn replace_rules(conn: &mut MySqlConnection, group_id: i64, rules: &[Rule]) -> AppResult<()> {
    sqlx::query(
        "UPDATE security_group_rule SET deleted_at = UTC_TIMESTAMP(6), version = version + 1
         WHERE security_group_id = ? AND deleted_at IS NULL",
    )
    .bind(group_id)
    .execute(&mut *conn)
    .await?;
    insert_rules(conn, group_id, rules).await
}

/// Stores the rules of a group just inserted. Unlike [`replace_rules`] it
/// searches no existing rules: on a new group id that search locks the gap
/// past the last rule, and two creates in different projects holding it then
/// deadlock on their inserts.
pub async fn insert_rules(conn: &mut MySqlConnection, group_id: i64, rules: &[Rule]) -> AppResult<()> {
    for rule in rules {
        sqlx::query(
            "INSERT INTO security_group_rule (security_group_id, protocol, ether_type, direction, port_range_min,
                port_range_max, remote_ip_prefix) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(group_id)
        .bind(rule.protocol.map(Protocol::as_str))
        .bind(match rule.ether_type {
            EtherType::IPv4 => "IPv4",
            EtherType::IPv6 => "IPv6",
        })
        .bind(match rule.direction {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        })
        .bind(rule.port_range_min)
        .bind(rule.port_range_max)
        .bind(&rule.remote_ip_prefix)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The cloud's id of a stored rule.
pub async fn set_rule_openstack_id<'c>(
    db: impl Executor<'c, Database = MySql>,
    rule_id: i64,
    openstack_id: &str,
) -> AppResult<()> {
    sqlx::query("UPDATE security_group_rule SET openstack_id = ?, version = version + 1 WHERE id = ?")
        .bind(openstack_id)
        .bind(rule_id)
        .execute(db)
        .await?;
    Ok(())
}

// ----- for the reconciler ----------------------------------------------------

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GroupReconcileRow {
    pub id: i64,
    pub project_id: i64,
    pub version: i64,
    pub openstack_id: Option<String>,
    pub status: String,
    pub pending_action: Option<String>,
    pub pending_since: Option<DateTime<Utc>>,
}

pub async fn list_for_reconcile(pool: &MySqlPool, project_ids: &[i64]) -> AppResult<Vec<GroupReconcileRow>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT id, project_id, version, openstack_id, status, pending_action, pending_since
         FROM security_group WHERE deleted_at IS NULL",
    );
    push_in(&mut qb, "project_id", project_ids);
    qb.push(" ORDER BY id");
    Ok(qb.build_query_as::<GroupReconcileRow>().fetch_all(pool).await?)
}

/// The cloud holds the group (and, when the caller has converged them, its rules).
pub async fn record_observed(conn: &mut MySqlConnection, id: i64, version: i64, openstack_id: &str) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE security_group SET openstack_id = ?, status = IF(pending_action <=> 'delete', status, 'ACTIVE'),
            pending_since = IF(pending_action <=> 'delete', pending_since, NULL),
            pending_action = IF(pending_action <=> 'delete', pending_action, NULL),
            last_synced_at = UTC_TIMESTAMP(6), version = version + 1
         WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(openstack_id)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "security group")
}

pub async fn mark_error(conn: &mut MySqlConnection, id: i64, version: i64, message: &str) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE security_group SET status = 'ERROR', error_message = ?, pending_action = NULL, pending_since = NULL,
            version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(message)
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "security group")
}

/// The cloud confirmed the group gone: the group and its rules are deleted.
pub async fn finish_delete(conn: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE security_group SET deleted_at = UTC_TIMESTAMP(6), pending_action = NULL, pending_since = NULL,
            version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    ensure_version_matched(result, "security group")?;
    sqlx::query(
        "UPDATE security_group_rule SET deleted_at = UTC_TIMESTAMP(6), version = version + 1
         WHERE security_group_id = ? AND deleted_at IS NULL",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

/// `(interface id, group id, group name)` for the interfaces' live groups.
pub async fn names_of_interfaces<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_id: i64,
    interface_ids: &[i64],
) -> AppResult<Vec<(i64, i64, String)>> {
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT l.network_interface_id, g.id, g.name FROM network_interface_security_group l
         JOIN security_group g ON g.id = l.security_group_id AND g.deleted_at IS NULL WHERE g.project_id = ",
    );
    qb.push_bind(project_id);
    push_in(&mut qb, "l.network_interface_id", interface_ids);
    qb.push(" ORDER BY g.id");
    Ok(qb.build_query_as::<(i64, i64, String)>().fetch_all(db).await?)
}
