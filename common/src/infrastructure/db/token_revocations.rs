//! The `token_revocation` table: single tokens by `jti`, or every token of a
//! user (optionally only for one project) issued before a cutoff.

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, MySqlConnection};

use crate::error::AppResult;

pub async fn revoke_token(
    conn: &mut MySqlConnection,
    jti: &str,
    user_id: i64,
    expires_at: DateTime<Utc>,
    reason: &str,
) -> AppResult<()> {
    sqlx::query("INSERT IGNORE INTO token_revocation (jti, user_id, reason, expires_at) VALUES (?, ?, ?, ?)")
        .bind(jti)
        .bind(user_id)
        .bind(reason)
        .bind(expires_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes the user's tokens issued before `cutoff`, in every project when
/// `project_id` is `None`. Kept until `expires_at`, when every such token has expired anyway.
pub async fn revoke_issued_before(
    conn: &mut MySqlConnection,
    user_id: i64,
    project_id: Option<i64>,
    cutoff: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    reason: &str,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO token_revocation (user_id, project_id, revokes_issued_before, reason, expires_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(user_id)
    .bind(project_id)
    .bind(cutoff)
    .bind(reason)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// True when the token is revoked by its id or by a cutoff after its issue time.
pub async fn is_revoked<'c>(
    db: impl Executor<'c, Database = MySql>,
    jti: &str,
    user_id: i64,
    project_id: Option<i64>,
    issued_at: DateTime<Utc>,
) -> AppResult<bool> {
    let hit: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM token_revocation WHERE jti = ?
         UNION ALL
         SELECT 1 FROM token_revocation WHERE user_id = ? AND revokes_issued_before > ?
                AND (project_id IS NULL OR project_id = ?)
         LIMIT 1",
    )
    .bind(jti)
    .bind(user_id)
    .bind(issued_at)
    .bind(project_id)
    .fetch_optional(db)
    .await?;
    Ok(hit.is_some())
}

/// The latest cutoff that applies to new tokens of this user and project.
pub async fn latest_cutoff<'c>(
    db: impl Executor<'c, Database = MySql>,
    user_id: i64,
    project_id: Option<i64>,
) -> AppResult<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT MAX(revokes_issued_before) FROM token_revocation
         WHERE user_id = ? AND revokes_issued_before IS NOT NULL AND (project_id IS NULL OR project_id = ?)",
    )
    .bind(user_id)
    .bind(project_id)
    .fetch_one(db)
    .await?)
}
