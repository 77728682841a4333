use sqlx::error::ErrorKind;

/// True when the failure is about reaching the database (down, restarting,
/// pool exhausted), not about the statement.
pub fn is_connectivity_error(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) => true,
        sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            // 1040 too many connections, 1053 server shutdown, 2006/2013 gone away/lost, 1927 connection killed
            matches!(db.code().as_deref(), Some("08S01") | Some("HY000"))
                && matches!(
                    db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                        .map(|m| m.number()),
                    Some(1040 | 1053 | 1927 | 2006 | 2013)
                )
        }
        _ => false,
    }
}

/// True when the server gave up on the statement because of another
/// transaction: a deadlock (1213) or a lock wait timeout (1205). Nothing was
/// written; the caller may try again.
pub fn is_lock_conflict(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|db| db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|m| matches!(m.number(), 1205 | 1213))
}

/// The name of the unique index a statement collided with, so callers can
/// turn `uq_user_live_account_id` into `USER_ACCOUNT_ID_DUPLICATE`.
pub fn unique_violation_key(e: &sqlx::Error) -> Option<String> {
    let db = e.as_database_error()?;
    if db.kind() != ErrorKind::UniqueViolation {
        return None;
    }
    // MySQL: "Duplicate entry 'x' for key 'table.uq_name'"; MariaDB: "... for key 'uq_name'"
    let message = db.message();
    let key = message.rsplit("for key '").next()?.trim_end_matches('\'');
    Some(key.rsplit('.').next().unwrap_or(key).to_owned())
}
