//! Runs the passes the API asked for (`POST /admin/reconcile/{job}`).

use std::sync::Arc;

use sqlx::MySqlPool;

use crate::jobs::Job;
use crate::runner::{PassResult, Runner};
use common::infrastructure::db::reconcile_requests::{self, ReconcileRequest};

pub async fn run_requested(pool: &MySqlPool, jobs: &[Arc<dyn Job>], runner: &Runner, requests: Vec<ReconcileRequest>) {
    for request in requests {
        let Some(job) = jobs.iter().find(|j| j.name() == request.job) else {
            tracing::warn!(job = %request.job, "reconcile requested for an unknown job");
            continue;
        };
        match runner.run_pass(job.as_ref(), "api").await {
            Ok(PassResult::Ran { run_id, .. }) => {
                if let Err(e) = reconcile_requests::link_run(pool, request.id, run_id).await {
                    tracing::warn!(error = ?e, "could not link the request to its run");
                }
            }
            Ok(PassResult::Skipped) => tracing::info!(job = %request.job, "requested pass already running elsewhere"),
            Err(e) => tracing::error!(job = %request.job, error = ?e, "requested pass could not be recorded"),
        }
    }
}
