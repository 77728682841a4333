//! Admin inventory: every kind of row across all projects, deleted ones on
//! request, in one shape. Table and column expressions come from the closed
//! [`InventoryKind`] enum, never from input.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, QueryBuilder};

use super::keyset::{push_after, push_order_and_limit};
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::error::AppResult;

pub const SORT: &str = "created_at:asc";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventoryKind {
    Servers,
    Volumes,
    SecurityGroups,
    FloatingIps,
    NetworkInterfaces,
    Projects,
    Users,
}

impl InventoryKind {
    pub const ALL: [InventoryKind; 7] = [
        Self::Servers,
        Self::Volumes,
        Self::SecurityGroups,
        Self::FloatingIps,
        Self::NetworkInterfaces,
        Self::Projects,
        Self::Users,
    ];

    /// The name in paths and responses (`security-groups`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Servers => "servers",
            Self::Volumes => "volumes",
            Self::SecurityGroups => "security-groups",
            Self::FloatingIps => "floating-ips",
            Self::NetworkInterfaces => "network-interfaces",
            Self::Projects => "projects",
            Self::Users => "users",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn table(self) -> &'static str {
        match self {
            Self::Servers => "server",
            Self::Volumes => "volume",
            Self::SecurityGroups => "security_group",
            Self::FloatingIps => "floating_ip",
            Self::NetworkInterfaces => "network_interface",
            Self::Projects => "project",
            Self::Users => "user",
        }
    }

    /// Whether rows carry `pending_action` / `pending_since`.
    pub fn has_pending(self) -> bool {
        !matches!(self, Self::Projects | Self::Users)
    }

    /// What `q` searches and `name` shows: the address of a floating IP, the
    /// fixed IP of a network interface, the account id of a user.
    fn name_column(self) -> &'static str {
        match self {
            Self::FloatingIps => "address",
            Self::NetworkInterfaces => "fixed_ip",
            Self::Users => "account_id",
            _ => "name",
        }
    }

    /// Users have no status column: a user is ACTIVE until deleted.
    fn status_expr(self) -> &'static str {
        match self {
            Self::Users => "(CASE WHEN deleted_at IS NULL THEN 'ACTIVE' ELSE 'DELETED' END)",
            _ => "status",
        }
    }

    /// Users belong to many projects, so they have none here; a project is its own.
    fn project_expr(self) -> &'static str {
        match self {
            Self::Users => "CAST(NULL AS SIGNED)",
            Self::Projects => "id",
            _ => "project_id",
        }
    }

    fn select(self) -> String {
        let pending = if self.has_pending() {
            "pending_action, pending_since"
        } else {
            "CAST(NULL AS CHAR) AS pending_action, CAST(NULL AS DATETIME(6)) AS pending_since"
        };
        format!(
            "SELECT id, {project} AS project_id, {name} AS name, {status} AS status, openstack_id, {pending}, \
             created_at, updated_at, deleted_at, version FROM {table}",
            project = self.project_expr(),
            name = self.name_column(),
            status = self.status_expr(),
            table = self.table(),
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct InventoryFilter {
    pub project_id: Option<i64>,
    pub status: Option<String>,
    pub include_deleted: bool,
    /// Name contains (case-insensitive under the table's collation).
    pub q: Option<String>,
    pub updated_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InventoryRow {
    pub id: i64,
    pub project_id: Option<i64>,
    pub name: Option<String>,
    pub status: String,
    pub openstack_id: Option<String>,
    pub pending_action: Option<String>,
    pub pending_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl InventoryRow {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            sort: SORT.to_owned(),
            key: CursorKey::Time(self.created_at),
            id: self.id,
        }
    }
}

/// Up to `limit + 1` rows after the cursor, oldest first.
pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    kind: InventoryKind,
    filter: &InventoryFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<InventoryRow>> {
    let mut qb = build_list("", kind, filter, after, limit);
    Ok(qb.build_query_as::<InventoryRow>().fetch_all(db).await?)
}

/// The statement [`list`] runs, after `prefix` (`EXPLAIN ` for plan checks).
pub fn build_list(
    prefix: &'static str,
    kind: InventoryKind,
    filter: &InventoryFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> QueryBuilder<MySql> {
    let mut qb = QueryBuilder::<MySql>::new(prefix);
    qb.push(kind.select());
    qb.push(" WHERE 1 = 1");
    if !filter.include_deleted {
        qb.push(" AND deleted_at IS NULL");
    }
    if let Some(project_id) = filter.project_id {
        qb.push(format!(" AND {} = ", kind.project_expr()))
            .push_bind(project_id);
    }
    if let Some(status) = &filter.status {
        qb.push(format!(" AND {} = ", kind.status_expr()))
            .push_bind(status.clone());
    }
    if let Some(q) = &filter.q {
        qb.push(format!(" AND {} LIKE ", kind.name_column()))
            .push_bind(format!("%{}%", escape_like(q)));
    }
    if let Some(since) = filter.updated_since {
        qb.push(" AND updated_at >= ").push_bind(since);
    }
    push_after(&mut qb, "created_at", SortOrder::Asc, after);
    push_order_and_limit(&mut qb, "created_at", SortOrder::Asc, limit);
    qb
}

/// `%`, `_` and `\` in a search term match themselves.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_a_search_term_are_literal() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    #[test]
    fn every_kind_parses_from_its_path_name() {
        for kind in InventoryKind::ALL {
            assert_eq!(InventoryKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(InventoryKind::parse("server"), None);
    }
}
