//! A job whose behaviour a test chooses, counting its passes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use batch_server::jobs::{Job, Pass};
use common::error::{AppError, AppResult};
use common::infrastructure::db::reconcile_runs::RunCounts;
use futures_util::future::BoxFuture;
use tokio_util::sync::CancellationToken;

pub struct ScriptedJob {
    pub name: &'static str,
    pub schedule: String,
    pub work: Duration,
    pub batches: u64,
    pub fail: bool,
    pub passes: Arc<AtomicU64>,
    pub batches_done: Arc<AtomicU64>,
}

impl ScriptedJob {
    pub fn new(name: &'static str, work: Duration) -> Self {
        Self {
            name,
            schedule: "0 0 0 1 1 *".into(),
            work,
            batches: 1,
            fail: false,
            passes: Arc::default(),
            batches_done: Arc::default(),
        }
    }
}

impl Job for ScriptedJob {
    fn name(&self) -> &'static str {
        self.name
    }

    fn schedule(&self) -> &str {
        &self.schedule
    }

    fn run<'a>(&'a self, stop: &'a CancellationToken) -> BoxFuture<'a, AppResult<Pass>> {
        Box::pin(async move {
            self.passes.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return Err(AppError::cloud("the cloud refused the listing"));
            }
            let mut counts = RunCounts::default();
            for _ in 0..self.batches {
                tokio::time::sleep(self.work).await;
                self.batches_done.fetch_add(1, Ordering::SeqCst);
                counts.examined += 10;
                counts.changed += 1;
                if stop.is_cancelled() {
                    return Ok(Pass {
                        counts,
                        stopped_early: true,
                    });
                }
            }
            Ok(Pass {
                counts,
                stopped_early: false,
            })
        })
    }
}
