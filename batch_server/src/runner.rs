//! Runs one pass of a job while holding its lease: take the lease, record
//! the run, keep renewing while the pass works, stop the pass if the lease is
//! lost, record the outcome, give the lease back.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::MySqlPool;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::jobs::{Job, Pass};
use crate::metrics::Metrics;
use common::error::AppResult;
use common::infrastructure::db::leases;
use common::infrastructure::db::reconcile_runs::{self, RunCounts, RunOutcome};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassResult {
    /// Another replica holds the lease, or this process is already running the job.
    Skipped,
    Ran {
        run_id: i64,
        outcome: RunOutcome,
        counts: RunCounts,
    },
}

/// One lock per job name: held while this process runs a pass of that job.
type PassGuards = Arc<Mutex<HashMap<&'static str, Arc<Mutex<()>>>>>;

#[derive(Clone)]
pub struct Runner {
    pool: MySqlPool,
    owner: String,
    lease_ttl: Duration,
    metrics: Arc<Metrics>,
    shutdown: CancellationToken,
    running: PassGuards,
}

impl Runner {
    pub fn new(
        pool: MySqlPool,
        owner: String,
        lease_ttl: Duration,
        metrics: Arc<Metrics>,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            pool,
            owner,
            lease_ttl,
            metrics,
            shutdown,
            running: Arc::default(),
        }
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub async fn run_pass(&self, job: &dyn Job, trigger: &str) -> AppResult<PassResult> {
        let guard = self.local_guard(job.name()).await;
        let Ok(_running) = guard.try_lock() else {
            return Ok(PassResult::Skipped);
        };
        if !leases::acquire(&self.pool, job.name(), &self.owner, self.lease_ttl).await? {
            return Ok(PassResult::Skipped);
        }
        let run_id = reconcile_runs::start(&self.pool, job.name(), &self.owner, trigger).await?;
        let started = Instant::now();
        let span = tracing::info_span!("job", job = job.name(), run_id, trigger);
        let (outcome, counts, message) = self.pass_while_leased(job).instrument(span).await;
        let elapsed = started.elapsed();
        self.metrics.record_run(job.name(), outcome, elapsed);
        reconcile_runs::finish(&self.pool, run_id, counts, outcome, message.as_deref()).await?;
        if let Err(e) = leases::release(&self.pool, job.name(), &self.owner).await {
            tracing::warn!(job = job.name(), error = %e, "could not release lease; it will expire");
        }
        tracing::info!(
            job = job.name(),
            run_id,
            outcome = outcome.as_str(),
            examined = counts.examined,
            changed = counts.changed,
            drift = counts.drift_found,
            errors = counts.errors,
            elapsed_ms = elapsed.as_millis() as u64,
            "pass finished"
        );
        Ok(PassResult::Ran {
            run_id,
            outcome,
            counts,
        })
    }

    async fn local_guard(&self, name: &'static str) -> Arc<Mutex<()>> {
        self.running.lock().await.entry(name).or_default().clone()
    }

    async fn pass_while_leased(&self, job: &dyn Job) -> (RunOutcome, RunCounts, Option<String>) {
        let renew_every = self.lease_ttl / 3;
        let pass = job.run(&self.shutdown);
        tokio::pin!(pass);
        loop {
            tokio::select! {
                result = &mut pass => {
                    return match result {
                        Ok(Pass { counts, stopped_early: true }) => (RunOutcome::Interrupted, counts, Some("shutdown".into())),
                        Ok(Pass { counts, .. }) if counts.errors == 0 => (RunOutcome::Success, counts, None),
                        Ok(Pass { counts, .. }) => (RunOutcome::Partial, counts, None),
                        Err(e) => (RunOutcome::Failed, RunCounts { errors: 1, ..RunCounts::default() }, Some(format!("{e:?}"))),
                    };
                }
                _ = tokio::time::sleep(renew_every) => {
                    match leases::acquire(&self.pool, job.name(), &self.owner, self.lease_ttl).await {
                        Ok(true) => {}
                        Ok(false) => return interrupted("the lease was taken by another replica"),
                        Err(e) => return interrupted(&format!("the lease could not be renewed: {e}")),
                    }
                }
            }
        }
    }
}

fn interrupted(why: &str) -> (RunOutcome, RunCounts, Option<String>) {
    (RunOutcome::Interrupted, RunCounts::default(), Some(why.to_owned()))
}
