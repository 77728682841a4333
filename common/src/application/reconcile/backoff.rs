//! Per-resource backoff: a resource whose change failed (a direct get that
//! answered 5xx or timed out, a write that failed) is left alone until its
//! next attempt time, `base * 2^(failures-1)` capped at `max` after the last
//! failure. A success forgets the failures. Backoff only delays a change; it
//! never decides one.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sqlx::MySqlPool;

use super::listing::Listing;
use super::report::Outcome;
use crate::error::AppResult;
use crate::infrastructure::db::reconcile_backoff::{self, BackoffEntry};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// Wait after the first failure.
    pub base: Duration,
    /// Longest wait, however many failures.
    pub max: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self {
            base: Duration::seconds(60),
            max: Duration::hours(1),
        }
    }
}

impl BackoffPolicy {
    /// How long to leave a resource alone after its `failures`-th failure in a row.
    pub fn delay(&self, failures: u32) -> Duration {
        let factor = 1i32.checked_shl(failures.saturating_sub(1)).filter(|f| *f > 0);
        factor
            .and_then(|f| self.base.checked_mul(f))
            .map_or(self.max, |d| d.min(self.max))
    }
}

/// What one change's outcome means for the resource's backoff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Another failure: wait until `next_attempt_at`.
    Failed {
        failures: u32,
        next_attempt_at: DateTime<Utc>,
        error: String,
    },
    /// It worked: forget earlier failures.
    Clear,
    /// Nothing to store.
    Keep,
}

pub fn verdict(
    policy: &BackoffPolicy,
    earlier_failures: Option<u32>,
    outcome: &Outcome,
    now: DateTime<Utc>,
) -> Verdict {
    match outcome {
        Outcome::Failed(why) => {
            let failures = earlier_failures.unwrap_or(0).saturating_add(1);
            Verdict::Failed {
                failures,
                next_attempt_at: now + policy.delay(failures),
                error: why.clone(),
            }
        }
        // The row moved on meanwhile: neither a failure nor proof of health.
        Outcome::Skipped => Verdict::Keep,
        _ if earlier_failures.is_some() => Verdict::Clear,
        _ => Verdict::Keep,
    }
}

/// Entries a pass can forget: a complete listing showed their resource,
/// one of the rows the pass looked at, needing nothing.
pub fn settled(entries: &[i64], rows: &HashSet<i64>, touched: &HashSet<i64>, listing: Listing) -> Vec<i64> {
    if !listing.is_complete() {
        return Vec::new();
    }
    entries
        .iter()
        .copied()
        .filter(|id| rows.contains(id) && !touched.contains(id))
        .collect()
}

/// A resource whose next attempt is still ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deferred {
    pub until: DateTime<Utc>,
    pub failures: u32,
}

impl Deferred {
    pub fn describe(&self, change: &str) -> String {
        format!(
            "{change} (deferred until {} after {} failure{})",
            self.until.format("%H:%M:%S"),
            self.failures,
            if self.failures == 1 { "" } else { "s" }
        )
    }
}

/// The failing resources of one kind during one pass.
pub struct Backoff<'a> {
    pool: &'a MySqlPool,
    resource_type: &'static str,
    policy: BackoffPolicy,
    now: DateTime<Utc>,
    entries: HashMap<i64, BackoffEntry>,
    touched: HashSet<i64>,
}

impl<'a> Backoff<'a> {
    pub async fn load(
        pool: &'a MySqlPool,
        resource_type: &'static str,
        policy: BackoffPolicy,
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        let entries = reconcile_backoff::list(pool, resource_type)
            .await?
            .into_iter()
            .map(|e| (e.resource_id, e))
            .collect();
        Ok(Self {
            pool,
            resource_type,
            policy,
            now,
            entries,
            touched: HashSet::new(),
        })
    }

    /// `Some` when the resource must be left alone this pass.
    pub fn deferred(&mut self, resource_id: Option<i64>) -> Option<Deferred> {
        let id = resource_id?;
        self.touched.insert(id);
        let entry = self.entries.get(&id)?;
        (entry.next_attempt_at > self.now).then(|| Deferred {
            until: entry.next_attempt_at,
            failures: failures_of(entry),
        })
    }

    /// Records what acting on the resource did to its backoff. Storing it
    /// is best effort: a lost record only means an earlier retry.
    pub async fn settle(&mut self, resource_id: Option<i64>, outcome: &Outcome) {
        let Some(id) = resource_id else { return };
        let earlier = self.entries.get(&id).map(failures_of);
        let stored = match verdict(&self.policy, earlier, outcome, self.now) {
            Verdict::Keep => Ok(()),
            Verdict::Clear => {
                self.entries.remove(&id);
                reconcile_backoff::clear(self.pool, self.resource_type, &[id]).await
            }
            Verdict::Failed {
                failures,
                next_attempt_at,
                error,
            } => {
                tracing::info!(
                    resource_type = self.resource_type,
                    resource_id = id,
                    failures,
                    %next_attempt_at,
                    "reconcile backs off"
                );
                let count = i32::try_from(failures).unwrap_or(i32::MAX);
                reconcile_backoff::record_failure(self.pool, self.resource_type, id, count, next_attempt_at, &error)
                    .await
            }
        };
        if let Err(e) = stored {
            tracing::warn!(resource_type = self.resource_type, resource_id = id, error = ?e, "backoff not stored");
        }
    }

    /// Forgets the failures of resources among `rows` (the rows the pass
    /// looked at) that a complete listing found needing nothing, and of
    /// resources whose row is deleted.
    pub async fn finish(&self, listing: Listing, rows: impl IntoIterator<Item = i64>) {
        let ids: Vec<i64> = self.entries.keys().copied().collect();
        let rows: HashSet<i64> = rows.into_iter().collect();
        let done = settled(&ids, &rows, &self.touched, listing);
        let cleared = match reconcile_backoff::clear(self.pool, self.resource_type, &done).await {
            Ok(()) => reconcile_backoff::clear_orphans(self.pool, self.resource_type)
                .await
                .map(|_| ()),
            Err(e) => Err(e),
        };
        if let Err(e) = cleared {
            tracing::warn!(resource_type = self.resource_type, error = ?e, "backoff not cleared");
        }
    }
}

fn failures_of(entry: &BackoffEntry) -> u32 {
    u32::try_from(entry.failures).unwrap_or(0)
}

#[cfg(test)]
mod tests;
