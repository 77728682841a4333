//! The command line: no arguments serves; `run-once --job NAME [--dry-run]`
//! runs one pass in the foreground and prints what it did.

use std::fmt::Write;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use crate::jobs::{Job, Pass, PassContext};
use crate::runner::Runner;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve,
    RunOnce { job: String, dry_run: bool },
    Help,
}

pub const USAGE: &str = "usage: batch_server                          serve: run the scheduled jobs\n       batch_server run-once --job NAME [--dry-run]\n                                              one pass in the foreground; exit code 1 on errors";

pub fn parse(args: &[String]) -> Result<Command, String> {
    match args.first().map(String::as_str) {
        None | Some("serve") => Ok(Command::Serve),
        Some("-h") | Some("--help") | Some("help") => Ok(Command::Help),
        Some("run-once") => {
            let mut job = None;
            let mut dry_run = false;
            let mut rest = args[1..].iter();
            while let Some(arg) = rest.next() {
                match arg.as_str() {
                    "--job" => job = rest.next().cloned(),
                    "--dry-run" => dry_run = true,
                    other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
                }
            }
            let job = job.ok_or_else(|| format!("run-once needs --job NAME\n{USAGE}"))?;
            Ok(Command::RunOnce { job, dry_run })
        }
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}")),
    }
}

/// Runs one pass (under the job's lease unless dry) and prints a summary.
/// Returns the process exit code: 0 when the pass had no errors.
pub async fn run_once(jobs: &[Arc<dyn Job>], runner: &Runner, name: &str, dry_run: bool) -> u8 {
    let Some(job) = jobs.iter().find(|j| j.name() == name) else {
        let names: Vec<&str> = jobs.iter().map(|j| j.name()).collect();
        eprintln!("unknown job {name:?}; jobs: {}", names.join(", "));
        return 2;
    };
    let spinner = ProgressBar::new_spinner();
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(format!("{}{name}", if dry_run { "dry run of " } else { "" }));
    spinner.enable_steady_tick(Duration::from_millis(120));

    let result = if dry_run {
        let stop = CancellationToken::new();
        job.run(PassContext {
            stop: &stop,
            dry_run: true,
        })
        .await
        .map(Some)
    } else {
        runner.run_pass_reporting(job.as_ref(), "cli").await
    };
    spinner.finish_and_clear();
    match result {
        Ok(Some(pass)) => {
            print!("{}", summary(name, dry_run, &pass));
            u8::from(pass.counts.errors > 0)
        }
        Ok(None) => {
            eprintln!("{name} is running on another replica (its lease is held); nothing done");
            1
        }
        Err(e) => {
            eprintln!("{name} failed: {e:?}");
            1
        }
    }
}

pub fn summary(name: &str, dry_run: bool, pass: &Pass) -> String {
    let c = pass.counts;
    let mut out = String::new();
    let verb = if dry_run { "would change" } else { "changed" };
    let _ = writeln!(
        out,
        "{name}: examined {}, {verb} {}, drift {}, errors {}",
        c.examined, c.changed, c.drift_found, c.errors
    );
    if !pass.changes.is_empty() {
        let width = pass.changes.iter().map(|l| l.resource.len()).max().unwrap_or(8).max(8);
        let _ = writeln!(out, "{:width$}  change", "resource");
        for line in &pass.changes {
            let _ = writeln!(out, "{:width$}  {}", line.resource, line.change);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::ChangeLine;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn no_arguments_serve() {
        assert_eq!(parse(&[]), Ok(Command::Serve));
    }

    #[test]
    fn run_once_reads_the_job_and_dry_run() {
        assert_eq!(
            parse(&args("run-once --job servers --dry-run")),
            Ok(Command::RunOnce {
                job: "servers".into(),
                dry_run: true
            })
        );
    }

    #[test]
    fn run_once_without_a_job_is_refused() {
        assert!(parse(&args("run-once")).unwrap_err().contains("needs --job"));
    }

    #[test]
    fn an_unknown_flag_is_refused_with_usage() {
        assert!(parse(&args("run-once --job x --force")).unwrap_err().contains("usage:"));
    }

    #[test]
    fn the_summary_lists_each_change() {
        let mut pass = Pass::default();
        pass.counts.examined = 3;
        pass.counts.changed = 1;
        pass.changes.push(ChangeLine {
            resource: "server 7".into(),
            change: "BUILD -> ACTIVE".into(),
        });
        let text = summary("servers", true, &pass);
        assert!(
            text.starts_with("servers: examined 3, would change 1, drift 0, errors 0\n"),
            "{text}"
        );
        assert!(text.contains("server 7  BUILD -> ACTIVE"), "{text}");
    }
}
