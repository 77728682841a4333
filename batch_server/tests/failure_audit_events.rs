//! A reconcile pass that ends an accepted intent as failed writes one
//! `failure` audit event under the intent's audit name, with no actor and
//! source `reconcile`; a later pass writes no second one, and an intent that
//! succeeds writes none. The intents are written by the API's use cases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use batch_server::jobs::reconcile::Kind;
use cloud_sim::{FaultAction, FaultRule};
use common::application::reconcile::reissue::MAX_REISSUES;
use common::application::server;
use support::api::api;
use support::world::{Protocol, World, world};

#[derive(Debug, sqlx::FromRow)]
struct Event {
    action: String,
    source: String,
    actor_user_id: Option<i64>,
    request_id: Option<String>,
    project_id: Option<i64>,
    message: Option<String>,
}

/// The events of one resource with `outcome`, oldest first.
async fn events(w: &World, resource_type: &str, id: i64, outcome: &str) -> Vec<Event> {
    sqlx::query_as(
        "SELECT action, source, actor_user_id, request_id, project_id,
                JSON_UNQUOTE(JSON_EXTRACT(detail, '$.message')) AS message
         FROM audit_event WHERE resource_type = ? AND resource_id = ? AND outcome = ? ORDER BY id",
    )
    .bind(resource_type)
    .bind(id)
    .bind(outcome)
    .fetch_all(&w.db.pool)
    .await
    .unwrap()
}

async fn server_error_message(w: &World, id: i64) -> String {
    sqlx::query_scalar("SELECT error_message FROM server WHERE id = ?")
        .bind(id)
        .fetch_one(&w.db.pool)
        .await
        .unwrap()
}

/// The one failure event of the resource, written by a pass: no actor, no
/// request, the project of its intent.
fn the_reconcile_failure<'a>(w: &World, failures: &'a [Event], action: &str) -> &'a Event {
    assert_eq!(failures.len(), 1, "{failures:?}");
    let failure = &failures[0];
    assert_eq!(failure.action, action);
    assert_eq!(failure.source, "reconcile");
    assert_eq!((failure.actor_user_id, failure.request_id.as_deref()), (None, None));
    assert_eq!(failure.project_id, Some(w.project_id));
    failure
}

async fn a_create_given_up_after_the_last_reissue_writes_one_failure_event_with_no_actor(protocol: Protocol) {
    let mut w = world(protocol, Kind::Servers).await;
    w.job.policy.lost_create_grace = chrono::Duration::zero();
    let api = api(&w).await;
    w.sim.faults().add(
        FaultRule::new(FaultAction::Error {
            status: 503,
            message: None,
            retry_after_secs: None,
        })
        .service("network")
        .method("POST")
        .path_contains("/ports"),
    );
    let id = api.create_server("web-1").await.unwrap().server.id;

    for _ in 0..=MAX_REISSUES + 2 {
        w.pass().await;
    }

    let failures = events(&w, "server", id, "failure").await;
    let failure = the_reconcile_failure(&w, &failures, "server.create");
    let message = failure.message.as_deref().unwrap();
    assert!(message.contains("never reached the cloud"), "{message}");
    assert_eq!(message, server_error_message(&w, id).await);
    let accepted = events(&w, "server", id, "accepted").await;
    assert_eq!(accepted.len(), 1);
    assert!(accepted[0].actor_user_id.is_some(), "the intent keeps its user");
}

async fn a_create_the_cloud_ends_in_error_writes_one_failure_event_with_the_fault(protocol: Protocol) {
    let w = world(protocol, Kind::Servers).await;
    let api = api(&w).await;
    w.sim.faults().fail_transitions("server.create", 1);
    let id = api.create_server("web-1").await.unwrap().server.id;

    w.pass().await;
    w.pass().await;

    assert_eq!(w.status_of(id).await.0, "ERROR");
    let failures = events(&w, "server", id, "failure").await;
    let failure = the_reconcile_failure(&w, &failures, "server.create");
    assert_eq!(
        failure.message.as_deref(),
        Some(server_error_message(&w, id).await.as_str()),
        "the cloud's fault is the message"
    );
}

async fn a_transition_stuck_past_its_limit_is_failed_and_audited_once(protocol: Protocol) {
    let mut w = world(protocol, Kind::Servers).await;
    w.job.policy.stuck_after = chrono::Duration::zero();
    let api = api(&w).await;
    w.sim.faults().stick_transitions("server.create");
    let id = api.create_server("web-1").await.unwrap().server.id;

    w.pass().await;
    assert_eq!(w.status_of(id).await.0, "ERROR");
    let reason = server_error_message(&w, id).await;
    w.pass().await;

    let failures = events(&w, "server", id, "failure").await;
    let failure = the_reconcile_failure(&w, &failures, "server.create");
    assert_eq!(failure.message, Some(reason));
}

async fn a_volume_the_cloud_creates_in_error_writes_one_volume_create_failure(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let api = api(&w).await;
    w.sim.faults().fail_transitions("volume.create", 1);
    let id = api.create_volume("data-1", 10).await.unwrap().volume.id;

    w.pass().await;
    w.pass().await;

    let failures = events(&w, "volume", id, "failure").await;
    let failure = the_reconcile_failure(&w, &failures, "volume.create");
    let message = failure.message.as_deref().unwrap();
    assert!(message.contains("error"), "{message}");
}

async fn a_delete_the_cloud_leaves_in_error_is_audited_once_however_many_passes_see_it(protocol: Protocol) {
    let w = world(protocol, Kind::Servers).await;
    let api = api(&w).await;
    let id = api.create_server("web-1").await.unwrap().server.id;
    w.pass().await;
    assert_eq!(w.status_of(id).await.0, "ACTIVE");
    w.sim.faults().fail_transitions("server.delete", 1);
    server::delete(&api.svc, &api.ctx, id, None).await.unwrap();

    for _ in 0..3 {
        w.pass().await;
    }

    assert_eq!(w.status_of(id).await.0, "ERROR");
    let failures = events(&w, "server", id, "failure").await;
    the_reconcile_failure(&w, &failures, "server.delete");
}

async fn a_create_that_succeeds_writes_no_failure_event(protocol: Protocol) {
    let w = world(protocol, Kind::Servers).await;
    let api = api(&w).await;
    let id = api.create_server("web-1").await.unwrap().server.id;

    w.pass().await;
    w.pass().await;

    assert_eq!(w.status_of(id).await.0, "ACTIVE");
    assert_eq!(events(&w, "server", id, "accepted").await.len(), 1);
    assert!(events(&w, "server", id, "failure").await.is_empty());
}

both_protocols!(
    a_create_given_up_after_the_last_reissue_writes_one_failure_event_with_no_actor,
    a_create_the_cloud_ends_in_error_writes_one_failure_event_with_the_fault,
    a_transition_stuck_past_its_limit_is_failed_and_audited_once,
    a_volume_the_cloud_creates_in_error_writes_one_volume_create_failure,
    a_delete_the_cloud_leaves_in_error_is_audited_once_however_many_passes_see_it,
    a_create_that_succeeds_writes_no_failure_event,
);
