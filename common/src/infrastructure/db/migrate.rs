use sqlx::MySqlPool;
use sqlx::migrate::Migrator;

use crate::error::{AppError, AppResult};

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

pub async fn run_migrations(pool: &MySqlPool) -> AppResult<()> {
    MIGRATOR.run(pool).await.map_err(|e| match e {
        sqlx::migrate::MigrateError::Execute(inner) => AppError::from(inner),
        other => AppError::internal(other),
    })
}

/// True when every migration this binary knows has been applied successfully.
pub async fn migrations_are_current(pool: &MySqlPool) -> AppResult<bool> {
    let applied: Vec<(i64, bool)> = sqlx::query_as("SELECT version, success FROM _sqlx_migrations")
        .fetch_all(pool)
        .await?;
    Ok(MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .all(|m| applied.iter().any(|(v, ok)| *v == m.version && *ok)))
}
