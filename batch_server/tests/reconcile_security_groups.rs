//! The security groups pass against cloud_sim over real HTTP and a real
//! database, for a project on each provider protocol.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use batch_server::jobs::reconcile::Kind;
use cloud_sim::ResourceKind;
use serde_json::json;
use support::world::{Protocol, World, world};

impl World {
    fn cloud_group(&self, name: &str, inventory_id: Option<i64>) -> String {
        let id = self
            .oob()
            .create(ResourceKind::SecurityGroup, &self.cloud_project, &json!({"name": name}))
            .unwrap();
        if let Some(i) = inventory_id {
            self.oob()
                .modify(
                    ResourceKind::SecurityGroup,
                    &id,
                    &json!({"description": format!("security_group:{i}")}),
                )
                .unwrap();
        }
        id
    }

    async fn group_row(&self, openstack_id: Option<&str>, status: &str, pending: Option<&str>) -> i64 {
        sqlx::query(
            "INSERT INTO security_group (project_id, name, status, pending_action, pending_since, openstack_id) \
             VALUES (?, UUID(), ?, ?, UTC_TIMESTAMP(6), ?)",
        )
        .bind(self.project_id)
        .bind(status)
        .bind(pending)
        .bind(openstack_id)
        .execute(&self.db.pool)
        .await
        .unwrap()
        .last_insert_id() as i64
    }

    async fn group(&self, id: i64) -> (String, Option<String>, Option<String>, bool) {
        sqlx::query_as(
            "SELECT status, pending_action, openstack_id, deleted_at IS NOT NULL FROM security_group WHERE id = ?",
        )
        .bind(id)
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
    }
}

async fn a_pending_group_converges_to_active(protocol: Protocol) {
    let w = world(protocol, Kind::SecurityGroups).await;
    let os_id = w.cloud_group("web", None);
    let id = w.group_row(Some(&os_id), "CREATING", Some("create")).await;

    let pass = w.pass().await;

    assert_eq!(pass.counts.errors, 0, "{pass:?}");
    let (status, pending, _, _) = w.group(id).await;
    assert_eq!((status.as_str(), pending), ("ACTIVE", None));
}

async fn a_group_whose_create_response_was_lost_is_adopted(protocol: Protocol) {
    let w = world(protocol, Kind::SecurityGroups).await;
    let id = w.group_row(None, "CREATING", Some("create")).await;
    let os_id = w.cloud_group("web", Some(id));

    w.pass().await;

    let (_, pending, adopted, _) = w.group(id).await;
    assert_eq!((adopted.as_deref(), pending), (Some(os_id.as_str()), None));
}

async fn a_group_deleted_out_of_band_is_soft_deleted_with_a_finding(protocol: Protocol) {
    let w = world(protocol, Kind::SecurityGroups).await;
    let os_id = w.cloud_group("web", None);
    let id = w.group_row(Some(&os_id), "ACTIVE", None).await;
    assert!(w.oob().delete(ResourceKind::SecurityGroup, &os_id));

    w.pass().await;

    assert!(w.group(id).await.3, "soft-deleted");
    assert_eq!(w.open_findings("missing_in_cloud").await, 1);
}

async fn a_group_with_no_row_is_reported_unmanaged_but_default_is_not(protocol: Protocol) {
    let w = world(protocol, Kind::SecurityGroups).await;
    w.cloud_group("ops", None);
    w.cloud_group("default", None);

    let pass = w.pass().await;

    assert_eq!(pass.counts.drift_found, 1, "{pass:?}");
    assert_eq!(w.open_findings("unmanaged_in_cloud").await, 1);
}

async fn a_second_group_pass_with_no_cloud_change_writes_nothing(protocol: Protocol) {
    let w = world(protocol, Kind::SecurityGroups).await;
    let os_id = w.cloud_group("web", None);
    let id = w.group_row(Some(&os_id), "CREATING", Some("create")).await;
    // The rules a new cloud group starts with, stored as ours: no rule drift.
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
    w.pass().await;
    let second = w.pass().await;
    assert_eq!(
        (second.counts.changed, second.counts.errors, second.counts.drift_found),
        (0, 0, 0),
        "{second:?}"
    );
}

both_protocols!(
    a_pending_group_converges_to_active,
    a_group_whose_create_response_was_lost_is_adopted,
    a_group_deleted_out_of_band_is_soft_deleted_with_a_finding,
    a_group_with_no_row_is_reported_unmanaged_but_default_is_not,
    a_second_group_pass_with_no_cloud_change_writes_nothing,
);
