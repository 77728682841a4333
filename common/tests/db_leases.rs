//! The job lease on a real server: one holder at a time, renewable, and
//! expiring when its holder stops renewing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use common::infrastructure::db::leases;
use test_support::TestDb;

const TTL: Duration = Duration::from_millis(800);

#[tokio::test]
async fn a_second_owner_is_refused_while_the_lease_is_live() {
    let db = TestDb::new().await;
    assert!(leases::acquire(&db.pool, "servers", "a", TTL).await.unwrap());
    assert!(!leases::acquire(&db.pool, "servers", "b", TTL).await.unwrap());
    assert_eq!(leases::holder(&db.pool, "servers").await.unwrap().as_deref(), Some("a"));
}

#[tokio::test]
async fn the_holder_can_renew_and_keeps_the_lease() {
    let db = TestDb::new().await;
    assert!(leases::acquire(&db.pool, "servers", "a", TTL).await.unwrap());
    tokio::time::sleep(TTL / 2).await;
    assert!(leases::acquire(&db.pool, "servers", "a", TTL).await.unwrap());
    tokio::time::sleep(TTL / 2 + Duration::from_millis(100)).await;
    assert!(
        !leases::acquire(&db.pool, "servers", "b", TTL).await.unwrap(),
        "renewal extended the lease"
    );
}

#[tokio::test]
async fn an_expired_lease_passes_to_another_owner() {
    let db = TestDb::new().await;
    assert!(leases::acquire(&db.pool, "servers", "a", TTL).await.unwrap());
    tokio::time::sleep(TTL + Duration::from_millis(200)).await;
    assert!(leases::acquire(&db.pool, "servers", "b", TTL).await.unwrap());
    assert!(
        !leases::acquire(&db.pool, "servers", "a", TTL).await.unwrap(),
        "the old holder lost it"
    );
}

#[tokio::test]
async fn a_released_lease_is_free_at_once() {
    let db = TestDb::new().await;
    assert!(leases::acquire(&db.pool, "servers", "a", TTL).await.unwrap());
    leases::release(&db.pool, "servers", "a").await.unwrap();
    assert!(leases::acquire(&db.pool, "servers", "b", TTL).await.unwrap());
}

#[tokio::test]
async fn only_the_holder_can_release() {
    let db = TestDb::new().await;
    assert!(leases::acquire(&db.pool, "servers", "a", TTL).await.unwrap());
    leases::release(&db.pool, "servers", "b").await.unwrap();
    assert_eq!(leases::holder(&db.pool, "servers").await.unwrap().as_deref(), Some("a"));
}

#[tokio::test]
async fn leases_of_different_jobs_are_independent() {
    let db = TestDb::new().await;
    assert!(leases::acquire(&db.pool, "servers", "a", TTL).await.unwrap());
    assert!(leases::acquire(&db.pool, "volumes", "b", TTL).await.unwrap());
}
