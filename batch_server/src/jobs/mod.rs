//! The batch jobs. Each one is a pass that can run any number of times with
//! the same result for the same world.

pub mod housekeeping;

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
    /// `stop` fires the pass finishes the batch in hand and returns early.
    fn run<'a>(&'a self, stop: &'a CancellationToken) -> BoxFuture<'a, AppResult<Pass>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pass {
    pub counts: RunCounts,
    pub stopped_early: bool,
}
