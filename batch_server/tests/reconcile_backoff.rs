//! Per-resource backoff against cloud_sim over real HTTP and a real
//! database: a resource whose direct get keeps failing is tried again on a
//! growing schedule, never marked gone meanwhile, and converges once the
//! cloud answers. Passes run at chosen times so the schedule is exact.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use batch_server::jobs::reconcile::Kind;
use chrono::{DateTime, Duration, Utc};
use cloud_sim::{FaultAction, FaultRule, ResourceKind};
use common::application::reconcile::backoff::BackoffPolicy;
use common::application::reconcile::managed::ManagedProjects;
use common::application::reconcile::report::PassReport;
use common::application::reconcile::security_groups::SecurityGroupsPass;
use common::application::reconcile::{Listing, Policy};
use serde_json::json;
use support::world::{Protocol, World, world};

impl World {
    async fn pass_at(&self, now: DateTime<Utc>) -> PassReport {
        let managed = ManagedProjects::load(&self.db.pool, self.job.cipher.as_ref())
            .await
            .unwrap();
        SecurityGroupsPass {
            pool: &self.db.pool,
            connector: &self.job.connector,
            policy: self.job.policy,
            listing: Listing::Complete,
            dry_run: false,
            now,
        }
        .run(&managed)
        .await
        .unwrap()
    }

    /// A settled group row whose cloud group was deleted out of band.
    async fn vanished_group(&self) -> (i64, String) {
        let os_id = self
            .oob()
            .create(
                ResourceKind::SecurityGroup,
                &self.cloud_project,
                &json!({"name": "web"}),
            )
            .unwrap();
        assert!(self.oob().delete(ResourceKind::SecurityGroup, &os_id));
        let id = sqlx::query(
            "INSERT INTO security_group (project_id, name, status, openstack_id) VALUES (?, UUID(), 'ACTIVE', ?)",
        )
        .bind(self.project_id)
        .bind(&os_id)
        .execute(&self.db.pool)
        .await
        .unwrap()
        .last_insert_id() as i64;
        (id, os_id)
    }

    async fn is_deleted(&self, id: i64) -> bool {
        sqlx::query_scalar("SELECT deleted_at IS NOT NULL FROM security_group WHERE id = ?")
            .bind(id)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    async fn failures_of(&self, id: i64) -> Option<i32> {
        sqlx::query_scalar(
            "SELECT failures FROM reconcile_backoff WHERE resource_type = 'security_group' AND resource_id = ?",
        )
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await
        .unwrap()
    }

    /// Runs a pass at `now` and says whether it sent the direct get (the
    /// only request the fault matches).
    async fn tried_at(&self, now: DateTime<Utc>) -> bool {
        let before = self.sim.faults().injected();
        self.pass_at(now).await;
        self.sim.faults().injected() > before
    }
}

fn minute_base() -> Policy {
    Policy {
        backoff: BackoffPolicy {
            base: Duration::seconds(60),
            max: Duration::hours(1),
        },
        ..Policy::default()
    }
}

async fn a_failing_direct_get_is_retried_on_a_growing_schedule_then_converges(protocol: Protocol) {
    let mut w = world(protocol, Kind::SecurityGroups).await;
    w.job.policy = minute_base();
    let (id, os_id) = w.vanished_group().await;
    let outage = w.sim.faults().add(
        FaultRule::new(FaultAction::Error {
            status: 503,
            message: None,
            retry_after_secs: None,
        })
        .method("GET")
        .path_contains(&os_id),
    );
    let t0 = Utc::now();
    let at = |secs: i64| t0 + Duration::seconds(secs);

    let first = w.pass_at(at(0)).await;
    assert_eq!(first.errors, 1, "{first:?}");
    assert_eq!(w.failures_of(id).await, Some(1));
    // 60 s after the first failure, then 120 s after the second, 240 s after the third.
    let schedule = [
        (30, false),
        (61, true),
        (120, false),
        (170, false),
        (182, true),
        (300, false),
        (421, false),
    ];
    for (secs, expected) in schedule {
        assert_eq!(w.tried_at(at(secs)).await, expected, "pass at +{secs} s");
        assert!(!w.is_deleted(id).await, "never gone while the get fails (+{secs} s)");
    }
    assert_eq!(w.failures_of(id).await, Some(3));
    let deferred = w.pass_at(at(400)).await;
    assert_eq!(deferred.errors, 0, "a deferred resource is no error: {deferred:?}");
    assert!(
        deferred.lines.iter().any(|(_, l)| l.contains("deferred until")),
        "{deferred:?}"
    );
    assert_eq!(w.open_findings("missing_in_cloud").await, 0);

    assert!(w.sim.faults().remove(outage));
    let healed = w.pass_at(at(423)).await;

    assert_eq!(healed.errors, 0, "{healed:?}");
    assert!(w.is_deleted(id).await, "the 404 now proves it gone");
    assert_eq!(w.open_findings("missing_in_cloud").await, 1);
    assert_eq!(w.failures_of(id).await, None, "the success cleared the backoff");
}

async fn other_resources_are_not_held_back_by_one_that_fails(protocol: Protocol) {
    let mut w = world(protocol, Kind::SecurityGroups).await;
    w.job.policy = minute_base();
    let (failing, failing_os_id) = w.vanished_group().await;
    let (healthy, _) = w.vanished_group().await;
    w.sim.faults().add(
        FaultRule::new(FaultAction::Error {
            status: 500,
            message: None,
            retry_after_secs: None,
        })
        .method("GET")
        .path_contains(&failing_os_id),
    );

    let pass = w.pass_at(Utc::now()).await;

    assert_eq!(pass.errors, 1, "{pass:?}");
    assert!(!w.is_deleted(failing).await);
    assert!(w.is_deleted(healthy).await);
    assert_eq!(w.failures_of(healthy).await, None);
}

async fn a_backoff_left_by_a_resource_that_recovered_is_forgotten_by_a_complete_pass(protocol: Protocol) {
    let mut w = world(protocol, Kind::SecurityGroups).await;
    w.job.policy = minute_base();
    let os_id = w
        .oob()
        .create(ResourceKind::SecurityGroup, &w.cloud_project, &json!({"name": "web"}))
        .unwrap();
    let id = sqlx::query(
        "INSERT INTO security_group (project_id, name, status, openstack_id) VALUES (?, UUID(), 'ACTIVE', ?)",
    )
    .bind(w.project_id)
    .bind(&os_id)
    .execute(&w.db.pool)
    .await
    .unwrap()
    .last_insert_id() as i64;
    for ether_type in ["IPv4", "IPv6"] {
        sqlx::query(
            "INSERT INTO security_group_rule (security_group_id, ether_type, direction) VALUES (?, ?, 'egress')",
        )
        .bind(id)
        .bind(ether_type)
        .execute(&w.db.pool)
        .await
        .unwrap();
    }
    let t0 = Utc::now();
    common::infrastructure::db::reconcile_backoff::record_failure(&w.db.pool, "security_group", id, 4, t0, "old")
        .await
        .unwrap();

    let pass = w.pass_at(t0 + Duration::seconds(1)).await;

    assert_eq!((pass.changed, pass.drift_found, pass.errors), (0, 0, 0), "{pass:?}");
    assert_eq!(w.failures_of(id).await, None);
}

both_protocols!(
    a_failing_direct_get_is_retried_on_a_growing_schedule_then_converges,
    other_resources_are_not_held_back_by_one_that_fails,
    a_backoff_left_by_a_resource_that_recovered_is_forgotten_by_a_complete_pass,
);
