//! The network interfaces pass against cloud_sim over real HTTP and a real
//! database, for a project on each provider protocol.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use batch_server::jobs::reconcile::Kind;
use cloud_sim::ResourceKind;
use common::application::reconcile::managed::ManagedProjects;
use common::infrastructure::cloud::CreatePortRequest;
use serde_json::json;
use support::world::{Protocol, World, world};

impl World {
    fn cloud_network(&self) -> String {
        self.oob()
            .create(
                ResourceKind::Network,
                &self.cloud_project,
                &json!({"cidr": "10.8.0.0/24"}),
            )
            .unwrap()
    }

    fn cloud_port(&self, network_id: &str) -> String {
        self.oob()
            .create(
                ResourceKind::Port,
                &self.cloud_project,
                &json!({"network_id": network_id}),
            )
            .unwrap()
    }

    /// A port made through the provider API, carrying `description`.
    async fn cloud_port_described(&self, network_id: &str, description: String) -> String {
        let managed = ManagedProjects::load(&self.db.pool, self.job.cipher.as_ref())
            .await
            .unwrap();
        let project = managed.project(&self.job.connector, self.project_id).unwrap();
        let request = CreatePortRequest {
            network_id: network_id.into(),
            description: Some(description),
            ..CreatePortRequest::default()
        };
        project.create_port(&request).await.unwrap().id
    }

    async fn interface_row(
        &self,
        network_id: &str,
        openstack_id: Option<&str>,
        status: &str,
        pending: Option<&str>,
    ) -> i64 {
        sqlx::query(
            "INSERT INTO network_interface (project_id, network_id, status, pending_action, pending_since, openstack_id) \
             VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6), ?)",
        )
        .bind(self.project_id)
        .bind(network_id)
        .bind(status)
        .bind(pending)
        .bind(openstack_id)
        .execute(&self.db.pool)
        .await
        .unwrap()
        .last_insert_id() as i64
    }

    async fn interface(&self, id: i64) -> (String, Option<String>, Option<String>, bool) {
        sqlx::query_as(
            "SELECT status, pending_action, openstack_id, deleted_at IS NOT NULL FROM network_interface WHERE id = ?",
        )
        .bind(id)
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
    }
}

async fn a_pending_interface_converges_to_what_the_cloud_shows(protocol: Protocol) {
    let w = world(protocol, Kind::NetworkInterfaces).await;
    let net = w.cloud_network();
    let os_id = w.cloud_port(&net);
    let id = w.interface_row(&net, Some(&os_id), "BUILD", Some("create")).await;

    let pass = w.pass().await;

    assert_eq!(pass.counts.errors, 0, "{pass:?}");
    let (status, pending, _, _) = w.interface(id).await;
    assert_ne!(status, "BUILD");
    assert_eq!(pending, None);
}

async fn an_interface_whose_create_response_was_lost_is_adopted(protocol: Protocol) {
    let w = world(protocol, Kind::NetworkInterfaces).await;
    let net = w.cloud_network();
    let id = w.interface_row(&net, None, "BUILD", Some("create")).await;
    let os_id = w.cloud_port_described(&net, format!("network_interface:{id}")).await;

    w.pass().await;

    let (_, pending, adopted, _) = w.interface(id).await;
    assert_eq!((adopted.as_deref(), pending), (Some(os_id.as_str()), None));
}

async fn an_interface_deleted_out_of_band_is_soft_deleted_with_a_finding(protocol: Protocol) {
    let w = world(protocol, Kind::NetworkInterfaces).await;
    let net = w.cloud_network();
    let os_id = w.cloud_port(&net);
    let id = w.interface_row(&net, Some(&os_id), "DOWN", None).await;
    assert!(w.oob().delete_port(&os_id));

    w.pass().await;

    assert!(w.interface(id).await.3, "soft-deleted");
    assert_eq!(w.open_findings("missing_in_cloud").await, 1);
}

async fn a_port_with_no_row_is_reported_unmanaged(protocol: Protocol) {
    let w = world(protocol, Kind::NetworkInterfaces).await;
    let net = w.cloud_network();
    w.cloud_port(&net);

    let pass = w.pass().await;

    assert_eq!(pass.counts.errors, 0, "{pass:?}");
    assert!(w.open_findings("unmanaged_in_cloud").await >= 1);
}

async fn ports_the_cloud_owns_are_never_reported(protocol: Protocol) {
    let w = world(protocol, Kind::NetworkInterfaces).await;
    let net = w.cloud_network();
    let port = w.cloud_port(&net);
    w.oob()
        .modify(
            ResourceKind::Port,
            &port,
            &json!({"device_owner": "network:router_interface"}),
        )
        .unwrap();
    let before = w.open_findings("unmanaged_in_cloud").await;

    w.pass().await;

    let findings: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM drift_finding WHERE openstack_id = ?")
        .bind(&port)
        .fetch_one(&w.db.pool)
        .await
        .unwrap();
    assert_eq!(findings, 0, "unmanaged before the pass: {before}");
}

async fn a_second_interface_pass_with_no_cloud_change_writes_nothing(protocol: Protocol) {
    let w = world(protocol, Kind::NetworkInterfaces).await;
    let net = w.cloud_network();
    let os_id = w.cloud_port(&net);
    w.interface_row(&net, Some(&os_id), "BUILD", Some("create")).await;
    w.pass().await;
    let second = w.pass().await;
    assert_eq!(
        (second.counts.changed, second.counts.errors, second.counts.drift_found),
        (0, 0, 0),
        "{second:?}"
    );
}

both_protocols!(
    a_pending_interface_converges_to_what_the_cloud_shows,
    an_interface_whose_create_response_was_lost_is_adopted,
    an_interface_deleted_out_of_band_is_soft_deleted_with_a_finding,
    a_port_with_no_row_is_reported_unmanaged,
    ports_the_cloud_owns_are_never_reported,
    a_second_interface_pass_with_no_cloud_change_writes_nothing,
);
