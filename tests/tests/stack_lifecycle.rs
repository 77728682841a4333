//! The three real binaries start against a fresh database, answer, and stop
//! cleanly on SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use e2e::Stack;
use e2e::stack::client;

#[tokio::test]
async fn all_three_processes_answer_and_stop_cleanly_on_sigterm() {
    let mut stack = Stack::start().await;
    let http = client();

    let ready: serde_json::Value = http
        .get(format!("{}/ready", stack.api_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["status"], "ready");
    let batch = http.get(format!("{}/metrics", stack.batch_url)).send().await.unwrap();
    assert_eq!(batch.status(), 200);
    let migrated: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = 1")
        .fetch_one(&stack.db.pool)
        .await
        .unwrap();
    assert!(migrated > 20, "the database was migrated by the servers");

    for process in [&mut stack.batch, &mut stack.api, &mut stack.sim] {
        let status = process.stop_with("TERM", Duration::from_secs(20));
        let status = status.unwrap_or_else(|| panic!("{} did not stop within 20 s:\n{}", process.name, process.logs()));
        assert!(
            status.success(),
            "{} exited with {status}:\n{}",
            process.name,
            process.logs()
        );
    }
}
