//! The migrations build the whole inventory on a real server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use common::infrastructure::db;
use test_support::TestDb;

const RESOURCE_TABLES: &[&str] = &[
    "domain",
    "project",
    "user",
    "server",
    "volume",
    "network_interface",
    "security_group",
    "security_group_rule",
    "floating_ip",
    "cloud_credential",
];

const OTHER_TABLES: &[&str] = &[
    "project_user",
    "network_interface_security_group",
    "audit_event",
    "resource_action",
    "reconcile_run",
    "reconcile_request",
    "drift_finding",
    "job_lease",
    "reconcile_backoff",
    "idempotency_key",
    "quota",
    "token_revocation",
    "login_throttle",
];

async fn columns_of(db: &TestDb, table: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
    )
    .bind(table)
    .fetch_all(&db.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_table_exists() {
    let db = TestDb::new().await;
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    for t in RESOURCE_TABLES.iter().chain(OTHER_TABLES) {
        assert!(tables.iter().any(|x| x == t), "table {t} is missing; have {tables:?}");
    }
}

#[tokio::test]
async fn every_resource_table_has_timestamps_soft_delete_and_version() {
    let db = TestDb::new().await;
    for table in RESOURCE_TABLES {
        let cols = columns_of(&db, table).await;
        for (name, ty) in [
            ("created_at", "datetime(6)"),
            ("updated_at", "datetime(6)"),
            ("deleted_at", "datetime(6)"),
            ("version", "bigint(20)"),
        ] {
            let found = cols.iter().find(|(c, _)| c == name);
            let (_, found_ty) = found.unwrap_or_else(|| panic!("{table}.{name} is missing"));
            assert!(
                found_ty.starts_with(ty.trim_end_matches("(20)")),
                "{table}.{name} is {found_ty}, want {ty}"
            );
        }
    }
}

#[tokio::test]
async fn resource_tables_carry_the_cloud_id_and_project() {
    let db = TestDb::new().await;
    for table in ["server", "volume", "network_interface", "security_group", "floating_ip"] {
        let cols = columns_of(&db, table).await;
        for name in [
            "id",
            "project_id",
            "openstack_id",
            "status",
            "pending_action",
            "last_synced_at",
        ] {
            assert!(cols.iter().any(|(c, _)| c == name), "{table}.{name} is missing");
        }
    }
}

#[tokio::test]
async fn list_queries_have_project_deleted_sort_indexes() {
    let db = TestDb::new().await;
    for (table, index) in [
        ("server", "ix_server_project_deleted_created"),
        ("volume", "ix_volume_project_deleted_created"),
        ("security_group", "ix_security_group_project_deleted_created"),
        ("floating_ip", "ix_floating_ip_project_deleted_created"),
        ("network_interface", "ix_network_interface_project_deleted_created"),
    ] {
        let cols: Vec<String> = sqlx::query_scalar(
            "SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ? ORDER BY SEQ_IN_INDEX",
        )
        .bind(table)
        .bind(index)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        assert_eq!(
            cols,
            ["project_id", "deleted_at", "created_at", "id"],
            "{table}.{index}"
        );
    }
}

#[tokio::test]
async fn migrations_are_reported_current_after_running() {
    let db = TestDb::new().await;
    assert!(db::migrations_are_current(&db.pool).await.unwrap());
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT v FROM (SELECT MAX(version) AS v FROM _sqlx_migrations) m)")
        .execute(&db.pool)
        .await
        .unwrap();
    assert!(!db::migrations_are_current(&db.pool).await.unwrap());
}

#[tokio::test]
async fn running_migrations_twice_changes_nothing() {
    let db = TestDb::new().await;
    db::run_migrations(&db.pool).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM domain")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, 1, "the default domain is seeded exactly once");
}

#[tokio::test]
async fn audit_events_cannot_be_updated_or_deleted() {
    let db = TestDb::new().await;
    sqlx::query("INSERT INTO audit_event (action, resource_type, outcome) VALUES ('user.create', 'user', 'success')")
        .execute(&db.pool)
        .await
        .unwrap();
    let update = sqlx::query("UPDATE audit_event SET outcome = 'failure'")
        .execute(&db.pool)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_event").execute(&db.pool).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let outcome: String = sqlx::query_scalar("SELECT outcome FROM audit_event")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(outcome, "success");
}

#[tokio::test]
async fn two_processes_migrating_one_fresh_database_at_once_both_succeed() {
    let db = TestDb::new().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE `{}_race`", db.name)))
        .execute(&db.pool)
        .await
        .unwrap();
    let url = format!("{}_race", db.url());
    let a = sqlx::MySqlPool::connect(&url).await.unwrap();
    let b = sqlx::MySqlPool::connect(&url).await.unwrap();

    let (ra, rb) = tokio::join!(db::run_migrations(&a), db::run_migrations(&b));

    let outcome = (ra.map_err(|e| format!("{e:?}")), rb.map_err(|e| format!("{e:?}")));
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE `{}_race`", db.name)))
        .execute(&db.pool)
        .await
        .unwrap();
    assert!(outcome.0.is_ok() && outcome.1.is_ok(), "{outcome:?}");
}
