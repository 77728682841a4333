//! The `quota` table (limits that differ from the defaults) and live usage,
//! computed from the resource rows themselves so it cannot drift.

use sqlx::{Executor, MySql, MySqlConnection};

use crate::domain::quota::{Amounts, QuotaKind};
use crate::error::AppResult;

/// The limits stored for the project; kinds without a row are absent.
pub async fn stored_limits<'c>(db: impl Executor<'c, Database = MySql>, project_id: i64) -> AppResult<Amounts> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT resource, limit_value FROM quota WHERE project_id = ?")
        .bind(project_id)
        .fetch_all(db)
        .await?;
    let mut limits = Amounts::new();
    for (resource, limit) in rows {
        if let Some(kind) = QuotaKind::parse(&resource) {
            limits.set(kind, limit);
        }
    }
    Ok(limits)
}

pub async fn set_limit(conn: &mut MySqlConnection, project_id: i64, kind: QuotaKind, limit: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO quota (project_id, resource, limit_value) VALUES (?, ?, ?)
         ON DUPLICATE KEY UPDATE version = IF(limit_value = VALUES(limit_value), version, version + 1),
                                 limit_value = VALUES(limit_value)",
    )
    .bind(project_id)
    .bind(kind.as_str())
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct UsageRow {
    servers: i64,
    vcpus: i64,
    ram_mb: i64,
    volumes: i64,
    volume_gb: i64,
    floating_ips: i64,
    security_groups: i64,
}

/// What the project's live rows hold now. A volume being extended counts
/// at its requested size.
pub async fn usage<'c>(db: impl Executor<'c, Database = MySql>, project_id: i64) -> AppResult<Amounts> {
    let row: UsageRow = sqlx::query_as(
        "SELECT
            (SELECT COUNT(*) FROM server WHERE project_id = ? AND deleted_at IS NULL) AS servers,
            (SELECT CAST(COALESCE(SUM(vcpus), 0) AS SIGNED) FROM server WHERE project_id = ? AND deleted_at IS NULL) AS vcpus,
            (SELECT CAST(COALESCE(SUM(ram_mb), 0) AS SIGNED) FROM server WHERE project_id = ? AND deleted_at IS NULL) AS ram_mb,
            (SELECT COUNT(*) FROM volume WHERE project_id = ? AND deleted_at IS NULL) AS volumes,
            (SELECT CAST(COALESCE(SUM(GREATEST(size_gb, COALESCE(requested_size_gb, 0))), 0) AS SIGNED)
               FROM volume WHERE project_id = ? AND deleted_at IS NULL) AS volume_gb,
            (SELECT COUNT(*) FROM floating_ip WHERE project_id = ? AND deleted_at IS NULL) AS floating_ips,
            (SELECT COUNT(*) FROM security_group WHERE project_id = ? AND deleted_at IS NULL) AS security_groups",
    )
    .bind(project_id)
    .bind(project_id)
    .bind(project_id)
    .bind(project_id)
    .bind(project_id)
    .bind(project_id)
    .bind(project_id)
    .fetch_one(db)
    .await?;
    Ok(Amounts::new()
        .with(QuotaKind::Servers, row.servers)
        .with(QuotaKind::Vcpus, row.vcpus)
        .with(QuotaKind::RamMb, row.ram_mb)
        .with(QuotaKind::Volumes, row.volumes)
        .with(QuotaKind::VolumeGb, row.volume_gb)
        .with(QuotaKind::FloatingIps, row.floating_ips)
        .with(QuotaKind::SecurityGroups, row.security_groups))
}
