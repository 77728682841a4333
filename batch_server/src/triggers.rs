//! Runs the passes the API asked for: whole jobs (`POST /admin/reconcile/{job}`)
//! and targeted refreshes of single resources after a mutation.

use std::collections::BTreeMap;
use std::sync::Arc;

use sqlx::MySqlPool;

use crate::jobs::Job;
use crate::runner::{PassResult, Runner};
use common::infrastructure::db::reconcile_requests::{self, ReconcileRequest};

/// The claimed requests of one job: a whole pass when any asks for one
/// (it covers the targeted ones too), else a refresh of the named rows.
#[derive(Default)]
struct JobRequests {
    request_ids: Vec<i64>,
    whole_pass: bool,
    targets: Vec<i64>,
}

pub async fn run_requested(pool: &MySqlPool, jobs: &[Arc<dyn Job>], runner: &Runner, requests: Vec<ReconcileRequest>) {
    let mut by_job: BTreeMap<String, JobRequests> = BTreeMap::new();
    for request in requests {
        let entry = by_job.entry(request.job.clone()).or_default();
        entry.request_ids.push(request.id);
        match request.target() {
            Some(id) => entry.targets.push(id),
            None => entry.whole_pass = true,
        }
    }
    for (name, mut requested) in by_job {
        let Some(job) = jobs.iter().find(|j| j.name() == name) else {
            tracing::warn!(job = %name, "reconcile requested for an unknown job");
            continue;
        };
        let result = if requested.whole_pass {
            runner.run_pass(job.as_ref(), "api").await
        } else {
            requested.targets.sort_unstable();
            requested.targets.dedup();
            runner.run_refresh(job.as_ref(), &requested.targets).await
        };
        match result {
            Ok(PassResult::Ran { run_id, .. }) => {
                for id in &requested.request_ids {
                    if let Err(e) = reconcile_requests::link_run(pool, *id, run_id).await {
                        tracing::warn!(error = ?e, "could not link the request to its run");
                    }
                }
            }
            Ok(PassResult::Skipped) if requested.whole_pass => {
                tracing::info!(job = %name, "requested pass already running elsewhere")
            }
            Ok(PassResult::Skipped) => {
                // The running pass may have read the rows before the change: the
                // refresh is asked for again at the next poll.
                if let Err(e) = reconcile_requests::unclaim(pool, &requested.request_ids).await {
                    tracing::warn!(job = %name, error = ?e, "could not put a refresh back; the next pass covers it");
                }
            }
            Err(e) => tracing::error!(job = %name, error = ?e, "requested pass could not be recorded"),
        }
    }
}
