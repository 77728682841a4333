//! Security group rules on a real server: creates in different projects do
//! not lock each other out (they used to deadlock under concurrent load).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use common::domain::security_group_rule::{Direction, EtherType, Protocol, Rule};
use common::infrastructure::db::{self, security_groups};
use sqlx::MySqlConnection;
use test_support::TestDb;

fn ssh() -> Rule {
    Rule {
        protocol: Some(Protocol::Tcp),
        ether_type: EtherType::IPv4,
        direction: Direction::Ingress,
        port_range_min: Some(22),
        port_range_max: Some(22),
        remote_ip_prefix: Some("10.0.0.0/8".to_owned()),
    }
}

async fn add_project(db: &TestDb, name: &str) -> i64 {
    let result = sqlx::query(
        "INSERT INTO project (domain_id, name, provider, openstack_id, status) VALUES (1, ?, 'openstack', ?, 'ACTIVE')",
    )
    .bind(name)
    .bind(format!("os-{name}"))
    .execute(&db.pool)
    .await
    .unwrap();
    result.last_insert_id() as i64
}

/// What the create use case writes in its transaction: the group, then its rules.
async fn create_group(conn: &mut MySqlConnection, project_id: i64, name: &str) -> i64 {
    let id = security_groups::insert(conn, project_id, name, "").await.unwrap();
    security_groups::insert_rules(conn, id, &[ssh()]).await.unwrap();
    id
}

#[tokio::test]
async fn a_create_in_one_project_does_not_wait_for_an_open_create_in_another() {
    let db = TestDb::new().await;
    let (alpha, beta) = (add_project(&db, "alpha").await, add_project(&db, "beta").await);
    let mut first = db::begin(&db.pool).await.unwrap();
    let mut second = db::begin(&db.pool).await.unwrap();
    sqlx::query("SET SESSION innodb_lock_wait_timeout = 1")
        .execute(&mut *second)
        .await
        .unwrap();

    let a = create_group(&mut first, alpha, "web").await;
    let b = security_groups::insert(&mut second, beta, "web", "").await.unwrap();
    let written = security_groups::insert_rules(&mut second, b, &[ssh(), ssh()]).await;
    assert!(
        written.is_ok(),
        "the second create waited on the first one's locks: {written:?}"
    );
    second.commit().await.unwrap();
    first.commit().await.unwrap();

    let rules = security_groups::rules_of(&db.pool, &[a, b]).await.unwrap();
    assert_eq!(rules.iter().filter(|r| r.security_group_id == a).count(), 1);
    assert_eq!(rules.iter().filter(|r| r.security_group_id == b).count(), 2);
}

#[tokio::test]
async fn replacing_rules_retires_the_old_set_and_stores_the_new_one() {
    let db = TestDb::new().await;
    let project = add_project(&db, "alpha").await;
    let mut conn = db.pool.acquire().await.unwrap();
    let id = create_group(&mut conn, project, "web").await;
    let mut https = ssh();
    https.port_range_min = Some(443);
    https.port_range_max = Some(443);
    security_groups::replace_rules(&mut conn, id, &[https.clone()])
        .await
        .unwrap();
    let live: Vec<Rule> = security_groups::rules_of(&db.pool, &[id])
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.rule)
        .collect();
    assert_eq!(live, [https]);
}
