use sqlx::{MySql, MySqlPool, Transaction};

use crate::error::AppResult;

pub type Tx = Transaction<'static, MySql>;

/// Starts a transaction; it rolls back when dropped without `commit()`, so an
/// early `?` return never leaves a half-written change.
pub async fn begin(pool: &MySqlPool) -> AppResult<Tx> {
    Ok(pool.begin().await?)
}
