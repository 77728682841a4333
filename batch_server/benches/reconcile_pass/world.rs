//! The converged world the passes run over: cloud_sim in process with a fleet
//! of settled servers (each with its port and root volume) per project, and
//! the matching inventory rows, written in bulk, in a fresh database.

use std::time::Duration;

use cloud_sim::{FleetServer, SeededServer, SimConfig, SimServer};
use common::infrastructure::cloud::{CloudConnector, EndpointInterface, HttpSettings, RetryPolicy};
use sqlx::MySqlPool;
use test_support::TestDb;

/// Rows per multi-row INSERT.
const CHUNK: usize = 1000;
const ROOT_GB: u64 = 20;

pub struct World {
    pub sim: SimServer,
    pub db: TestDb,
    pub connector: CloudConnector,
    /// (our project id, its cloud project id)
    projects: Vec<(i64, String)>,
    servers: i64,
}

struct Seeded {
    id: i64,
    project_id: i64,
    cloud: SeededServer,
}

impl World {
    pub async fn start(projects: usize) -> World {
        let sim = SimServer::start(SimConfig::instant()).await.unwrap();
        let db = TestDb::new().await;
        let http = HttpSettings {
            timeout: Duration::from_secs(120),
            max_concurrency: 16,
            retry: RetryPolicy {
                max_attempts: 1,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(50),
                max_retry_after: Duration::from_secs(1),
            },
            ca_certificates_pem: vec![],
        };
        let connector = CloudConnector::new(
            Some(test_support::sim_cloud::openstack_settings(
                &sim,
                EndpointInterface::Public,
                http,
            )),
            None,
        )
        .unwrap();
        let mut rows = Vec::new();
        for p in 1..=projects {
            let cloud_id = format!("bench-project-{p}");
            let id = sqlx::query(
                "INSERT INTO project (domain_id, name, provider, openstack_id, status) VALUES (1, ?, 'openstack', ?, 'ACTIVE')",
            )
            .bind(format!("bench-{p}"))
            .bind(&cloud_id)
            .execute(&db.pool)
            .await
            .unwrap()
            .last_insert_id() as i64;
            rows.push((id, cloud_id));
        }
        World {
            sim,
            db,
            connector,
            projects: rows,
            servers: 0,
        }
    }

    /// Servers (and as many volumes and ports) in the world so far.
    pub fn servers(&self) -> i64 {
        self.servers
    }

    /// Adds `per_project` servers with their port and root volume to every
    /// project, in the cloud and in the inventory, already in agreement.
    pub async fn grow(&mut self, per_project: usize) {
        let oob = self.sim.out_of_band();
        let mut seeded = Vec::new();
        for (project_id, cloud_id) in &self.projects {
            let first = self.servers + 1;
            let ids: Vec<i64> = (first..first + per_project as i64).collect();
            let fleet: Vec<FleetServer> = ids
                .iter()
                .map(|id| FleetServer {
                    name: format!("srv-{id}"),
                    metadata: [("inventory_id".to_owned(), format!("server:{id}"))].into(),
                    root_gb: ROOT_GB,
                })
                .collect();
            let made = oob.seed_fleet(cloud_id, &fleet).unwrap();
            seeded.extend(ids.into_iter().zip(made).map(|(id, cloud)| Seeded {
                id,
                project_id: *project_id,
                cloud,
            }));
            self.servers += per_project as i64;
        }
        for chunk in seeded.chunks(CHUNK) {
            insert_rows(&self.db.pool, chunk).await;
        }
    }
}

async fn insert_rows(pool: &MySqlPool, chunk: &[Seeded]) {
    let values = |f: &dyn Fn(&Seeded) -> String| chunk.iter().map(f).collect::<Vec<_>>().join(",");
    let servers = format!(
        "INSERT INTO server (id, project_id, name, flavor_id, network_id, status, openstack_id, vcpus, ram_mb, last_synced_at) VALUES {}",
        values(&|s| format!(
            "({}, {}, 'srv-{}', '1', 'private', 'ACTIVE', '{}', 1, 512, UTC_TIMESTAMP(6))",
            s.id, s.project_id, s.id, s.cloud.server_id
        ))
    );
    let volumes = format!(
        "INSERT INTO volume (id, project_id, name, size_gb, status, server_id, is_root, device, openstack_id, last_synced_at) VALUES {}",
        values(&|s| format!(
            "({}, {}, 'root-{}', {ROOT_GB}, 'IN_USE', {}, 1, '/dev/vda', '{}', UTC_TIMESTAMP(6))",
            s.id, s.project_id, s.id, s.id, s.cloud.root_volume_id
        ))
    );
    let ports = format!(
        "INSERT INTO network_interface (id, project_id, server_id, network_id, fixed_ip, mac_address, status, openstack_id, last_synced_at) VALUES {}",
        values(&|s| format!(
            "({}, {}, {}, 'private', '{}', '{}', 'ACTIVE', '{}', UTC_TIMESTAMP(6))",
            s.id, s.project_id, s.id, s.cloud.fixed_ip, s.cloud.mac_address, s.cloud.port_id
        ))
    );
    for sql in [servers, volumes, ports] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await.unwrap();
    }
}
