//! Live-only uniqueness, optimistic versions and soft delete, through the
//! user repository on a real server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use common::domain::user::{AccountId, Role, UserName};
use common::error::ErrorKind;
use common::infrastructure::db::{self, users};
use test_support::TestDb;

async fn add_user(db: &TestDb, account: &str) -> Result<i64, common::error::AppError> {
    let mut conn = db.pool.acquire().await.unwrap();
    users::insert(
        &mut conn,
        users::NewUser {
            domain_id: 1,
            account_id: &AccountId::parse(account).unwrap(),
            name: &UserName::parse("Someone").unwrap(),
            password_hash: "$argon2id$placeholder",
            role: Role::Member,
        },
    )
    .await
}

#[tokio::test]
async fn two_live_users_cannot_share_an_account_id() {
    let db = TestDb::new().await;
    add_user(&db, "alice").await.unwrap();
    let err = add_user(&db, "alice").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(err.code, "USER_ACCOUNT_ID_DUPLICATE");
}

#[tokio::test]
async fn a_deleted_user_frees_its_account_id() {
    let db = TestDb::new().await;
    let first = add_user(&db, "alice").await.unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    users::delete(&mut conn, first, 1).await.unwrap();
    let second = add_user(&db, "alice").await.unwrap();
    assert_ne!(first, second);
    let live = users::find_by_account_id(&db.pool, "alice").await.unwrap().unwrap();
    assert_eq!(live.id, second);
}

#[tokio::test]
async fn a_stale_version_update_is_a_conflict_and_changes_nothing() {
    let db = TestDb::new().await;
    let id = add_user(&db, "alice").await.unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    users::rename(&mut conn, id, 1, &UserName::parse("First").unwrap())
        .await
        .unwrap();

    let err = users::rename(&mut conn, id, 1, &UserName::parse("Stale").unwrap())
        .await
        .unwrap_err();

    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(err.code, "OPTIMISTIC_LOCK_CONFLICT");
    let user = users::find(&db.pool, id).await.unwrap().unwrap();
    assert_eq!(user.name, "First");
    assert_eq!(user.version, 2);
}

#[tokio::test]
async fn a_stale_version_delete_is_a_conflict_and_keeps_the_row() {
    let db = TestDb::new().await;
    let id = add_user(&db, "alice").await.unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    let err = users::delete(&mut conn, id, 7).await.unwrap_err();
    assert_eq!(err.code, "OPTIMISTIC_LOCK_CONFLICT");
    assert!(users::find(&db.pool, id).await.unwrap().is_some());
}

#[tokio::test]
async fn soft_deleted_rows_are_invisible_to_default_reads() {
    let db = TestDb::new().await;
    let id = add_user(&db, "alice").await.unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    users::delete(&mut conn, id, 1).await.unwrap();

    assert!(users::find(&db.pool, id).await.unwrap().is_none());
    assert!(users::find_by_account_id(&db.pool, "alice").await.unwrap().is_none());
    let history = users::find_including_deleted(&db.pool, id).await.unwrap().unwrap();
    assert!(history.deleted_at.is_some());
    assert_eq!(history.version, 2);
}

#[tokio::test]
async fn a_transaction_dropped_without_commit_leaves_nothing() {
    let db = TestDb::new().await;
    {
        let mut tx = db::begin(&db.pool).await.unwrap();
        users::insert(
            &mut tx,
            users::NewUser {
                domain_id: 1,
                account_id: &AccountId::parse("ghost").unwrap(),
                name: &UserName::parse("Ghost").unwrap(),
                password_hash: "x",
                role: Role::Member,
            },
        )
        .await
        .unwrap();
    }
    assert!(users::find_by_account_id(&db.pool, "ghost").await.unwrap().is_none());
}

#[tokio::test]
async fn timestamps_are_stored_in_utc() {
    let db = TestDb::new().await;
    let before = chrono::Utc::now();
    let id = add_user(&db, "alice").await.unwrap();
    let user = users::find(&db.pool, id).await.unwrap().unwrap();
    let skew = (user.created_at - before).num_seconds().abs();
    assert!(
        skew < 5,
        "created_at {} is {skew}s away from now {before}",
        user.created_at
    );
}

#[tokio::test]
async fn a_deadlock_is_a_conflict_not_an_internal_error() {
    let db = TestDb::new().await;
    let a = add_user(&db, "alice").await.unwrap();
    let b = add_user(&db, "bobby").await.unwrap();
    let mut t1 = db::begin(&db.pool).await.unwrap();
    let mut t2 = db::begin(&db.pool).await.unwrap();
    sqlx::query("SELECT id FROM user WHERE id = ? FOR UPDATE")
        .bind(a)
        .execute(&mut *t1)
        .await
        .unwrap();
    sqlx::query("SELECT id FROM user WHERE id = ? FOR UPDATE")
        .bind(b)
        .execute(&mut *t2)
        .await
        .unwrap();

    let lock_b = sqlx::query("SELECT id FROM user WHERE id = ? FOR UPDATE")
        .bind(b)
        .execute(&mut *t1);
    let lock_a = sqlx::query("SELECT id FROM user WHERE id = ? FOR UPDATE")
        .bind(a)
        .execute(&mut *t2);
    let (r1, r2) = tokio::join!(lock_b, lock_a);

    let loser = [r1.err(), r2.err()]
        .into_iter()
        .flatten()
        .next()
        .expect("the server picks a deadlock victim");
    let err = common::error::AppError::from(loser);
    assert_eq!(err.kind, ErrorKind::Conflict);
    assert_eq!(err.code, "OPTIMISTIC_LOCK_CONFLICT");
}
