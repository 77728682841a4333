//! The `project_user` table: who belongs to which project.

use sqlx::{Executor, MySql, MySqlConnection, QueryBuilder};

use crate::error::{AppError, AppResult};

pub async fn add(conn: &mut MySqlConnection, project_id: i64, user_id: i64) -> AppResult<()> {
    sqlx::query("INSERT INTO project_user (project_id, user_id) VALUES (?, ?)")
        .bind(project_id)
        .bind(user_id)
        .execute(conn)
        .await
        .map_err(|e| {
            if e.as_database_error().is_some_and(|d| d.is_unique_violation()) {
                AppError::conflict(
                    "USER_ROLE_ALREADY_IN_PROJECT",
                    format!("user {user_id} is already a member of project {project_id}"),
                )
            } else {
                AppError::from(e)
            }
        })?;
    Ok(())
}

/// True when a membership was removed.
pub async fn remove(conn: &mut MySqlConnection, project_id: i64, user_id: i64) -> AppResult<bool> {
    let result = sqlx::query("DELETE FROM project_user WHERE project_id = ? AND user_id = ?")
        .bind(project_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Removes every membership of the user; returns the projects left.
pub async fn remove_all_of_user(conn: &mut MySqlConnection, user_id: i64) -> AppResult<Vec<i64>> {
    let projects: Vec<i64> = sqlx::query_scalar("SELECT project_id FROM project_user WHERE user_id = ? FOR UPDATE")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM project_user WHERE user_id = ?")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(projects)
}

/// Removes every membership of the project; returns the users removed.
pub async fn remove_all_of_project(conn: &mut MySqlConnection, project_id: i64) -> AppResult<Vec<i64>> {
    let users: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM project_user WHERE project_id = ? FOR UPDATE")
        .bind(project_id)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM project_user WHERE project_id = ?")
        .bind(project_id)
        .execute(conn)
        .await?;
    Ok(users)
}

pub async fn is_member<'c>(db: impl Executor<'c, Database = MySql>, project_id: i64, user_id: i64) -> AppResult<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT user_id FROM project_user WHERE project_id = ? AND user_id = ?")
            .bind(project_id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(found.is_some())
}

/// The live project the user joined first.
pub async fn first_project_of<'c>(db: impl Executor<'c, Database = MySql>, user_id: i64) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT pu.project_id FROM project_user pu JOIN project p ON p.id = pu.project_id AND p.deleted_at IS NULL
         WHERE pu.user_id = ? ORDER BY pu.created_at, pu.project_id LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?)
}

/// (user_id, project_id) pairs of the given users, oldest membership first.
pub async fn of_users<'c>(db: impl Executor<'c, Database = MySql>, user_ids: &[i64]) -> AppResult<Vec<(i64, i64)>> {
    pairs(db, "user_id", user_ids).await
}

/// (user_id, project_id) pairs of the given projects, oldest membership first.
pub async fn of_projects<'c>(
    db: impl Executor<'c, Database = MySql>,
    project_ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    pairs(db, "project_id", project_ids).await
}

async fn pairs<'c>(
    db: impl Executor<'c, Database = MySql>,
    column: &'static str,
    ids: &[i64],
) -> AppResult<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<MySql>::new(format!(
        "SELECT user_id, project_id FROM project_user WHERE {column} IN ("
    ));
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(") ORDER BY created_at, project_id, user_id");
    Ok(qb.build_query_as::<(i64, i64)>().fetch_all(db).await?)
}
