//! The `user` table. Default reads see live rows only.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection, QueryBuilder};

use super::keyset::{push_after, push_order_and_limit};
use super::{SoftDeleteTable, ensure_version_matched, soft_delete, unique_violation_key};
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::domain::user::{AccountId, Role, User, UserName};
use crate::error::{AppError, AppResult};

const USER_COLUMNS: &str =
    "SELECT id, domain_id, openstack_id, account_id, name, role, created_at, updated_at, deleted_at, version FROM user";

pub struct NewUser<'a> {
    pub domain_id: i64,
    pub account_id: &'a AccountId,
    pub name: &'a UserName,
    pub password_hash: &'a str,
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    domain_id: i64,
    openstack_id: Option<String>,
    account_id: String,
    name: String,
    role: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted_at: Option<DateTime<Utc>>,
    version: i64,
}

impl TryFrom<UserRow> for User {
    type Error = AppError;

    fn try_from(r: UserRow) -> AppResult<User> {
        let role = Role::parse(&r.role).ok_or_else(|| {
            AppError::internal(std::io::Error::other(format!(
                "unknown role {:?} on user {}",
                r.role, r.id
            )))
        })?;
        Ok(User {
            id: r.id,
            domain_id: r.domain_id,
            openstack_id: r.openstack_id,
            account_id: r.account_id,
            name: r.name,
            role,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            version: r.version,
        })
    }
}

macro_rules! select_user {
    ($rest:literal) => {
        concat!(
            "SELECT id, domain_id, openstack_id, account_id, name, role, created_at, updated_at, deleted_at, version FROM user ",
            $rest
        )
    };
}

pub async fn insert(conn: &mut MySqlConnection, new: NewUser<'_>) -> AppResult<i64> {
    let result =
        sqlx::query("INSERT INTO user (domain_id, account_id, name, password_hash, role) VALUES (?, ?, ?, ?, ?)")
            .bind(new.domain_id)
            .bind(new.account_id.as_str())
            .bind(new.name.as_str())
            .bind(new.password_hash)
            .bind(new.role.as_str())
            .execute(conn)
            .await
            .map_err(|e| match unique_violation_key(&e).as_deref() {
                Some("uq_user_live_account_id") => AppError::conflict(
                    "USER_ACCOUNT_ID_DUPLICATE",
                    format!("account id {} is already taken", new.account_id),
                ),
                _ => AppError::from(e),
            })?;
    Ok(result.last_insert_id() as i64)
}

pub async fn find<'c>(db: impl Executor<'c, Database = MySql>, id: i64) -> AppResult<Option<User>> {
    sqlx::query_as::<_, UserRow>(select_user!("WHERE id = ? AND deleted_at IS NULL"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(User::try_from)
        .transpose()
}

pub async fn find_by_account_id<'c>(
    db: impl Executor<'c, Database = MySql>,
    account_id: &str,
) -> AppResult<Option<User>> {
    sqlx::query_as::<_, UserRow>(select_user!("WHERE account_id = ? AND deleted_at IS NULL"))
        .bind(account_id)
        .fetch_optional(db)
        .await?
        .map(User::try_from)
        .transpose()
}

/// For audits of history: deleted rows too.
pub async fn find_including_deleted<'c>(db: impl Executor<'c, Database = MySql>, id: i64) -> AppResult<Option<User>> {
    sqlx::query_as::<_, UserRow>(select_user!("WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(User::try_from)
        .transpose()
}

pub async fn rename(conn: &mut MySqlConnection, id: i64, version: i64, name: &UserName) -> AppResult<()> {
    let result = sqlx::query(
        "UPDATE user SET name = ?, version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
    )
    .bind(name.as_str())
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    ensure_version_matched(result, "user")
}

pub async fn delete(conn: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
    soft_delete(conn, SoftDeleteTable::User, id, version).await
}

#[derive(sqlx::FromRow)]
struct UserWithHashRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: String,
}

/// A live user and its stored PHC hash, in one statement, so a login for an
/// existing account costs the same database work as one for a missing account.
pub async fn find_with_password_hash<'c>(
    db: impl Executor<'c, Database = MySql>,
    account_id: &str,
) -> AppResult<Option<(User, String)>> {
    let row = sqlx::query_as::<_, UserWithHashRow>(
        "SELECT id, domain_id, openstack_id, account_id, name, role, created_at, updated_at, deleted_at, version, password_hash
         FROM user WHERE account_id = ? AND deleted_at IS NULL",
    )
    .bind(account_id)
    .fetch_optional(db)
    .await?;
    row.map(|r| Ok((User::try_from(r.user)?, r.password_hash))).transpose()
}

