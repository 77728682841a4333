//! What a pass did, counted the way `reconcile_run` records it.

use super::backoff::Deferred;

/// How applying one change went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Changed,
    /// Changed, and the change is itself a drift (e.g. a row whose cloud
    /// resource vanished).
    ChangedWithDrift,
    /// Recorded a drift finding; the row is untouched.
    Drift,
    /// Looked again and nothing needed doing.
    Unchanged,
    /// The row moved on meanwhile (version conflict); the next pass retries.
    Skipped,
    Failed(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    pub examined: u64,
    pub changed: u64,
    pub drift_found: u64,
    pub errors: u64,
    /// (resource, change) for people: the run-once table, the logs.
    pub lines: Vec<(String, String)>,
}

impl PassReport {
    const MAX_LINES: usize = 500;

    pub fn record(&mut self, (resource, change): (String, String), outcome: Outcome) {
        let note = match &outcome {
            Outcome::Changed => {
                self.changed += 1;
                None
            }
            Outcome::ChangedWithDrift => {
                self.changed += 1;
                self.drift_found += 1;
                None
            }
            Outcome::Drift => {
                self.drift_found += 1;
                None
            }
            Outcome::Unchanged => return,
            Outcome::Skipped => Some("skipped: changed meanwhile, retried next pass".to_owned()),
            Outcome::Failed(why) => {
                self.errors += 1;
                tracing::warn!(%resource, %change, error = %why, "reconcile change failed");
                Some(format!("failed: {why}"))
            }
        };
        self.push(resource, note.map_or(change.clone(), |n| format!("{change} ({n})")));
    }

    /// A dry run: what would be done.
    pub fn planned(&mut self, (resource, change): (String, String), is_drift: bool) {
        if is_drift {
            self.drift_found += 1;
        } else {
            self.changed += 1;
        }
        self.push(resource, change);
    }

    /// A change left for later: the resource is backing off after failures.
    pub fn deferred(&mut self, (resource, change): (String, String), deferred: Deferred) {
        self.push(resource, deferred.describe(&change));
    }

    fn push(&mut self, resource: String, change: String) {
        if self.lines.len() < Self::MAX_LINES {
            self.lines.push((resource, change));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> (String, String) {
        ("server 1".into(), "observe ACTIVE".into())
    }

    #[test]
    fn each_outcome_counts_where_the_run_history_expects_it() {
        let mut r = PassReport::default();
        r.record(line(), Outcome::Changed);
        r.record(line(), Outcome::ChangedWithDrift);
        r.record(line(), Outcome::Drift);
        r.record(line(), Outcome::Unchanged);
        r.record(line(), Outcome::Skipped);
        r.record(line(), Outcome::Failed("boom".into()));
        assert_eq!((r.changed, r.drift_found, r.errors), (2, 2, 1));
        assert_eq!(r.lines.len(), 5, "unchanged is not listed");
        assert!(r.lines[4].1.ends_with("(failed: boom)"));
    }

    #[test]
    fn a_deferred_change_is_listed_but_not_counted() {
        let mut r = PassReport::default();
        let until = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        r.deferred(line(), Deferred { until, failures: 3 });
        assert_eq!((r.changed, r.drift_found, r.errors), (0, 0, 0));
        assert_eq!(
            r.lines[0].1,
            "observe ACTIVE (deferred until 00:00:00 after 3 failures)"
        );
    }
}
