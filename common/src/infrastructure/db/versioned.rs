use sqlx::mysql::MySqlQueryResult;
use sqlx::{AssertSqlSafe, MySqlConnection};

use crate::error::{AppError, AppResult};

/// Every versioned write is `... SET version = version + 1 WHERE id = ? AND
/// version = ?`. Since the version always changes, a matched row always
/// counts as affected; zero means someone else won the race.
pub fn ensure_version_matched(result: MySqlQueryResult, resource: &str) -> AppResult<()> {
    if result.rows_affected() == 0 {
        Err(AppError::version_conflict(resource))
    } else {
        Ok(())
    }
}

/// The tables whose rows are soft-deleted. A closed set, so the table name
/// in the statement can never come from input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoftDeleteTable {
    Domain,
    Project,
    User,
    Server,
    Volume,
    NetworkInterface,
    SecurityGroup,
    SecurityGroupRule,
    FloatingIp,
    CloudCredential,
}

impl SoftDeleteTable {
    pub fn name(self) -> &'static str {
        match self {
            Self::Domain => "domain",
            Self::Project => "project",
            Self::User => "user",
            Self::Server => "server",
            Self::Volume => "volume",
            Self::NetworkInterface => "network_interface",
            Self::SecurityGroup => "security_group",
            Self::SecurityGroupRule => "security_group_rule",
            Self::FloatingIp => "floating_ip",
            Self::CloudCredential => "cloud_credential",
        }
    }

    fn resource(self) -> &'static str {
        match self {
            Self::NetworkInterface => "network interface",
            Self::SecurityGroup => "security group",
            Self::SecurityGroupRule => "security group rule",
            Self::FloatingIp => "floating ip",
            Self::CloudCredential => "cloud credential",
            other => other.name(),
        }
    }
}

/// Marks a live row deleted if it still has the version the caller read.
pub async fn soft_delete(conn: &mut MySqlConnection, table: SoftDeleteTable, id: i64, version: i64) -> AppResult<()> {
    let sql = format!(
        "UPDATE {} SET deleted_at = UTC_TIMESTAMP(6), version = version + 1 WHERE id = ? AND version = ? AND deleted_at IS NULL",
        table.name()
    );
    let result = sqlx::query(AssertSqlSafe(sql))
        .bind(id)
        .bind(version)
        .execute(conn)
        .await?;
    ensure_version_matched(result, table.resource())
}
