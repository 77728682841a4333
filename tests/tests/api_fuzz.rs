//! Fuzzes the public API from its own OpenAPI document with schemathesis:
//! no 5xx, and every status code, content type and body as documented.
//! Run by `scripts/fuzz-api.sh`, which installs schemathesis and names it in
//! `SCHEMATHESIS`; ignored in the ordinary suite.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use e2e::Stack;
use e2e::tenant::{self, Caller};
use e2e::tenant_resources;

/// What every response is checked for.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";

/// Operations that end the session the run authenticates with (a logout,
/// deleting or unjoining the caller): after one of them every later case
/// would only see 401. Their answers are covered by api_server's tests.
const ENDS_THE_SESSION: &[&str] = &[
    "POST /auth/logout",
    "DELETE /users/{id}",
    "DELETE /projects/{id}/users/{user_id}",
];

/// One schemathesis run over the operations matching `include_path_regex`
/// as `caller`; panics unless it finds nothing.
fn schemathesis(
    stack: &Stack,
    caller: &Caller,
    label: &str,
    include_path_regex: &str,
    exclude_path_regex: Option<&str>,
) {
    let binary =
        std::env::var("SCHEMATHESIS").expect("SCHEMATHESIS names the schemathesis binary (scripts/fuzz-api.sh)");
    let examples = std::env::var("FUZZ_MAX_EXAMPLES").unwrap_or_else(|_| "20".into());
    let seed = std::env::var("FUZZ_SEED").unwrap_or_else(|_| "1".into());
    let mut cmd = Command::new(binary);
    // Its cache and reports go beside the servers' logs, not into the repository.
    cmd.current_dir(stack.log_dir())
        .arg("run")
        .arg(format!("{}/openapi.json", stack.api_url))
        .args(["--url", &stack.api_url])
        .args(["--checks", CHECKS])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--max-examples", &examples])
        .args(["--seed", &seed])
        .args(["--workers", "2"])
        .args(["--request-timeout", "30"])
        .args(["--include-path-regex", include_path_regex])
        .args(["--header", &format!("Authorization: Bearer {}", caller.token)])
        .arg("--continue-on-failure")
        .arg("--no-color");
    if let Some(regex) = exclude_path_regex {
        cmd.args(["--exclude-path-regex", regex]);
    }
    for op in ENDS_THE_SESSION {
        cmd.args(["--exclude-name", op]);
    }
    println!("== schemathesis, {label}: {examples} examples per operation, seed {seed}");
    let status = cmd.status().expect("schemathesis starts");
    assert!(
        status.success(),
        "schemathesis found problems in the {label} run ({status}); logs of the servers in {}",
        stack.log_dir().display()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs schemathesis; run by scripts/fuzz-api.sh"]
async fn fuzzing_the_api_from_its_document_finds_no_server_error_and_no_contradiction() {
    let stack = Stack::start().await;
    let admin = tenant::admin(&stack, None).await;
    let fuzzed = tenant::tenant(&stack, &admin, "fuzzed", "fuzz-member").await;
    let catalog = tenant_resources::catalog(&fuzzed.member).await;
    tenant_resources::create_all(&fuzzed.member, &catalog, "fuzz").await;

    let member = fuzzed.member.clone();
    let admin_run = admin.clone();
    tokio::task::spawn_blocking(move || {
        schemathesis(&stack, &member, "project member", ".*", Some("^/admin/"));
        schemathesis(&stack, &admin_run, "admin", "^/(admin|users|projects)", None);
    })
    .await
    .unwrap();
}
