#![allow(clippy::unwrap_used, clippy::expect_used)]

//! A bad setting stops the binary at once with one line naming the variable.

use std::process::Command;

fn run_with(env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_api_server"));
    cmd.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.current_dir(std::env::temp_dir());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("api_server runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn missing_jwt_secret_stops_with_one_line_naming_it() {
    let (code, stderr) = run_with(&[("DATABASE_URL", "mysql://root@127.0.0.1:3306/x")]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("JWT_SECRET is required"), "{stderr}");
}

#[test]
fn unparsable_database_url_stops_with_one_line_naming_it() {
    let (code, stderr) = run_with(&[("DATABASE_URL", "not a url"), ("JWT_SECRET", &"s".repeat(40))]);
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("DATABASE_URL is not a valid mysql:// URL"), "{stderr}");
}
