use std::time::Duration;

use sqlx::MySqlPool;
use sqlx::migrate::Migrator;

use crate::error::{AppError, AppResult};

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Applies pending migrations. Two processes starting at once (api_server and
/// batch_server) may race on the same migration; the loser retries and then
/// finds it applied.
pub async fn run_migrations(pool: &MySqlPool) -> AppResult<()> {
    let mut attempt = 0;
    loop {
        match MIGRATOR.run(pool).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt < 5 => {
                attempt += 1;
                tracing::warn!(attempt, error = %e, "migrations failed; retrying (another process may be applying them)");
                tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
            }
            Err(sqlx::migrate::MigrateError::Execute(inner)) => return Err(AppError::from(inner)),
            Err(other) => return Err(AppError::internal(other)),
        }
    }
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
