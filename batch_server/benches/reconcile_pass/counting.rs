//! What the process itself did: the SQL statements sqlx ran (its
//! `sqlx::query` events, so other users of the database server do not blur
//! the figure), how many of them wrote, and its resident memory.

use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};

static STATEMENTS: AtomicU64 = AtomicU64::new(0);
static WRITES: AtomicU64 = AtomicU64::new(0);

pub struct CountStatements;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
        let mut summary = Summary(String::new());
        event.record(&mut summary);
        let verb = summary
            .0
            .trim_start_matches('"')
            .split_whitespace()
            .next()
            .unwrap_or("");
        if ["UPDATE", "INSERT", "DELETE", "REPLACE"]
            .iter()
            .any(|w| verb.eq_ignore_ascii_case(w))
        {
            WRITES.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// sqlx's `summary` field: the statement's first words.
struct Summary(String);

impl Visit for Summary {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "summary" {
            value.clone_into(&mut self.0);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}");
        }
    }
}

/// (statements, writes) so far.
pub fn statements() -> (u64, u64) {
    (STATEMENTS.load(Ordering::Relaxed), WRITES.load(Ordering::Relaxed))
}

/// A line of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
pub fn status_kib(key: &str) -> Option<u64> {
    test_support::proc_status::own_kib(key)
}

/// Starts a new peak (`VmHWM`) from the current RSS; false where the kernel
/// does not allow it.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