/// The stored PHC hash of a live user, for login and password checks.
pub async fn password_hash<'c>(db: impl Executor<'c, Database = MySql>, id: i64) -> AppResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT password_hash FROM user WHERE id = ? AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(db)
            .await?,
    )
}

pub async fn set_password_hash(conn: &mut MySqlConnection, id: i64, password_hash: &str) -> AppResult<()> {
    let result =
        sqlx::query("UPDATE user SET password_hash = ?, version = version + 1 WHERE id = ? AND deleted_at IS NULL")
            .bind(password_hash)
            .bind(id)
            .execute(conn)
            .await?;
    ensure_version_matched(result, "user")
}

/// Reads a live user and locks the row until the transaction ends.
pub async fn lock(conn: &mut MySqlConnection, id: i64) -> AppResult<Option<User>> {
    sqlx::query_as::<_, UserRow>(select_user!("WHERE id = ? AND deleted_at IS NULL FOR UPDATE"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .map(User::try_from)
        .transpose()
}

/// Ids of the live admins, locked, so two concurrent deletions of the last
/// two admins cannot both pass the "another admin remains" check.
pub async fn lock_live_admin_ids(conn: &mut MySqlConnection) -> AppResult<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM user WHERE role = 'admin' AND deleted_at IS NULL FOR UPDATE")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn any_live_admin<'c>(db: impl Executor<'c, Database = MySql>) -> AppResult<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM user WHERE role = 'admin' AND deleted_at IS NULL LIMIT 1")
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub id: Option<i64>,
    pub account_id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    CreatedAt,
    AccountId,
    Name,
}

impl UserSort {
    pub fn column(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
            Self::AccountId => "account_id",
            Self::Name => "name",
        }
    }

    pub fn cursor_key(self, user: &User) -> CursorKey {
        match self {
            Self::CreatedAt => CursorKey::Time(user.created_at),
            Self::AccountId => CursorKey::Text(user.account_id.clone()),
            Self::Name => CursorKey::Text(user.name.clone()),
        }
    }
}

/// Up to `limit + 1` live users after the cursor (the extra row tells
/// whether another page exists).
pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    filter: &UserFilter,
    sort: UserSort,
    order: SortOrder,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<User>> {
    let mut qb = QueryBuilder::<MySql>::new(USER_COLUMNS);
    qb.push(" WHERE deleted_at IS NULL");
    if let Some(id) = filter.id {
        qb.push(" AND id = ").push_bind(id);
    }
    if let Some(account_id) = &filter.account_id {
        qb.push(" AND account_id = ").push_bind(account_id.clone());
    }
    if let Some(name) = &filter.name {
        qb.push(" AND name = ").push_bind(name.clone());
    }
    push_after(&mut qb, sort.column(), order, after);
    push_order_and_limit(&mut qb, sort.column(), order, limit);
    qb.build_query_as::<UserRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
}

/// Live users by id, in no particular order.
pub async fn find_many<'c>(db: impl Executor<'c, Database = MySql>, ids: &[i64]) -> AppResult<Vec<User>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<MySql>::new(USER_COLUMNS);
    qb.push(" WHERE deleted_at IS NULL AND id IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
    qb.build_query_as::<UserRow>()
        .fetch_all(db)
        .await?
        .into_iter()
        .map(User::try_from)
        .collect()
}
