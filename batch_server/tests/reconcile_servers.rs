//! The servers pass against cloud_sim over real HTTP and a real database,
//! for a project on each provider protocol.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use std::time::Duration;

use batch_server::jobs::reconcile::Kind;
use batch_server::jobs::{Job, PassContext};
use cloud_sim::ResourceKind;
use support::world::{Protocol, world};
use tokio_util::sync::CancellationToken;

async fn converges_build_to_active(protocol: Protocol) {
    let w = world(protocol, Kind::Servers).await;
    let os_id = w.cloud_server("ACTIVE", None);
    let id = w.row(Some(&os_id), "BUILD", Some("creating")).await;

    let pass = w.pass().await;

    assert_eq!(pass.counts.errors, 0, "{pass:?}");
    let (status, task, _, _) = w.status_of(id).await;
    assert_eq!((status.as_str(), task), ("ACTIVE", None));
}

async fn adopts_a_server_whose_create_response_was_lost(protocol: Protocol) {
    let w = world(protocol, Kind::Servers).await;
    let id = w.row(None, "BUILD", Some("creating")).await;
    let os_id = w.cloud_server("ACTIVE", Some(id));
    let before = w.sim.resource_count(ResourceKind::Server);

    w.pass().await;

    let (status, _, adopted, _) = w.status_of(id).await;
    assert_eq!(adopted.as_deref(), Some(os_id.as_str()));
    assert_eq!(status, "ACTIVE");
    assert_eq!(
        w.sim.resource_count(ResourceKind::Server),
        before,
        "no second server was created"
    );
}

async fn an_out_of_band_delete_removes_the_row_and_records_missing_in_cloud(protocol: Protocol) {
    let w = world(protocol, Kind::Servers).await;
    let os_id = w.cloud_server("ACTIVE", None);
    let id = w.row(Some(&os_id), "ACTIVE", None).await;
    let oob = if w.cloud == "openstack" {
        w.sim.out_of_band()
    } else {
        w.sim.out_of_band_nhn("KR1")
    };
    assert!(oob.delete_server(&os_id));

    let pass = w.pass().await;

    let (_, _, _, deleted_at) = w.status_of(id).await;
    assert!(deleted_at.is_some(), "the row is soft-deleted");
    assert_eq!(w.open_findings("missing_in_cloud").await, 1);
    assert!(pass.counts.drift_found >= 1);
}

async fn a_server_nobody_claims_is_recorded_as_unmanaged(protocol: Protocol) {
    let w = world(protocol, Kind::Servers).await;
    w.cloud_server("ACTIVE", None);
    let pass = w.pass().await;
    assert_eq!(w.open_findings("unmanaged_in_cloud").await, 1);
    assert_eq!(pass.counts.drift_found, 1);
}

async fn a_failing_listing_marks_nothing_gone(protocol: Protocol, status: u16) {
    let w = world(protocol, Kind::Servers).await;
    let os_id = w.cloud_server("ACTIVE", None);
    let id = w.row(Some(&os_id), "ACTIVE", None).await;
    if status == 401 {
        // Cached tokens expire and identity refuses new ones.
        w.sim.faults().auth_outage(401);
        w.sim.advance_clock(Duration::from_secs(13 * 3600));
    } else {
        w.sim.faults().error_rate("*", 1.0, status);
    }

    let stop = CancellationToken::new();
    let result = w
        .job
        .run(PassContext {
            stop: &stop,
            dry_run: false,
        })
        .await;

    assert!(result.is_err(), "the pass as a whole fails: {result:?}");
    let (status_now, _, _, deleted_at) = w.status_of(id).await;
    assert_eq!((status_now.as_str(), deleted_at), ("ACTIVE", None));
    assert_eq!(w.open_findings("missing_in_cloud").await, 0);
}

async fn a_second_pass_with_no_cloud_change_writes_nothing(protocol: Protocol) {
    let w = world(protocol, Kind::Servers).await;
    let os_id = w.cloud_server("ACTIVE", None);
    let id = w.row(Some(&os_id), "BUILD", Some("creating")).await;
    w.pass().await;
    let version: i64 = sqlx::query_scalar("SELECT version FROM server WHERE id = ?")
        .bind(id)
        .fetch_one(&w.db.pool)
        .await
        .unwrap();

    let second = w.pass().await;

    assert_eq!((second.counts.changed, second.counts.errors), (0, 0), "{second:?}");
    let after: i64 = sqlx::query_scalar("SELECT version FROM server WHERE id = ?")
        .bind(id)
        .fetch_one(&w.db.pool)
        .await
        .unwrap();
    assert_eq!(after, version);
}

async fn a_listing_answering_500_marks_nothing_gone(protocol: Protocol) {
    a_failing_listing_marks_nothing_gone(protocol, 500).await
}

async fn an_auth_outage_marks_nothing_gone(protocol: Protocol) {
    a_failing_listing_marks_nothing_gone(protocol, 401).await
}

both_protocols!(
    converges_build_to_active,
    adopts_a_server_whose_create_response_was_lost,
    an_out_of_band_delete_removes_the_row_and_records_missing_in_cloud,
    a_server_nobody_claims_is_recorded_as_unmanaged,
    a_listing_answering_500_marks_nothing_gone,
    an_auth_outage_marks_nothing_gone,
    a_second_pass_with_no_cloud_change_writes_nothing,
);
