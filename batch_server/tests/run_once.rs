//! `batch_server run-once` on a real database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use test_support::TestDb;

fn run_once(db: &TestDb, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_batch_server"))
        .arg("run-once")
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn expired_keys(db: &TestDb, n: i64) {
    for i in 0..n {
        sqlx::query(
            "INSERT INTO idempotency_key (user_id, idempotency_key, method, path, request_hash, expires_at) \
             VALUES (1, ?, 'POST', '/servers', REPEAT('0', 64), TIMESTAMPADD(HOUR, -1, UTC_TIMESTAMP(6)))",
        )
        .bind(format!("k{i}"))
        .execute(&db.pool)
        .await
        .unwrap();
    }
}

async fn key_count(db: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_key")
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_dry_run_reports_what_it_would_purge_and_purges_nothing() {
    let db = TestDb::new().await;
    expired_keys(&db, 2).await;

    let (code, stdout, stderr) = run_once(&db, &["--job", "housekeeping", "--dry-run"]);

    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("housekeeping: examined 2, would change 0"), "{stdout}");
    assert!(
        stdout.contains("idempotency_key  would purge 2 expired rows"),
        "{stdout}"
    );
    assert_eq!(key_count(&db).await, 2);
    let runs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM reconcile_run")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(runs, 0, "a dry run records no run");
}

#[tokio::test]
async fn a_real_pass_purges_and_is_recorded_as_a_cli_run() {
    let db = TestDb::new().await;
    expired_keys(&db, 3).await;

    let (code, stdout, stderr) = run_once(&db, &["--job", "housekeeping"]);

    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("examined 3, changed 3"), "{stdout}");
    assert_eq!(key_count(&db).await, 0);
    let trigger: String = sqlx::query_scalar("SELECT trigger_source FROM reconcile_run")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(trigger, "cli");
}

#[tokio::test]
async fn an_unknown_job_exits_2_and_lists_the_jobs() {
    let db = TestDb::new().await;
    let (code, _, stderr) = run_once(&db, &["--job", "nope"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("unknown job \"nope\"; jobs: housekeeping"), "{stderr}");
}

#[tokio::test]
async fn a_bad_argument_exits_2_with_usage() {
    let db = TestDb::new().await;
    let (code, _, stderr) = run_once(&db, &["--job"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("usage:"), "{stderr}");
}
