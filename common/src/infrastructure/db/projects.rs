//! The `project` and `domain` tables. Default reads see live rows only.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection, QueryBuilder};

use super::keyset::{push_after, push_order_and_limit};
use super::{SoftDeleteTable, ensure_version_matched, soft_delete, unique_violation_key};
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::domain::project::{Domain, Project, ProjectName, Provider};
use crate::error::{AppError, AppResult};

const PROJECT_COLUMNS: &str = "SELECT id, domain_id, name, provider, openstack_id, status, created_at, updated_at, deleted_at, version FROM project";

#[derive(sqlx::FromRow)]
struct ProjectRow {
    id: i64,
    domain_id: i64,
    name: String,
    provider: String,
    openstack_id: Option<String>,
    status: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    version: i64,
}

impl TryFrom<ProjectRow> for Project {
    type Error = AppError;

    fn try_from(r: ProjectRow) -> AppResult<Project> {
        let provider = Provider::parse(&r.provider).ok_or_else(|| {
            AppError::internal(std::io::Error::other(format!(
                "unknown provider {:?} on project {}",
                r.provider, r.id
            )))
        })?;
        Ok(Project {
            id: r.id,
            domain_id: r.domain_id,
            name: r.name,
            provider,
            openstack_id: r.openstack_id,
            status: r.status,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            version: r.version,
        })
    }
}

fn name_taken(name: &ProjectName) -> AppError {
    AppError::conflict(
        "PROJECT_NAME_DUPLICATED",
        format!("a project named {:?} already exists", name.as_str()),
    )
}

pub async fn insert(
    conn: &mut MySqlConnection,
    domain_id: i64,
    name: &ProjectName,
    provider: Provider,
) -> AppResult<i64> {
    let result = sqlx::query("INSERT INTO project (domain_id, name, provider, status) VALUES (?, ?, ?, 'CREATING')")
        .bind(domain_id)
        .bind(name.as_str())
        .bind(provider.as_str())
        .execute(conn)
        .await
        .map_err(|e| match unique_violation_key(&e).as_deref() {
            Some("uq_project_live_name") => name_taken(name),
            _ => AppError::from(e),
        })?;
    Ok(result.last_insert_id() as i64)
}

pub async fn find<'c>(db: impl Executor<'c, Database = MySql>, id: i64) -> AppResult<Option<Project>> {
    let mut qb = QueryBuilder::<MySql>::new(PROJECT_COLUMNS);
    qb.push(" WHERE id = ").push_bind(id).push(" AND deleted_at IS NULL");
    qb.build_query_as::<ProjectRow>()
        .fetch_optional(db)
        .await?
        .map(Project::try_from)
        .transpose()
}

/// Reads a live project and locks its row until the transaction ends; the
/// lock also serialises quota checks of concurrent creates in the project.
pub async fn lock(conn: &mut MySqlConnection, id: i64) -> AppResult<Option<Project>> {
    let mut qb = QueryBuilder::<MySql>::new(PROJECT_COLUMNS);
    qb.push(" WHERE id = ")
        .push_bind(id)
        .push(" AND deleted_at IS NULL FOR UPDATE");
    qb.build_query_as::<ProjectRow>()
        .fetch_optional(conn)
        .await?
        .map(Project::try_from)
        .transpose()
}

/// Live projects by id, in no particular order.
pub async fn find_many<'c>(db: impl Executor<'c, Database = MySql>, ids: &[i64]) -> AppResult<Vec<Project>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<MySql>::new(PROJECT_COLUMNS);
    qb.push(" WHERE deleted_at IS NULL AND id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
    qb.build_query_as::<ProjectRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Project::try_from)
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub ids: Option<Vec<i64>>,
    pub name: Option<String>,
    /// Substring of the name.
    pub name_like: Option<String>,
    /// Only projects this user is a member of.
    pub member: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectSort {
    Name,
    CreatedAt,
}

