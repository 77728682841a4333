//! The floating IPs pass against cloud_sim over real HTTP and a real
//! database, for a project on each provider protocol.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use batch_server::jobs::reconcile::Kind;
use cloud_sim::ResourceKind;
use serde_json::json;
use support::world::{Protocol, World, world};

impl World {
    fn cloud_floating_ip(&self, inventory_id: Option<i64>) -> String {
        let id = self
            .oob()
            .create(ResourceKind::FloatingIp, &self.cloud_project, &json!({}))
            .unwrap();
        if let Some(i) = inventory_id {
            self.oob()
                .modify(
                    ResourceKind::FloatingIp,
                    &id,
                    &json!({"description": format!("floating_ip:{i}")}),
                )
                .unwrap();
        }
        id
    }

    /// A cloud port on a fresh network, with a network interface row for it.
    async fn port_with_row(&self) -> (String, i64) {
        let net = self
            .oob()
            .create(
                ResourceKind::Network,
                &self.cloud_project,
                &json!({"cidr": "10.9.0.0/24"}),
            )
            .unwrap();
        let port = self
            .oob()
            .create(ResourceKind::Port, &self.cloud_project, &json!({"network_id": net}))
            .unwrap();
        let id = sqlx::query(
            "INSERT INTO network_interface (project_id, network_id, status, openstack_id) VALUES (?, ?, 'ACTIVE', ?)",
        )
        .bind(self.project_id)
        .bind(&net)
        .bind(&port)
        .execute(&self.db.pool)
        .await
        .unwrap()
        .last_insert_id() as i64;
        (port, id)
    }

    async fn floating_ip_row(&self, openstack_id: Option<&str>, status: &str, pending: Option<&str>) -> i64 {
        sqlx::query(
            "INSERT INTO floating_ip (project_id, floating_network_id, status, pending_action, pending_since, openstack_id) \
             VALUES (?, 'ext', ?, ?, UTC_TIMESTAMP(6), ?)",
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

    async fn floating_ip(&self, id: i64) -> (String, Option<String>, Option<String>, Option<i64>, bool) {
        sqlx::query_as(
            "SELECT status, pending_action, openstack_id, network_interface_id, deleted_at IS NOT NULL \
             FROM floating_ip WHERE id = ?",
        )
        .bind(id)
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
    }
}

async fn a_pending_floating_ip_converges_to_what_the_cloud_shows(protocol: Protocol) {
    let w = world(protocol, Kind::FloatingIps).await;
    let os_id = w.cloud_floating_ip(None);
    let id = w.floating_ip_row(Some(&os_id), "BUILD", Some("create")).await;

    let pass = w.pass().await;

    assert_eq!(pass.counts.errors, 0, "{pass:?}");
    let (status, pending, _, _, _) = w.floating_ip(id).await;
    assert_eq!((status.as_str(), pending), ("DOWN", None));
}

async fn a_floating_ip_whose_create_response_was_lost_is_adopted(protocol: Protocol) {
    let w = world(protocol, Kind::FloatingIps).await;
    let id = w.floating_ip_row(None, "BUILD", Some("create")).await;
    let os_id = w.cloud_floating_ip(Some(id));

    w.pass().await;

    let (_, pending, adopted, _, _) = w.floating_ip(id).await;
    assert_eq!((adopted.as_deref(), pending), (Some(os_id.as_str()), None));
}

async fn an_association_changed_out_of_band_follows_the_cloud(protocol: Protocol) {
    let w = world(protocol, Kind::FloatingIps).await;
    let os_id = w.cloud_floating_ip(None);
    let id = w.floating_ip_row(Some(&os_id), "DOWN", None).await;
    let (port, nic) = w.port_with_row().await;
    w.oob()
        .modify(ResourceKind::FloatingIp, &os_id, &json!({"port_id": port}))
        .unwrap();

    w.pass().await;

    let (status, _, _, attached, _) = w.floating_ip(id).await;
    assert_eq!((status.as_str(), attached), ("ACTIVE", Some(nic)));
}

async fn a_floating_ip_deleted_out_of_band_is_soft_deleted_with_a_finding(protocol: Protocol) {
    let w = world(protocol, Kind::FloatingIps).await;
    let os_id = w.cloud_floating_ip(None);
    let id = w.floating_ip_row(Some(&os_id), "DOWN", None).await;
    assert!(w.oob().delete_floating_ip(&os_id));

    w.pass().await;

    assert!(w.floating_ip(id).await.4, "soft-deleted");
    assert_eq!(w.open_findings("missing_in_cloud").await, 1);
}

async fn a_floating_ip_with_no_row_is_reported_unmanaged(protocol: Protocol) {
    let w = world(protocol, Kind::FloatingIps).await;
    w.cloud_floating_ip(None);

    let pass = w.pass().await;

    assert_eq!(pass.counts.drift_found, 1, "{pass:?}");
    assert_eq!(w.open_findings("unmanaged_in_cloud").await, 1);
}

async fn a_second_floating_ip_pass_with_no_cloud_change_writes_nothing(protocol: Protocol) {
    let w = world(protocol, Kind::FloatingIps).await;
    let os_id = w.cloud_floating_ip(None);
    w.floating_ip_row(Some(&os_id), "BUILD", Some("create")).await;
    w.pass().await;
    let second = w.pass().await;
    assert_eq!(
        (second.counts.changed, second.counts.errors, second.counts.drift_found),
        (0, 0, 0),
        "{second:?}"
    );
}

both_protocols!(
    a_pending_floating_ip_converges_to_what_the_cloud_shows,
    a_floating_ip_whose_create_response_was_lost_is_adopted,
    an_association_changed_out_of_band_follows_the_cloud,
    a_floating_ip_deleted_out_of_band_is_soft_deleted_with_a_finding,
    a_floating_ip_with_no_row_is_reported_unmanaged,
    a_second_floating_ip_pass_with_no_cloud_change_writes_nothing,
);
