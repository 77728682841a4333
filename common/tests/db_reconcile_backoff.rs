//! The reconcile backoff table on a real server: one entry per resource,
//! overwritten by each failure, gone after a clear, kinds kept apart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, DurationRound, Utc};
use common::infrastructure::db::reconcile_backoff;
use test_support::TestDb;

#[tokio::test]
async fn a_second_failure_overwrites_the_first_entry() {
    let db = TestDb::new().await;
    let at = Utc::now().duration_trunc(Duration::microseconds(1)).unwrap();
    reconcile_backoff::record_failure(&db.pool, "server", 7, 1, at, "503")
        .await
        .unwrap();
    let later = at + Duration::seconds(120);
    reconcile_backoff::record_failure(&db.pool, "server", 7, 2, later, "timed out")
        .await
        .unwrap();

    let entries = reconcile_backoff::list(&db.pool, "server").await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].resource_id, entries[0].failures, entries[0].next_attempt_at),
        (7, 2, later)
    );
    assert_eq!(entries[0].last_error.as_deref(), Some("timed out"));
}

#[tokio::test]
async fn entries_of_one_kind_are_not_listed_or_cleared_with_another() {
    let db = TestDb::new().await;
    let at = Utc::now();
    reconcile_backoff::record_failure(&db.pool, "server", 1, 1, at, "x")
        .await
        .unwrap();
    reconcile_backoff::record_failure(&db.pool, "volume", 1, 1, at, "x")
        .await
        .unwrap();

    reconcile_backoff::clear(&db.pool, "server", &[1]).await.unwrap();

    assert!(reconcile_backoff::list(&db.pool, "server").await.unwrap().is_empty());
    assert_eq!(reconcile_backoff::list(&db.pool, "volume").await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_long_error_is_cut_to_a_thousand_characters() {
    let db = TestDb::new().await;
    let long = "e".repeat(5000);
    reconcile_backoff::record_failure(&db.pool, "port", 3, 1, Utc::now(), &long)
        .await
        .unwrap();
    let entry = &reconcile_backoff::list(&db.pool, "port").await.unwrap()[0];
    assert_eq!(entry.last_error.as_ref().map(String::len), Some(1000));
}

#[tokio::test]
async fn clearing_nothing_is_harmless() {
    let db = TestDb::new().await;
    reconcile_backoff::record_failure(&db.pool, "server", 1, 1, Utc::now(), "x")
        .await
        .unwrap();
    reconcile_backoff::clear(&db.pool, "server", &[]).await.unwrap();
    assert_eq!(reconcile_backoff::list(&db.pool, "server").await.unwrap().len(), 1);
}

#[tokio::test]
async fn entries_of_deleted_or_missing_rows_are_orphans_and_cleared() {
    let db = TestDb::new().await;
    let project = sqlx::query(
        "INSERT INTO project (domain_id, name, provider, openstack_id, status) VALUES (1, 'p1', 'openstack', 'c1', 'ACTIVE')",
    )
    .execute(&db.pool)
    .await
    .unwrap()
    .last_insert_id();
    let group = |deleted: bool| {
        let pool = db.pool.clone();
        async move {
            sqlx::query(
                "INSERT INTO security_group (project_id, name, status, deleted_at) \
                 VALUES (?, UUID(), 'ACTIVE', IF(?, UTC_TIMESTAMP(6), NULL))",
            )
            .bind(project)
            .bind(deleted)
            .execute(&pool)
            .await
            .unwrap()
            .last_insert_id() as i64
        }
    };
    let live = group(false).await;
    let deleted = group(true).await;
    for id in [live, deleted, 999_999] {
        reconcile_backoff::record_failure(&db.pool, "security_group", id, 1, Utc::now(), "x")
            .await
            .unwrap();
    }

    let cleared = reconcile_backoff::clear_orphans(&db.pool, "security_group")
        .await
        .unwrap();

    assert_eq!(cleared, 2);
    let left: Vec<i64> = reconcile_backoff::list(&db.pool, "security_group")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.resource_id)
        .collect();
    assert_eq!(left, [live]);
}
