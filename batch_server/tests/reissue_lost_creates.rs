//! Creates the API accepted but the cloud never saw are issued again by the
//! servers and volumes passes, through the API's own create flow; creates
//! the cloud did act on (their answer was lost) are adopted, never made
//! twice. The intents are written by the API's use cases themselves.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use batch_server::jobs::reconcile::Kind;
use cloud_sim::{FaultAction, FaultRule, ResourceKind};
use common::application::reconcile::reissue::MAX_REISSUES;
use support::api::{Api, api};
use support::world::{Protocol, World, world};

/// A create may be re-issued as soon as a complete listing misses it.
async fn world_without_grace(protocol: Protocol, kind: Kind) -> World {
    let mut w = world(protocol, kind).await;
    w.job.policy.lost_create_grace = chrono::Duration::zero();
    w
}

/// `POST` requests to `service` whose path contains `path` answer `status`
/// without the simulator acting on them.
fn refuse(w: &World, service: &str, path: &str, status: u16) -> u64 {
    w.sim.faults().add(
        FaultRule::new(FaultAction::Error {
            status,
            message: None,
            retry_after_secs: None,
        })
        .service(service)
        .method("POST")
        .path_contains(path),
    )
}

async fn reissues(w: &World, resource_type: &str, id: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM resource_action WHERE resource_type = ? AND resource_id = ? AND action = 'reissue_create'",
    )
    .bind(resource_type)
    .bind(id)
    .fetch_one(&w.db.pool)
    .await
    .unwrap()
}

async fn volume_state(w: &World, id: i64) -> (String, Option<String>, Option<String>) {
    sqlx::query_as("SELECT status, pending_action, openstack_id FROM volume WHERE id = ?")
        .bind(id)
        .fetch_one(&w.db.pool)
        .await
        .unwrap()
}

/// Live root volume and interface rows (a failed create leaves none).
async fn live_dependants(w: &World) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM volume WHERE deleted_at IS NULL), \
                (SELECT COUNT(*) FROM network_interface WHERE deleted_at IS NULL)",
    )
    .fetch_one(&w.db.pool)
    .await
    .unwrap()
}

/// Runs passes until the server shows `status` (bounded).
async fn server_reaches(w: &World, id: i64, status: &str) -> (String, Option<String>, Option<String>) {
    let mut seen = w.status_of(id).await;
    for _ in 0..6 {
        if seen.0 == status && seen.1.is_none() {
            break;
        }
        let pass = w.pass().await;
        assert_eq!(pass.counts.errors, 0, "{pass:?}");
        seen = w.status_of(id).await;
    }
    (seen.0, seen.1, seen.2)
}

async fn server_create_cut_off_before_the_cloud(w: &World, api: &Api) -> i64 {
    let fault = refuse(w, "network", "/ports", 503);
    let accepted = api
        .create_server("web-1")
        .await
        .expect("an unknown outcome is accepted");
    w.sim.faults().remove(fault);
    let (status, task, cloud_id, _) = w.status_of(accepted.server.id).await;
    assert_eq!(
        (status.as_str(), task.as_deref(), cloud_id),
        ("BUILD", Some("creating"), None)
    );
    assert_eq!(w.oob().count(ResourceKind::Port), 0, "nothing reached the cloud");
    accepted.server.id
}

async fn a_crash_between_intent_and_cloud_call_is_completed_by_a_reissue(protocol: Protocol) {
    let w = world_without_grace(protocol, Kind::Servers).await;
    let api = api(&w).await;
    let id = server_create_cut_off_before_the_cloud(&w, &api).await;

    let (status, task, cloud_id) = server_reaches(&w, id, "ACTIVE").await;

    assert_eq!((status.as_str(), task), ("ACTIVE", None));
    assert_eq!(w.oob().count(ResourceKind::Server), 1, "exactly one server");
    assert_eq!(w.oob().count(ResourceKind::Port), 1, "exactly one port");
    assert!(w.oob().ids(ResourceKind::Server).contains(&cloud_id.unwrap()));
    assert_eq!(reissues(&w, "server", id).await, 1);
}

async fn a_reissued_create_the_cloud_refuses_fails_cleanly_with_its_reason(protocol: Protocol) {
    let w = world_without_grace(protocol, Kind::Servers).await;
    let api = api(&w).await;
    let id = server_create_cut_off_before_the_cloud(&w, &api).await;
    refuse(&w, "compute", "/servers", 400);

    let pass = w.pass().await;

    assert_eq!(pass.counts.errors, 0, "{pass:?}");
    let (status, task, cloud_id, _) = w.status_of(id).await;
    assert_eq!((status.as_str(), task, cloud_id), ("ERROR", None, None));
    let reason: Option<String> = sqlx::query_scalar("SELECT error_message FROM server WHERE id = ?")
        .bind(id)
        .fetch_one(&w.db.pool)
        .await
        .unwrap();
    assert!(reason.is_some_and(|r| !r.is_empty()), "the cloud's reason is kept");
    assert_eq!(w.oob().count(ResourceKind::Server), 0);
    assert_eq!(
        w.oob().count(ResourceKind::Port),
        0,
        "the port made by the re-issue is undone"
    );
    assert_eq!(live_dependants(&w).await, (0, 0));
}

async fn a_server_create_missing_its_server_step_reuses_the_port_made_before(protocol: Protocol) {
    let w = world_without_grace(protocol, Kind::Servers).await;
    let api = api(&w).await;
    let fault = refuse(&w, "compute", "/servers", 503);
    let id = api.create_server("web-1").await.unwrap().server.id;
    w.sim.faults().remove(fault);
    assert_eq!(w.oob().count(ResourceKind::Port), 1);
    assert_eq!(w.oob().count(ResourceKind::Server), 0);

    let (status, _, _) = server_reaches(&w, id, "ACTIVE").await;

    assert_eq!(status, "ACTIVE");
    assert_eq!(w.oob().count(ResourceKind::Server), 1);
    assert_eq!(w.oob().count(ResourceKind::Port), 1, "the port was not made twice");
}

