//! Purges expired idempotency keys, token revocations, login throttles and
//! old trigger requests.

use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::MySqlPool;

use super::{Job, Pass};
use common::error::AppResult;
use common::infrastructure::db::housekeeping;
use common::infrastructure::db::reconcile_runs::RunCounts;
use tokio_util::sync::CancellationToken;

pub struct Housekeeping {
    pub pool: MySqlPool,
    pub schedule: String,
    pub throttle_window: Duration,
}

impl Job for Housekeeping {
    fn name(&self) -> &'static str {
        "housekeeping"
    }

    fn schedule(&self) -> &str {
        &self.schedule
    }

    fn run<'a>(&'a self, stop: &'a CancellationToken) -> BoxFuture<'a, AppResult<Pass>> {
        Box::pin(async move {
            let mut counts = RunCounts::default();
            loop {
                let purged = housekeeping::purge_expired(&self.pool, self.throttle_window, 1_000).await?;
                counts.examined += purged.total();
                counts.changed += purged.total();
                if purged.total() == 0 {
                    return Ok(Pass {
                        counts,
                        stopped_early: false,
                    });
                }
                if stop.is_cancelled() {
                    return Ok(Pass {
                        counts,
                        stopped_early: true,
                    });
                }
            }
        })
    }
}
