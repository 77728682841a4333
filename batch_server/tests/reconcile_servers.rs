//! The servers pass against cloud_sim over real HTTP and a real database,
//! for a project on each provider protocol.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use batch_server::jobs::servers::{IncrementalListing, ServersJob};
use batch_server::jobs::{Job, Pass, PassContext};
use cloud_sim::{ResourceKind, SimConfig, SimServer};
use common::application::credentials::CredentialCipher;
use common::application::reconcile::Policy;
use common::infrastructure::cloud::{
    CloudConnector, CreateProjectRequest, EndpointInterface, HttpSettings, NhnSettings, OpenStackSettings, Provider,
    RetryPolicy, Secret, install_crypto_provider,
};
use common::infrastructure::db::cloud_credentials::{self, NewCredential};
use serde_json::json;
use test_support::TestDb;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Copy, Debug)]
enum Protocol {
    OpenStack,
    Nhn,
}

struct World {
    sim: SimServer,
    db: TestDb,
    job: ServersJob,
    project_id: i64,
    cloud_project: String,
    cloud: &'static str,
}

fn http() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_secs(5),
        max_concurrency: 8,
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(1),
        },
        ca_certificates_pem: vec![],
    }
}

async fn world(protocol: Protocol) -> World {
    install_crypto_provider();
    let sim = SimServer::start(SimConfig::instant()).await.unwrap();
    let db = TestDb::new().await;
    let c = sim.service_credentials();
    let connector = Arc::new(
        CloudConnector::new(
            Some(OpenStackSettings {
                auth_url: c.auth_url,
                username: c.username,
                password: Secret::new(c.password),
                user_domain_name: c.user_domain,
                project_name: c.project,
                project_domain_name: c.project_domain,
                region: Some(c.region),
                interface: EndpointInterface::Public,
                member_role_name: "member".into(),
                http: http(),
            }),
            Some(NhnSettings {
                identity_url: sim.nhn_identity_url(),
                default_region: None,
                http: http(),
            }),
        )
        .unwrap(),
    );
    let cipher = CredentialCipher::new(&[7u8; 32], "k1");
    let (provider, cloud_project, cloud) = match protocol {
        Protocol::OpenStack => {
            let identity = connector.identity(Provider::OpenStack).unwrap();
            let p = identity
                .create_project(&CreateProjectRequest {
                    name: "reconcile".into(),
                    description: None,
                })
                .await
                .unwrap();
            ("openstack", p.id, "openstack")
        }
        Protocol::Nhn => {
            let t = sim.register_nhn_tenant("tenant-user", "tenant-api-password");
            ("nhn", t.tenant_id, "nhn-kr1")
        }
    };
    let project_id = sqlx::query(
        "INSERT INTO project (domain_id, name, provider, openstack_id, status) VALUES (1, 'p1', ?, ?, 'ACTIVE')",
    )
    .bind(provider)
    .bind(&cloud_project)
    .execute(&db.pool)
    .await
    .unwrap()
    .last_insert_id() as i64;
    if let Protocol::Nhn = protocol {
        let secret = cipher.encrypt("tenant-api-password").unwrap();
        let mut conn = db.pool.acquire().await.unwrap();
        cloud_credentials::insert(
            &mut conn,
            &NewCredential {
                project_id,
                provider: "nhn",
                identity_url: None,
                region: Some("KR1"),
                tenant_id: &cloud_project,
                username: "tenant-user",
                secret_ciphertext: &secret.ciphertext,
                secret_nonce: &secret.nonce,
                key_id: &secret.key_id,
            },
        )
        .await
        .unwrap();
    }
    let job = ServersJob {
        pool: db.pool.clone(),
        connector,
        cipher: Some(cipher),
        schedule: "0 0 0 1 1 *".into(),
        policy: Policy::default(),
        incremental: IncrementalListing::new(1),
    };
    World {
        sim,
        db,
        job,
        project_id,
        cloud_project,
        cloud,
    }
}

impl World {
    async fn pass(&self) -> Pass {
        let stop = CancellationToken::new();
        self.job
            .run(PassContext {
                stop: &stop,
                dry_run: false,
            })
            .await
            .unwrap()
    }

    async fn row(&self, openstack_id: Option<&str>, status: &str, task: Option<&str>) -> i64 {
        sqlx::query(
            "INSERT INTO server (project_id, name, flavor_id, network_id, status, task_state, pending_action, pending_since, openstack_id) \
             VALUES (?, UUID(), 'f', 'n', ?, ?, ?, UTC_TIMESTAMP(6), ?)",
        )
        .bind(self.project_id)
        .bind(status)
        .bind(task)
        .bind(task.map(|t| if t == "creating" { "create" } else { t }))
        .bind(openstack_id)
        .execute(&self.db.pool)
        .await
        .unwrap()
        .last_insert_id() as i64
    }

    fn cloud_server(&self, status: &str, inventory_id: Option<i64>) -> String {
        let oob = match self.cloud {
            "openstack" => self.sim.out_of_band(),
            _ => self.sim.out_of_band_nhn("KR1"),
        };
        let metadata = inventory_id
            .map(|i| json!({"inventory_id": format!("server:{i}")}))
            .unwrap_or(json!({}));
        oob.create(
            ResourceKind::Server,
            &self.cloud_project,
            &json!({"name": "vm", "status": status, "metadata": metadata}),
        )
        .unwrap()
    }

    async fn status_of(&self, id: i64) -> (String, Option<String>, Option<String>, Option<String>) {
        sqlx::query_as("SELECT status, task_state, openstack_id, CAST(deleted_at AS CHAR) FROM server WHERE id = ?")
            .bind(id)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    async fn open_findings(&self, kind: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM drift_finding WHERE kind = ? AND resolved_at IS NULL")
            .bind(kind)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }
}

async fn converges_build_to_active(protocol: Protocol) {
    let w = world(protocol).await;
    let os_id = w.cloud_server("ACTIVE", None);
    let id = w.row(Some(&os_id), "BUILD", Some("creating")).await;

    let pass = w.pass().await;

    assert_eq!(pass.counts.errors, 0, "{pass:?}");
    let (status, task, _, _) = w.status_of(id).await;
    assert_eq!((status.as_str(), task), ("ACTIVE", None));
}

async fn adopts_a_server_whose_create_response_was_lost(protocol: Protocol) {
    let w = world(protocol).await;
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
    let w = world(protocol).await;
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
    let w = world(protocol).await;
    w.cloud_server("ACTIVE", None);
    let pass = w.pass().await;
    assert_eq!(w.open_findings("unmanaged_in_cloud").await, 1);
    assert_eq!(pass.counts.drift_found, 1);
}

async fn a_failing_listing_marks_nothing_gone(protocol: Protocol, status: u16) {
    let w = world(protocol).await;
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
    let w = world(protocol).await;
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

macro_rules! both_protocols {
    ($($name:ident),* $(,)?) => {
        mod openstack {
            use super::Protocol;
            $(#[tokio::test] async fn $name() { super::$name(Protocol::OpenStack).await })*
        }
        mod nhn {
            use super::Protocol;
            $(#[tokio::test] async fn $name() { super::$name(Protocol::Nhn).await })*
        }
    };
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