async fn a_server_create_whose_answer_was_lost_is_adopted_not_reissued(protocol: Protocol) {
    let w = world_without_grace(protocol, Kind::Servers).await;
    let api = api(&w).await;
    w.sim.faults().lose_responses("compute", "POST", "/servers", 1);
    let id = api.create_server("web-1").await.unwrap().server.id;
    assert_eq!(w.status_of(id).await.2, None, "the API never learnt the cloud id");
    assert_eq!(w.oob().count(ResourceKind::Server), 1, "the cloud acted");

    let (status, _, cloud_id) = server_reaches(&w, id, "ACTIVE").await;

    assert_eq!(status, "ACTIVE");
    assert_eq!(w.oob().ids(ResourceKind::Server), vec![cloud_id.unwrap()]);
    assert_eq!(reissues(&w, "server", id).await, 0);
}

async fn a_create_that_never_reaches_the_cloud_is_failed_after_the_last_reissue(protocol: Protocol) {
    let w = world_without_grace(protocol, Kind::Servers).await;
    let api = api(&w).await;
    refuse(&w, "network", "/ports", 503);
    let id = api.create_server("web-1").await.unwrap().server.id;

    for _ in 0..=MAX_REISSUES {
        w.pass().await;
    }

    assert_eq!(reissues(&w, "server", id).await, i64::from(MAX_REISSUES));
    let (status, task, _, _) = w.status_of(id).await;
    assert_eq!((status.as_str(), task), ("ERROR", None));
    let reason: String = sqlx::query_scalar("SELECT error_message FROM server WHERE id = ?")
        .bind(id)
        .fetch_one(&w.db.pool)
        .await
        .unwrap();
    assert!(reason.contains("never reached the cloud"), "{reason}");
    assert_eq!(w.oob().count(ResourceKind::Server), 0);
    assert_eq!(
        live_dependants(&w).await,
        (0, 0),
        "its interface and root volume are undone"
    );
}

async fn a_volume_create_that_never_reached_the_cloud_is_reissued(protocol: Protocol) {
    let w = world_without_grace(protocol, Kind::Volumes).await;
    let api = api(&w).await;
    let fault = refuse(&w, "block-storage", "/volumes", 503);
    let id = api.create_volume("data-1", 10).await.unwrap().volume.id;
    w.sim.faults().remove(fault);
    assert_eq!(w.oob().count(ResourceKind::Volume), 0);

    for _ in 0..4 {
        if volume_state(&w, id).await.0 == "AVAILABLE" {
            break;
        }
        let pass = w.pass().await;
        assert_eq!(pass.counts.errors, 0, "{pass:?}");
    }

    let (status, pending, cloud_id) = volume_state(&w, id).await;
    assert_eq!((status.as_str(), pending), ("AVAILABLE", None));
    assert_eq!(w.oob().ids(ResourceKind::Volume), vec![cloud_id.unwrap()]);
    assert_eq!(reissues(&w, "volume", id).await, 1);
}

async fn a_volume_create_whose_answer_was_lost_is_adopted_not_reissued(protocol: Protocol) {
    let w = world_without_grace(protocol, Kind::Volumes).await;
    let api = api(&w).await;
    w.sim.faults().lose_responses("block-storage", "POST", "/volumes", 1);
    let id = api.create_volume("data-1", 10).await.unwrap().volume.id;
    assert_eq!(volume_state(&w, id).await.2, None);

    w.pass().await;

    let (status, _, cloud_id) = volume_state(&w, id).await;
    assert_eq!(status, "AVAILABLE");
    assert_eq!(w.oob().ids(ResourceKind::Volume), vec![cloud_id.unwrap()]);
    assert_eq!(reissues(&w, "volume", id).await, 0);
}

async fn an_incremental_pass_never_reissues(protocol: Protocol) {
    let mut w = world_without_grace(protocol, Kind::Volumes).await;
    w.job.incremental = batch_server::jobs::reconcile::IncrementalListing::new(100);
    let api = api(&w).await;
    let fault = refuse(&w, "block-storage", "/volumes", 503);
    let id = api.create_volume("data-1", 10).await.unwrap().volume.id;
    w.sim.faults().remove(fault);
    // The first pass is complete and re-issues; make it see the create as young.
    w.job.policy.lost_create_grace = chrono::Duration::hours(1);
    w.pass().await;
    w.job.policy.lost_create_grace = chrono::Duration::zero();

    w.pass().await;

    assert_eq!(
        reissues(&w, "volume", id).await,
        0,
        "a changes-since pass proves nothing"
    );
    assert_eq!(w.oob().count(ResourceKind::Volume), 0);
}

both_protocols!(
    a_crash_between_intent_and_cloud_call_is_completed_by_a_reissue,
    a_reissued_create_the_cloud_refuses_fails_cleanly_with_its_reason,
    a_server_create_missing_its_server_step_reuses_the_port_made_before,
    a_server_create_whose_answer_was_lost_is_adopted_not_reissued,
    a_create_that_never_reaches_the_cloud_is_failed_after_the_last_reissue,
    a_volume_create_that_never_reached_the_cloud_is_reissued,
    a_volume_create_whose_answer_was_lost_is_adopted_not_reissued,
    an_incremental_pass_never_reissues,
);
