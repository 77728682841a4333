//! Counters and a duration histogram for `/metrics` in Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use common::infrastructure::db::reconcile_runs::RunOutcome;

const BUCKETS_SECS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    runs: BTreeMap<(String, &'static str), u64>,
    durations: BTreeMap<String, Histogram>,
}

#[derive(Default, Clone)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    total: u64,
}

impl Metrics {
    pub fn record_run(&self, job: &str, outcome: RunOutcome, elapsed: Duration) {
        let Ok(mut inner) = self.inner.lock() else { return };
        *inner.runs.entry((job.to_owned(), outcome.as_str())).or_default() += 1;
        let h = inner.durations.entry(job.to_owned()).or_default();
        if h.counts.is_empty() {
            h.counts = vec![0; BUCKETS_SECS.len()];
        }
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS_SECS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.total += 1;
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(inner) = self.inner.lock() else { return out };
        out.push_str(
            "# HELP batch_job_runs_total Passes of each job by outcome.\n# TYPE batch_job_runs_total counter\n",
        );
        for ((job, outcome), n) in &inner.runs {
            let _ = writeln!(out, "batch_job_runs_total{{job=\"{job}\",outcome=\"{outcome}\"}} {n}");
        }
        out.push_str(
            "# HELP batch_job_failures_total Passes that failed as a whole.\n# TYPE batch_job_failures_total counter\n",
        );
        for ((job, outcome), n) in &inner.runs {
            if *outcome == RunOutcome::Failed.as_str() {
                let _ = writeln!(out, "batch_job_failures_total{{job=\"{job}\"}} {n}");
            }
        }
        out.push_str(
            "# HELP batch_job_duration_seconds Wall time of each pass.\n# TYPE batch_job_duration_seconds histogram\n",
        );
        for (job, h) in &inner.durations {
            for (bound, n) in BUCKETS_SECS.iter().zip(&h.counts) {
                let _ = writeln!(
                    out,
                    "batch_job_duration_seconds_bucket{{job=\"{job}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "batch_job_duration_seconds_bucket{{job=\"{job}\",le=\"+Inf\"}} {}",
                h.total
            );
            let _ = writeln!(out, "batch_job_duration_seconds_sum{{job=\"{job}\"}} {}", h.sum);
            let _ = writeln!(out, "batch_job_duration_seconds_count{{job=\"{job}\"}} {}", h.total);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_counted_and_its_duration_bucketed() {
        let m = Metrics::default();
        m.record_run("servers", RunOutcome::Success, Duration::from_millis(300));
        let text = m.render();
        assert!(
            text.contains("batch_job_runs_total{job=\"servers\",outcome=\"success\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("batch_job_duration_seconds_bucket{job=\"servers\",le=\"0.25\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("batch_job_duration_seconds_bucket{job=\"servers\",le=\"0.5\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("batch_job_duration_seconds_count{job=\"servers\"} 1"),
            "{text}"
        );
    }

    #[test]
    fn failures_have_their_own_counter() {
        let m = Metrics::default();
        m.record_run("volumes", RunOutcome::Failed, Duration::from_secs(1));
        assert!(m.render().contains("batch_job_failures_total{job=\"volumes\"} 1"));
    }
}
