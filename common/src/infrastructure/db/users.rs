//! The `user` table. Default reads see live rows only.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection};

use super::{SoftDeleteTable, ensure_version_matched, soft_delete, unique_violation_key};
use crate::domain::user::{AccountId, Role, User, UserName};
use crate::error::{AppError, AppResult};

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
