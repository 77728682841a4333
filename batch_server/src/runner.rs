//! Runs one pass of a job while holding its lease: take the lease, record
//! the run, keep renewing while the pass works, stop the pass if the lease is
//! lost, record the outcome, give the lease back.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sqlx::MySqlPool;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::jobs::{Job, Pass, PassContext};
use crate::metrics::Metrics;
use common::error::AppResult;
use common::infrastructure::db::leases;
use common::infrastructure::db::reconcile_runs::{self, RunCounts, RunOutcome};

/// The trigger of scheduled passes in the run history.
pub const SCHEDULE: &str = "schedule";

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
        let ran = self.run_leased(job, trigger, None, |ctx| job.run(ctx)).await?;
        Ok(result_of(ran))
    }

    /// The pass of the schedule's tick at `tick`: every replica's scheduler
    /// fires, the first to get the lease runs it, and the others, getting
    /// the lease after it, find that tick's pass already recorded.
    pub async fn run_scheduled(&self, job: &dyn Job, tick: DateTime<Utc>) -> AppResult<PassResult> {
        let ran = self.run_leased(job, SCHEDULE, Some(tick), |ctx| job.run(ctx)).await?;
        Ok(result_of(ran))
    }

    /// A targeted refresh of some rows of the job's kind, under the same
    /// lease (and local guard) as the job's passes, recorded as a run
    /// triggered by `refresh`.
    pub async fn run_refresh(&self, job: &dyn Job, ids: &[i64]) -> AppResult<PassResult> {
        let ran = self
            .run_leased(job, "refresh", None, |ctx| job.refresh(ctx, ids))
            .await?;
        Ok(result_of(ran))
    }

    /// Like `run_pass`, keeping what the pass reports; `None` when skipped.
    pub async fn run_pass_reporting(&self, job: &dyn Job, trigger: &str) -> AppResult<Option<Pass>> {
        let ran = self.run_leased(job, trigger, None, |ctx| job.run(ctx)).await?;
        Ok(ran.map(|(_, _, pass)| pass))
    }

    async fn run_leased<'a, W>(
        &'a self,
        job: &dyn Job,
        trigger: &str,
        once_since: Option<DateTime<Utc>>,
        work: W,
    ) -> AppResult<Option<(i64, RunOutcome, Pass)>>
    where
        W: FnOnce(PassContext<'a>) -> BoxFuture<'a, AppResult<Pass>>,
    {
        let guard = self.local_guard(job.name()).await;
        let Ok(_running) = guard.try_lock() else {
            return Ok(None);
        };
        if !leases::acquire(&self.pool, job.name(), &self.owner, self.lease_ttl).await? {
            return Ok(None);
        }
        if let Some(tick) = once_since
            && reconcile_runs::started_since(&self.pool, job.name(), trigger, tick).await?
        {
            leases::release(&self.pool, job.name(), &self.owner).await?;
            return Ok(None);
        }
        let run_id = reconcile_runs::start(&self.pool, job.name(), &self.owner, trigger).await?;
        let started = Instant::now();
        let span = tracing::info_span!("job", job = job.name(), run_id, trigger);
        let pass = work(PassContext {
            stop: &self.shutdown,
            dry_run: false,
        });
        let (outcome, pass, message) = self.pass_while_leased(job.name(), pass).instrument(span).await;
        let elapsed = started.elapsed();
        let counts = pass.counts;
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
        Ok(Some((run_id, outcome, pass)))
    }

    async fn local_guard(&self, name: &'static str) -> Arc<Mutex<()>> {
        self.running.lock().await.entry(name).or_default().clone()
    }

    async fn pass_while_leased(
        &self,
        name: &str,
        mut pass: BoxFuture<'_, AppResult<Pass>>,
    ) -> (RunOutcome, Pass, Option<String>) {
        let renew_every = self.lease_ttl / 3;
        loop {
            tokio::select! {
                result = &mut pass => {
                    return match result {
                        Ok(p) if p.stopped_early => (RunOutcome::Interrupted, p, Some("shutdown".into())),
                        Ok(p) if p.counts.errors == 0 => (RunOutcome::Success, p, None),
                        Ok(p) => (RunOutcome::Partial, p, None),
                        Err(e) => {
                            let failed = Pass { counts: RunCounts { errors: 1, ..RunCounts::default() }, ..Pass::default() };
                            (RunOutcome::Failed, failed, Some(format!("{e:?}")))
                        }
                    };
                }
                _ = tokio::time::sleep(renew_every) => {
                    match leases::acquire(&self.pool, name, &self.owner, self.lease_ttl).await {
                        Ok(true) => {}
                        Ok(false) => return interrupted("the lease was taken by another replica"),
                        Err(e) => return interrupted(&format!("the lease could not be renewed: {e}")),
                    }
                }
            }
        }
    }
}

fn result_of(ran: Option<(i64, RunOutcome, Pass)>) -> PassResult {
    match ran {
        None => PassResult::Skipped,
        Some((run_id, outcome, pass)) => PassResult::Ran {
            run_id,
            outcome,
            counts: pass.counts,
        },
    }
}

fn interrupted(why: &str) -> (RunOutcome, Pass, Option<String>) {
    (RunOutcome::Interrupted, Pass::default(), Some(why.to_owned()))
}
