use std::str::FromStr;

use sqlx::MySqlPool;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};

use crate::config::DatabaseSettings;
use crate::error::{AppError, AppResult};

/// Opens the pool and checks that the server answers. A pool that later
/// loses the server keeps trying, so requests answer 503 meanwhile and
/// recover without a restart.
pub async fn connect(settings: &DatabaseSettings) -> AppResult<MySqlPool> {
    let options = MySqlConnectOptions::from_str(settings.url.expose())
        .map_err(AppError::internal)?
        .charset("utf8mb4")
        .collation("utf8mb4_unicode_ci");
    MySqlPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .test_before_acquire(true)
        .connect_with(options)
        .await
        .map_err(AppError::from)
}
