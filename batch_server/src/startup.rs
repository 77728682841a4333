//! Builds batch_server from settings, a bound listener and its jobs, so
//! tests start the real thing on port 0 against their own database.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use chrono::{SubsecRound, Utc};
use sqlx::MySqlPool;
use tokio_cron_scheduler::{Job as CronJob, JobScheduler};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::jobs::Job;
use crate::metrics::Metrics;
use crate::runner::Runner;
use crate::settings::ScheduleSettings;
use crate::triggers;
use common::infrastructure::db::reconcile_requests;

pub struct Application {
    port: u16,
    http: actix_web::dev::Server,
    http_handle: ServerHandle,
    scheduler: JobScheduler,
    tracker: TaskTracker,
    shutdown: CancellationToken,
    grace: Duration,
}

pub struct Parts {
    pub pool: MySqlPool,
    pub runner_id: String,
    pub schedule: ScheduleSettings,
    pub jobs: Vec<Arc<dyn Job>>,
}

impl Application {
    pub async fn build(parts: Parts, listener: TcpListener) -> std::io::Result<Self> {
        let port = listener.local_addr()?.port();
        let metrics = Arc::new(Metrics::default());
        let shutdown = CancellationToken::new();
        let tracker = TaskTracker::new();
        let runner = Runner::new(
            parts.pool.clone(),
            parts.runner_id.clone(),
            parts.schedule.lease_ttl,
            metrics.clone(),
            shutdown.clone(),
        );
        let scheduler = JobScheduler::new().await.map_err(io_error)?;
        for job in &parts.jobs {
            let cron = scheduled(job.clone(), runner.clone(), tracker.clone(), parts.schedule.jitter)?;
            scheduler.add(cron).await.map_err(io_error)?;
        }
        let poll = trigger_poll(
            &parts.schedule.trigger_poll_cron,
            parts.pool.clone(),
            parts.jobs.clone(),
            runner.clone(),
            tracker.clone(),
        )?;
        scheduler.add(poll).await.map_err(io_error)?;
        scheduler.start().await.map_err(io_error)?;

        let http = crate::http::serve(listener, metrics, parts.runner_id)?;
        let http_handle = http.handle();
        Ok(Self {
            port,
            http,
            http_handle,
            scheduler,
            tracker,
            shutdown,
            grace: parts.schedule.shutdown_grace,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A token that stops the application when cancelled (tests, signals).
    pub fn stop_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Runs until SIGTERM, Ctrl-C or the stop token. Running passes finish the
    /// batch in hand and release their leases before the process ends.
    pub async fn run_until_stopped(mut self) -> std::io::Result<()> {
        let http = tokio::spawn(self.http);
        tokio::select! {
            _ = shutdown_signal() => {}
            _ = self.shutdown.cancelled() => {}
        }
        tracing::info!("batch_server stopping");
        self.shutdown.cancel();
        let _ = self.scheduler.shutdown().await;
        self.tracker.close();
        if tokio::time::timeout(self.grace, self.tracker.wait()).await.is_err() {
            tracing::warn!("running passes did not finish within the grace period");
        }
        self.http_handle.stop(true).await;
        let _ = http.await;
        Ok(())
    }
}

fn scheduled(job: Arc<dyn Job>, runner: Runner, tracker: TaskTracker, jitter: Duration) -> std::io::Result<CronJob> {
    let schedule = job.schedule().to_owned();
    CronJob::new_async(schedule.as_str(), move |_, _| {
        let (job, runner, tracker) = (job.clone(), runner.clone(), tracker.clone());
        // Cron fields are whole seconds: every replica names the same tick.
        let tick = Utc::now().trunc_subsecs(0);
        Box::pin(async move {
            tracker.spawn(async move {
                tokio::time::sleep(random_below(jitter)).await;
                if let Err(e) = runner.run_scheduled(job.as_ref(), tick).await {
                    tracing::error!(job = job.name(), error = ?e, "pass could not be recorded");
                }
            });
        })
    })
    .map_err(io_error)
}

fn trigger_poll(
    schedule: &str,
    pool: MySqlPool,
    jobs: Vec<Arc<dyn Job>>,
    runner: Runner,
    tracker: TaskTracker,
) -> std::io::Result<CronJob> {
    CronJob::new_async(schedule, move |_, _| {
        let (pool, jobs, runner, tracker) = (pool.clone(), jobs.clone(), runner.clone(), tracker.clone());
        Box::pin(async move {
            tracker.spawn(async move {
                match reconcile_requests::claim_open(&pool).await {
                    Ok(requests) => triggers::run_requested(&pool, &jobs, &runner, requests).await,
                    Err(e) => tracing::warn!(error = ?e, "could not read reconcile requests"),
                }
            });
        })
    })
    .map_err(io_error)
}

fn random_below(max: Duration) -> Duration {
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    let random = u64::from_le_bytes(uuid::Uuid::new_v4().as_bytes()[..8].try_into().unwrap_or([0; 8]));
    Duration::from_nanos(random % nanos)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

fn io_error(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}
