//! The volumes pass against cloud_sim over real HTTP and a real database,
//! for a project on each provider protocol.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use batch_server::jobs::reconcile::Kind;
use cloud_sim::ResourceKind;
use serde_json::json;
use support::world::{Protocol, World, world};

impl World {
    fn cloud_volume(&self, status: &str, size: u32, inventory_id: Option<i64>) -> String {
        let metadata = inventory_id
            .map(|i| json!({"inventory_id": format!("volume:{i}")}))
            .unwrap_or(json!({}));
        self.oob()
            .create(
                ResourceKind::Volume,
                &self.cloud_project,
                &json!({"size": size, "status": status, "metadata": metadata}),
            )
            .unwrap()
    }

    async fn volume_row(&self, openstack_id: Option<&str>, status: &str, pending: Option<&str>, size: i32) -> i64 {
        sqlx::query(
            "INSERT INTO volume (project_id, name, size_gb, status, pending_action, task_state, pending_since, openstack_id) \
             VALUES (?, UUID(), ?, ?, ?, ?, UTC_TIMESTAMP(6), ?)",
        )
        .bind(self.project_id)
        .bind(size)
        .bind(status)
        .bind(pending)
        .bind(pending)
        .bind(openstack_id)
        .execute(&self.db.pool)
        .await
        .unwrap()
        .last_insert_id() as i64
    }

    async fn volume(&self, id: i64) -> (String, i32, Option<String>, Option<String>, bool) {
        sqlx::query_as(
            "SELECT status, size_gb, pending_action, openstack_id, deleted_at IS NOT NULL FROM volume WHERE id = ?",
        )
        .bind(id)
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
    }
}

async fn a_created_volume_becomes_available(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let os_id = w.cloud_volume("available", 10, None);
    let id = w.volume_row(Some(&os_id), "CREATING", Some("create"), 10).await;

    let pass = w.pass().await;

    assert_eq!(pass.counts.errors, 0, "{pass:?}");
    let (status, _, pending, _, _) = w.volume(id).await;
    assert_eq!((status.as_str(), pending), ("AVAILABLE", None));
}

async fn a_volume_whose_create_response_was_lost_is_adopted(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let id = w.volume_row(None, "CREATING", Some("create"), 10).await;
    let os_id = w.cloud_volume("available", 10, Some(id));

    w.pass().await;

    let (status, _, _, adopted, _) = w.volume(id).await;
    assert_eq!(adopted.as_deref(), Some(os_id.as_str()));
    assert_eq!(status, "AVAILABLE");
}

async fn an_out_of_band_size_change_is_reported_and_our_size_kept(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let os_id = w.cloud_volume("available", 10, None);
    let id = w.volume_row(Some(&os_id), "AVAILABLE", None, 10).await;
    sqlx::query("UPDATE volume SET last_synced_at = UTC_TIMESTAMP(6) WHERE id = ?")
        .bind(id)
        .execute(&w.db.pool)
        .await
        .unwrap();
    w.oob()
        .modify(ResourceKind::Volume, &os_id, &json!({"size": 30}))
        .unwrap();

    let pass = w.pass().await;

    assert_eq!(pass.counts.drift_found, 1, "{pass:?}");
    assert_eq!(w.volume(id).await.1, 10);
    assert_eq!(w.open_findings("field_mismatch").await, 1);
}

async fn an_extend_the_cloud_confirmed_stores_the_new_size(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let os_id = w.cloud_volume("available", 20, None);
    let id = w.volume_row(Some(&os_id), "EXTENDING", Some("extend"), 10).await;
    sqlx::query("UPDATE volume SET requested_size_gb = 20 WHERE id = ?")
        .bind(id)
        .execute(&w.db.pool)
        .await
        .unwrap();

    w.pass().await;

    let (status, size, pending, _, _) = w.volume(id).await;
    assert_eq!((status.as_str(), size, pending), ("AVAILABLE", 20, None));
}

async fn a_volume_deleted_out_of_band_is_soft_deleted_with_a_finding(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let os_id = w.cloud_volume("available", 10, None);
    let id = w.volume_row(Some(&os_id), "AVAILABLE", None, 10).await;
    assert!(w.oob().delete_volume(&os_id));

    w.pass().await;

    assert!(w.volume(id).await.4, "soft-deleted");
    assert_eq!(w.open_findings("missing_in_cloud").await, 1);
}

async fn an_adopted_volume_takes_the_size_the_cloud_reports(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let os_id = w.cloud_volume("available", 40, None);
    let id = w.volume_row(Some(&os_id), "AVAILABLE", None, 1).await;

    let pass = w.pass().await;

    assert_eq!(w.volume(id).await.1, 40);
    assert_eq!(pass.counts.drift_found, 0, "{pass:?}");
}

async fn a_second_volume_pass_with_no_cloud_change_writes_nothing(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let os_id = w.cloud_volume("available", 10, None);
    w.volume_row(Some(&os_id), "CREATING", Some("create"), 10).await;
    w.pass().await;
    let second = w.pass().await;
    assert_eq!(
        (second.counts.changed, second.counts.errors, second.counts.drift_found),
        (0, 0, 0),
        "{second:?}"
    );
}

async fn an_attachment_the_cloud_shows_is_stored_with_our_server_id(protocol: Protocol) {
    let w = world(protocol, Kind::Volumes).await;
    let fleet = [cloud_sim::FleetServer {
        name: "vm".into(),
        root_gb: 20,
        ..Default::default()
    }];
    let seeded = w.oob().seed_fleet(&w.cloud_project, &fleet).unwrap().remove(0);
    let server = w.row(Some(&seeded.server_id), "ACTIVE", None).await;
    let id = w.volume_row(Some(&seeded.root_volume_id), "AVAILABLE", None, 20).await;

    let pass = w.pass().await;

    assert_eq!(pass.counts.errors, 0, "{pass:?}");
    let (status, server_id): (String, Option<i64>) =
        sqlx::query_as("SELECT status, server_id FROM volume WHERE id = ?")
            .bind(id)
            .fetch_one(&w.db.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), server_id), ("IN_USE", Some(server)));
}

both_protocols!(
    an_attachment_the_cloud_shows_is_stored_with_our_server_id,
    a_created_volume_becomes_available,
    a_volume_whose_create_response_was_lost_is_adopted,
    an_out_of_band_size_change_is_reported_and_our_size_kept,
    an_extend_the_cloud_confirmed_stores_the_new_size,
    a_volume_deleted_out_of_band_is_soft_deleted_with_a_finding,
    an_adopted_volume_takes_the_size_the_cloud_reports,
    a_second_volume_pass_with_no_cloud_change_writes_nothing,
);
