//! The batch jobs. Each one is a pass that can run any number of times with
//! the same result for the same world.

pub mod housekeeping;
pub mod reconcile;

use std::sync::Arc;
use std::time::Duration;

use sqlx::MySqlPool;

use crate::settings::Settings;
use common::application::credentials::CredentialCipher;
use common::application::reconcile::Policy;
use common::application::reconcile::backoff::BackoffPolicy;
use common::infrastructure::cloud::CloudConnector;
use reconcile::{IncrementalListing, Kind, ReconcileJob};

use futures_util::future::BoxFuture;
use tokio_util::sync::CancellationToken;

use common::error::AppResult;
use common::infrastructure::db::reconcile_runs::RunCounts;

pub trait Job: Send + Sync {
    /// The lease and run-history name, e.g. `servers`.
    fn name(&self) -> &'static str;

    /// The six-field cron schedule this job runs on.
    fn schedule(&self) -> &str;

    /// One pass. Per-resource failures are counted in `errors` and the pass
    /// goes on; an `Err` means the pass as a whole could not be done. When
    /// `ctx.stop` fires the pass finishes the batch in hand and returns early;
    /// with `ctx.dry_run` it writes nothing and reports what it would change.
    fn run<'a>(&'a self, ctx: PassContext<'a>) -> BoxFuture<'a, AppResult<Pass>>;

    /// A targeted refresh of these rows of the job's kind only. A job that
    /// cannot look at single rows runs a whole pass instead.
    fn refresh<'a>(&'a self, ctx: PassContext<'a>, ids: &'a [i64]) -> BoxFuture<'a, AppResult<Pass>> {
        let _ = ids;
        self.run(ctx)
    }
}

#[derive(Clone, Copy)]
pub struct PassContext<'a> {
    pub stop: &'a CancellationToken,
    pub dry_run: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pass {
    pub counts: RunCounts,
    pub stopped_early: bool,
    /// What the pass changed (or, in a dry run, would change), for people.
    pub changes: Vec<ChangeLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeLine {
    pub resource: String,
    pub change: String,
}

/// Every job this deployment runs, built from its settings. The reconcile
/// jobs need a cloud; without one only housekeeping runs.
pub fn registry(
    settings: &Settings,
    pool: &MySqlPool,
    cipher: Option<CredentialCipher>,
) -> AppResult<Vec<Arc<dyn Job>>> {
    let mut jobs: Vec<Arc<dyn Job>> = vec![Arc::new(housekeeping::Housekeeping {
        pool: pool.clone(),
        schedule: settings.schedule.housekeeping_cron.clone(),
        throttle_window: Duration::from_secs(3600),
    })];
    let cloud = &settings.cloud;
    if cloud.openstack.is_none() && cloud.nhn.is_none() {
        tracing::warn!("no cloud is configured (OS_AUTH_URL / NHN_IDENTITY_URL): only housekeeping runs");
        return Ok(jobs);
    }
    let r = &settings.reconcile;
    // One connector for every job, so its call rate is shared by all of them.
    let connector = CloudConnector::with_call_rate(cloud.openstack.clone(), cloud.nhn.clone(), r.cloud_rate_per_sec)
        .map_err(common::application::reconcile::managed::cloud_failure)?;
    let connector = Arc::new(connector);
    let policy = Policy {
        stuck_after: chrono::Duration::from_std(r.stuck_after).unwrap_or(chrono::Duration::minutes(30)),
        lost_create_grace: chrono::Duration::from_std(r.lost_create_grace).unwrap_or(chrono::Duration::minutes(5)),
        backoff: BackoffPolicy {
            base: chrono::Duration::from_std(r.backoff_base).unwrap_or(chrono::Duration::minutes(1)),
            max: chrono::Duration::from_std(r.backoff_max).unwrap_or(chrono::Duration::hours(1)),
        },
    };
    let schedules = [
        (Kind::Servers, &r.servers_cron),
        (Kind::Volumes, &r.volumes_cron),
        (Kind::FloatingIps, &r.floating_ips_cron),
        (Kind::NetworkInterfaces, &r.network_interfaces_cron),
        (Kind::SecurityGroups, &r.security_groups_cron),
    ];
    for (kind, schedule) in schedules {
        jobs.push(Arc::new(ReconcileJob {
            kind,
            pool: pool.clone(),
            connector: connector.clone(),
            cipher: cipher.clone(),
            schedule: schedule.clone(),
            policy,
            incremental: IncrementalListing::new(r.full_pass_every),
        }));
    }
    Ok(jobs)
}
