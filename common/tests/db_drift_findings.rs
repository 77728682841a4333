//! Drift findings are recorded once while open, refreshed when seen again.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use common::infrastructure::db::drift_findings::{self, DriftKind, NewFinding};
use test_support::TestDb;

fn unmanaged(cloud_value: &str) -> NewFinding<'_> {
    NewFinding {
        kind: DriftKind::UnmanagedInCloud,
        resource_type: "server",
        resource_id: None,
        project_id: None,
        openstack_id: Some("os-1"),
        field: "",
        our_value: None,
        cloud_value: Some(cloud_value),
    }
}

#[tokio::test]
async fn seeing_the_same_drift_twice_keeps_one_open_finding_with_the_latest_value() {
    let db = TestDb::new().await;
    assert!(drift_findings::record(&db.pool, &unmanaged("web-1")).await.unwrap());
    assert!(
        !drift_findings::record(&db.pool, &unmanaged("web-1 renamed"))
            .await
            .unwrap()
    );

    let open = drift_findings::list_open(&db.pool, "server").await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].cloud_value.as_deref(), Some("web-1 renamed"));
    assert!(open[0].last_seen_at >= open[0].first_seen_at);
}

#[tokio::test]
async fn a_resolved_finding_does_not_absorb_a_new_one() {
    let db = TestDb::new().await;
    drift_findings::record(&db.pool, &unmanaged("web-1")).await.unwrap();
    sqlx::query("UPDATE drift_finding SET resolved_at = UTC_TIMESTAMP(6), resolution = 'ignore'")
        .execute(&db.pool)
        .await
        .unwrap();
    assert!(drift_findings::record(&db.pool, &unmanaged("web-1")).await.unwrap());
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drift_finding")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(total, 2);
}

#[tokio::test]
async fn findings_about_different_fields_are_separate() {
    let db = TestDb::new().await;
    let mut size = unmanaged("20");
    size.kind = DriftKind::FieldMismatch;
    size.field = "size_gb";
    let mut name = size.clone();
    name.field = "name";
    drift_findings::record(&db.pool, &size).await.unwrap();
    drift_findings::record(&db.pool, &name).await.unwrap();
    assert_eq!(drift_findings::list_open(&db.pool, "server").await.unwrap().len(), 2);
}