impl ProjectSort {
    pub fn column(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::CreatedAt => "created_at",
        }
    }

    pub fn cursor_key(self, p: &Project) -> CursorKey {
        match self {
            Self::Name => CursorKey::Text(p.name.clone()),
            Self::CreatedAt => CursorKey::Time(p.created_at),
        }
    }
}

/// Up to `limit + 1` live projects after the cursor.
pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    filter: &ProjectFilter,
    sort: ProjectSort,
    order: SortOrder,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<Project>> {
    let mut qb = QueryBuilder::<MySql>::new(PROJECT_COLUMNS);
    qb.push(" WHERE deleted_at IS NULL");
    if let Some(ids) = &filter.ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        qb.push(" AND id IN (");
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
    }
    if let Some(name) = &filter.name {
        qb.push(" AND name = ").push_bind(name.clone());
    }
    if let Some(part) = &filter.name_like {
        let escaped = part.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        qb.push(" AND name LIKE ").push_bind(format!("%{escaped}%"));
    }
    if let Some(user_id) = filter.member {
        qb.push(" AND id IN (SELECT project_id FROM project_user WHERE user_id = ")
            .push_bind(user_id)
            .push(")");
    }
    push_after(&mut qb, sort.column(), order, after);
    push_order_and_limit(&mut qb, sort.column(), order, limit);
    qb.build_query_as::<ProjectRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Project::try_from)
        .collect()
}

pub async fn rename(conn: &mut MySqlConnection, id: i64, version: i64, name: &ProjectName) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE project SET name = ?, version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(name.as_str())
    .bind(id)
    .bind(version)
    .execute(conn)
    .await
    .map_err(|e| match unique_violation_key(&e).as_deref() {
        Some("uq_project_live_name") => name_taken(name),
        _ => AppError::from(e),
    })?;
    ensure_version_matched(result, "project")
}

/// Records the outcome of provisioning the cloud side.
pub async fn set_provisioned<'c>(
    db: impl Executor<'c, Database = MySql>,
    id: i64,
    openstack_id: Option<&str>,
    status: &str,
    error_message: Option<&str>,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE project SET openstack_id = ?, status = ?, error_message = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(openstack_id)
    .bind(status)
    .bind(error_message)
    .bind(id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete(conn: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
    soft_delete(conn, SoftDeleteTable::Project, id, version).await
}

/// Live servers, volumes, security groups and floating IPs of the project.
pub async fn count_live_resources(conn: &mut MySqlConnection, id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM server WHERE project_id = ? AND deleted_at IS NULL)
              + (SELECT COUNT(*) FROM volume WHERE project_id = ? AND deleted_at IS NULL)
              + (SELECT COUNT(*) FROM security_group WHERE project_id = ? AND deleted_at IS NULL)
              + (SELECT COUNT(*) FROM floating_ip WHERE project_id = ? AND deleted_at IS NULL)",
    )
    .bind(id)
    .bind(id)
    .bind(id)
    .bind(id)
    .fetch_one(conn)
    .await?)
}

#[derive(sqlx::FromRow)]
struct DomainRow {
    id: i64,
    openstack_id: Option<String>,
    name: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    version: i64,
}

impl From<DomainRow> for Domain {
    fn from(r: DomainRow) -> Self {
        Domain {
            id: r.id,
            openstack_id: r.openstack_id,
            name: r.name,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            version: r.version,
        }
    }
}

/// Domains by id, deleted ones included (a user keeps showing its domain).
pub async fn domains<'c>(db: impl Executor<'c, Database = MySql>, ids: &[i64]) -> AppResult<Vec<Domain>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<MySql>::new(
        "SELECT id, openstack_id, name, created_at, updated_at, deleted_at, version FROM domain WHERE id IN (",
    );
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
    Ok(qb
        .build_query_as::<DomainRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(Domain::from)
        .collect())
}

/// The domain new users and projects go to.
pub async fn default_domain_id<'c>(db: impl Executor<'c, Database = MySql>) -> AppResult<i64> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM domain WHERE deleted_at IS NULL")
        .fetch_one(db)
        .await?;
    id.ok_or_else(|| AppError::internal(std::io::Error::other("no live domain; migrations seed one")))
}
