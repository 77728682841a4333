//! Purges expired idempotency keys, token revocations, login throttles and
//! old trigger requests.

use std::time::Duration;

use futures_util::future::BoxFuture;
use sqlx::MySqlPool;

use super::{ChangeLine, Job, Pass, PassContext};
use common::error::AppResult;
use common::infrastructure::db::housekeeping;

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

    fn run<'a>(&'a self, ctx: PassContext<'a>) -> BoxFuture<'a, AppResult<Pass>> {
        Box::pin(async move {
            let mut pass = Pass::default();
            if ctx.dry_run {
                let due = housekeeping::count_expired(&self.pool, self.throttle_window).await?;
                pass.counts.examined = due.total();
                pass.changes = due
                    .by_table()
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(table, n)| ChangeLine {
                        resource: table.to_owned(),
                        change: format!("would purge {n} expired rows"),
                    })
                    .collect();
                return Ok(pass);
            }
            loop {
                let purged = housekeeping::purge_expired(&self.pool, self.throttle_window, 1_000).await?;
                pass.counts.examined += purged.total();
                pass.counts.changed += purged.total();
                if purged.total() == 0 {
                    return Ok(pass);
                }
                if ctx.stop.is_cancelled() {
                    pass.stopped_early = true;
                    return Ok(pass);
                }
            }
        })
    }
}
