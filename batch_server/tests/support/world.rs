//! A database, cloud_sim and a reconcile job for one project on either
//! provider protocol.

use std::sync::Arc;
use std::time::Duration;

use batch_server::jobs::reconcile::{IncrementalListing, Kind, ReconcileJob};
use batch_server::jobs::{Job, Pass, PassContext};
use cloud_sim::{OutOfBand, ResourceKind, SimConfig, SimServer};
use common::application::credentials::CredentialCipher;
use common::application::reconcile::Policy;
use common::infrastructure::cloud::{
    CloudConnector, CreateProjectRequest, EndpointInterface, HttpSettings, NhnSettings, Provider, RetryPolicy,
    install_crypto_provider,
};
use common::infrastructure::db::cloud_credentials::{self, NewCredential};
use serde_json::json;
use test_support::TestDb;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Copy, Debug)]
pub enum Protocol {
    OpenStack,
    Nhn,
}

pub struct World {
    pub sim: SimServer,
    pub db: TestDb,
    pub job: ReconcileJob,
    pub project_id: i64,
    pub cloud_project: String,
    pub cloud: &'static str,
}

pub fn http() -> HttpSettings {
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

/// Both clouds of the simulator; with `calls_per_sec`, through a call rate
/// as the batch server builds it (0: no rate, `Retry-After` still pauses).
pub fn connector(sim: &SimServer, http: HttpSettings, calls_per_sec: Option<u32>) -> Arc<CloudConnector> {
    let openstack = test_support::sim_cloud::openstack_settings(sim, EndpointInterface::Public, http.clone());
    let nhn = NhnSettings {
        identity_url: sim.nhn_identity_url(),
        default_region: None,
        http,
    };
    let connector = match calls_per_sec {
        None => CloudConnector::new(Some(openstack), Some(nhn)),
        Some(rate) => CloudConnector::with_call_rate(Some(openstack), Some(nhn), rate),
    };
    Arc::new(connector.unwrap())
}

pub async fn world(protocol: Protocol, kind: Kind) -> World {
    install_crypto_provider();
    let sim = SimServer::start(SimConfig::instant()).await.unwrap();
    let db = TestDb::new().await;
    let connector = connector(&sim, http(), None);
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
    let job = ReconcileJob {
        kind,
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
    pub async fn pass(&self) -> Pass {
        let stop = CancellationToken::new();
        self.job
            .run(PassContext {
                stop: &stop,
                dry_run: false,
            })
            .await
            .unwrap()
    }

    pub async fn row(&self, openstack_id: Option<&str>, status: &str, task: Option<&str>) -> i64 {
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

    pub fn oob(&self) -> OutOfBand {
        match self.cloud {
            "openstack" => self.sim.out_of_band(),
            _ => self.sim.out_of_band_nhn("KR1"),
        }
    }

    pub fn cloud_server(&self, status: &str, inventory_id: Option<i64>) -> String {
        let oob = self.oob();
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

    pub async fn status_of(&self, id: i64) -> (String, Option<String>, Option<String>, Option<String>) {
        sqlx::query_as("SELECT status, task_state, openstack_id, CAST(deleted_at AS CHAR) FROM server WHERE id = ?")
            .bind(id)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    pub async fn open_findings(&self, kind: &str) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM drift_finding WHERE kind = ? AND resolved_at IS NULL")
            .bind(kind)
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }
}
