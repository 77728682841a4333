//! One world per test: the simulator, the real server wired to it, a member
//! logged in to a project on the chosen protocol, and a member of another
//! project. `reconcile_*` play the batch server through the repository
//! functions it will use.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;

use api_server::cloud::IdentityProvisioner;
use api_server::settings::Settings;
use api_server::startup::Application;
use cloud_sim::{SimConfig, SimServer};
use common::config::Env;
use common::domain::server::inventory_id;
use common::infrastructure::cloud::*;
use common::infrastructure::db::{begin, servers, volumes};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use test_support::TestDb;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const PASSWORD: &str = "member-password-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    OpenStack,
    Nhn,
}

pub struct Fixtures {
    pub flavor_id: String,
    pub image_id: String,
    pub network_id: String,
    pub external_network_id: String,
    pub volume_type_id: String,
    pub root_size: i64,
}

pub struct World {
    pub kind: Kind,
    pub address: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    pub sim: SimServer,
    pub connector: Arc<CloudConnector>,
    pub admin: String,
    pub token: String,
    pub project_id: i64,
    pub cloud: Arc<dyn CloudProject>,
    /// A member of another project (same provider).
    pub other_token: String,
    pub fx: Fixtures,
}

fn env_for(db: &TestDb, sim: &SimServer) -> HashMap<String, String> {
    let c = sim.service_credentials();
    [
        ("DATABASE_URL", db.url()),
        ("JWT_SECRET", "test-secret-test-secret-test-secret-0123".into()),
        ("BOOTSTRAP_ADMIN_ACCOUNT", ADMIN.into()),
        ("BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD.into()),
        (
            "CLOUD_CREDENTIAL_KEY",
            "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into(),
        ),
        ("RUST_LOG", "warn".into()),
        ("OS_AUTH_URL", c.auth_url),
        ("OS_USERNAME", c.username),
        ("OS_PASSWORD", c.password),
        ("OS_USER_DOMAIN_NAME", c.user_domain),
        ("OS_PROJECT_NAME", c.project),
        ("OS_PROJECT_DOMAIN_NAME", c.project_domain),
        ("OS_REGION_NAME", c.region),
        ("NHN_IDENTITY_URL", sim.nhn_identity_url()),
        ("NHN_DEFAULT_REGION", "KR1".into()),
        ("CLOUD_TIMEOUT_SECS", "5".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

pub async fn world(kind: Kind) -> World {
    world_with(kind, SimConfig::instant()).await
}

pub async fn world_with(kind: Kind, config: SimConfig) -> World {
    install_crypto_provider();
    let db = TestDb::new().await;
    let sim = SimServer::start(config).await.unwrap();
    let settings = Settings::from_env(&Env::new(&env_for(&db, &sim))).expect("test settings are valid");
    let connector = Arc::new(CloudConnector::new(settings.openstack.clone(), settings.nhn.clone()).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let provisioner = Arc::new(IdentityProvisioner::connect(settings.openstack.clone().unwrap()).unwrap());
    let app = Application::with_pool(settings, db.pool.clone(), listener, provisioner)
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    // No I/O until used; replaced by the project's handle below.
    let placeholder = connector
        .project(&ProjectCloudTarget::OpenStack {
            project_id: String::new(),
        })
        .unwrap();
    let mut w = World {
        kind,
        address,
        client,
        db,
        sim,
        connector,
        admin: String::new(),
        token: String::new(),
        project_id: 0,
        cloud: placeholder,
        other_token: String::new(),
        fx: Fixtures {
            flavor_id: String::new(),
            image_id: String::new(),
            network_id: String::new(),
            external_network_id: String::new(),
            volume_type_id: String::new(),
            root_size: 0,
        },
    };
    w.admin = w.login(ADMIN, None).await;
    let (project_id, target) = w.new_project("alpha").await;
    w.project_id = project_id;
    w.cloud = w.connector.project(&target).unwrap();
    w.token = w.member_of(project_id, "alice").await;
    let (other, _) = w.new_project("beta").await;
    w.other_token = w.member_of(other, "bobby").await;
    w.fx = w.discover().await;
    w
}

impl World {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str, token: &str) -> RequestBuilder {
        self.client.request(method, self.url(path)).bearer_auth(token)
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        self.call_as(&self.token, method, path, body).await
    }

    pub async fn call_as(&self, token: &str, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut req = self.request(method, path, token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.call(Method::GET, path, None).await
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let res = self.get(path).await;
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.call(Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.call(Method::DELETE, path, None).await
    }

    async fn login(&self, account: &str, project_id: Option<i64>) -> String {
        let password = if account == ADMIN { ADMIN_PASSWORD } else { PASSWORD };
        let mut body = json!({"account_id": account, "password": password});
        if let Some(p) = project_id {
            body["project_id"] = json!(p);
        }
        let res = self
            .client
            .post(self.url("/auth/login"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "login of {account}");
        let body: Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    async fn new_project(&self, name: &str) -> (i64, ProjectCloudTarget) {
        let (body, target) = match self.kind {
            Kind::OpenStack => (json!({"name": name}), None),
            Kind::Nhn => {
                let tenant = self
                    .sim
                    .register_nhn_tenant(&format!("{name}@example.com"), "api-password-1");
                let body = json!({"name": name, "provider": "nhn", "cloud": {
                    "tenant_id": tenant.tenant_id, "username": tenant.username,
                    "password": tenant.api_password, "region": tenant.region}});
                let target = ProjectCloudTarget::Nhn(NhnTenantCredentials {
                    tenant_id: tenant.tenant_id.clone(),
                    username: tenant.username.clone(),
                    api_password: Secret::new(tenant.api_password.clone()),
                    region: Some(tenant.region.clone()),
                });
                (body, Some(target))
            }
        };
        let res = self.call_as(&self.admin, Method::POST, "/projects", Some(body)).await;
        assert_eq!(res.status(), 201, "project {name}");
        let project: Value = res.json().await.unwrap();
        let id = project["id"].as_i64().unwrap();
        let target = target.unwrap_or_else(|| ProjectCloudTarget::OpenStack {
            project_id: project["openstack_id"].as_str().unwrap().to_owned(),
        });
        (id, target)
    }

    async fn member_of(&self, project_id: i64, account: &str) -> String {
        let res = self
            .client
            .post(self.url("/users"))
            .json(&json!({"account_id": account, "name": account, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let user: Value = res.json().await.unwrap();
        let uid = user["id"].as_i64().unwrap();
        let res = self
            .call_as(
                &self.admin,
                Method::POST,
                &format!("/projects/{project_id}/users/{uid}"),
                None,
            )
            .await;
        assert_eq!(res.status(), 204);
        self.login(account, Some(project_id)).await
    }

    async fn discover(&self) -> Fixtures {
        let flavors = self.get_json("/catalog/flavors").await;
        let flavor = flavors["flavors"]
            .as_array()
            .unwrap()
            .iter()
            .min_by_key(|f| f["ram_mb"].as_u64().unwrap())
            .unwrap()
            .clone();
        let images = self.get_json("/catalog/images").await;
        let image = images["images"]
            .as_array()
            .unwrap()
            .iter()
            .min_by_key(|i| i["min_disk_gb"].as_u64().unwrap())
            .unwrap()
            .clone();
        let networks = self.get_json("/catalog/networks").await;
        let networks = networks["networks"].as_array().unwrap();
        let internal = networks.iter().find(|n| !n["external"].as_bool().unwrap()).unwrap();
        let external = networks.iter().find(|n| n["external"].as_bool().unwrap()).unwrap();
        let types = self.get_json("/catalog/volume-types").await;
        Fixtures {
            flavor_id: flavor["id"].as_str().unwrap().to_owned(),
            image_id: image["id"].as_str().unwrap().to_owned(),
            network_id: internal["id"].as_str().unwrap().to_owned(),
            external_network_id: external["id"].as_str().unwrap().to_owned(),
            volume_type_id: types["volume_types"][0]["id"].as_str().unwrap().to_owned(),
            root_size: 20.max(image["min_disk_gb"].as_i64().unwrap()),
        }
    }

    /// The catalog image needing the largest volume, and that size in GiB.
    pub async fn image_needing_most_disk(&self) -> (Value, i64) {
        let images = self.get_json("/catalog/images").await;
        let needy = images["images"]
            .as_array()
            .unwrap()
            .iter()
            .max_by_key(|i| i["min_disk_gb"].as_i64().unwrap())
            .unwrap()
            .clone();
        let min_disk = needy["min_disk_gb"].as_i64().unwrap();
        assert!(min_disk > 1, "the catalog needs an image with a minimum disk: {images}");
        (needy["id"].clone(), min_disk)
    }

    pub fn server_body(&self, name: &str) -> Value {
        json!({
            "name": name, "description": "web tier", "flavor_id": self.fx.flavor_id,
            "network_id": self.fx.network_id,
            "root_volume": {"size": self.fx.root_size, "image_id": self.fx.image_id},
            "security_group_ids": []
        })
    }

    /// A server created over HTTP and reconciled to ACTIVE.
    pub async fn active_server(&self, name: &str) -> Value {
        let res = self.post("/servers", self.server_body(name)).await;
        assert_eq!(res.status(), 202, "create {name}");
        let body: Value = res.json().await.unwrap();
        let id = body["id"].as_i64().unwrap();
        self.reconcile_server(id).await;
        let detail = self.get_json(&format!("/servers/{id}")).await;
        assert_eq!(detail["status"], "ACTIVE", "{detail}");
        detail
    }

    pub fn counter(&self, name: &str) -> u64 {
        self.sim.counters().get(name)
    }

    // ----- the reconciler's part, through its repository functions ------------

    /// Observes the server (found by inventory id if its create was lost) and
    /// its volumes; finishes a delete the cloud has confirmed.
    pub async fn reconcile_server(&self, id: i64) {
        let rows = servers::list_for_reconcile(&self.db.pool, &[self.project_id])
            .await
            .unwrap();
        let Some(row) = rows.into_iter().find(|r| r.id == id) else {
            return;
        };
        let cloud_server = match &row.openstack_id {
            Some(os) => match self.cloud.get_server(os).await {
                Ok(s) => Some(s),
                Err(e) if e.is_not_found() => None,
                Err(e) => panic!("{e}"),
            },
            None => self
                .cloud
                .find_server_by_inventory_id(&inventory_id("server", id))
                .await
                .unwrap(),
        };
        let mut tx = begin(&self.db.pool).await.unwrap();
        match cloud_server {
            None if row.pending_action.as_deref() == Some("delete") => {
                servers::finish_delete(&mut tx, id, row.version).await.unwrap();
            }
            None => {}
            Some(s) => {
                let seen = servers::ObservedServer {
                    openstack_id: &s.id,
                    status: &s.status,
                    cloud_task_state: s.task_state.as_deref(),
                    fault_message: s.fault_message.as_deref(),
                    flavor_id: s.flavor_id.as_deref(),
                };
                servers::record_observed(&mut tx, id, row.version, &seen).await.unwrap();
                let root = volumes::list_for_reconcile(&self.db.pool, &[self.project_id])
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|v| v.server_id == Some(id) && v.is_root && v.openstack_id.is_none());
                if let (Some(root), Some(cloud_id)) = (root, s.attached_volume_ids.first()) {
                    volumes::set_openstack_id(&mut *tx, root.id, cloud_id).await.unwrap();
                }
            }
        }
        tx.commit().await.unwrap();
        for v in volumes::list_for_reconcile(&self.db.pool, &[self.project_id])
            .await
            .unwrap()
        {
            if v.server_id == Some(id) {
                self.reconcile_volume(v.id).await;
            }
        }
    }

    pub async fn reconcile_volume(&self, id: i64) {
        let rows = volumes::list_for_reconcile(&self.db.pool, &[self.project_id])
            .await
            .unwrap();
        let Some(row) = rows.into_iter().find(|r| r.id == id) else {
            return;
        };
        let Some(os) = &row.openstack_id else { return };
        let servers_by_cloud: HashMap<String, i64> = servers::list_for_reconcile(&self.db.pool, &[self.project_id])
            .await
            .unwrap()
            .into_iter()
            .filter_map(|s| Some((s.openstack_id?, s.id)))
            .collect();
        let mut tx = begin(&self.db.pool).await.unwrap();
        match self.cloud.get_volume(os).await {
            Err(e) if e.is_not_found() => volumes::finish_delete(&mut tx, id, row.version).await.unwrap(),
            Err(e) => panic!("{e}"),
            Ok(v) => {
                let attachment = v.attachments.first();
                let seen = volumes::ObservedVolume {
                    openstack_id: &v.id,
                    status: &v.status,
                    size_gb: v.size_gb as u32,
                    server_id: attachment.and_then(|a| servers_by_cloud.get(&a.server_id).copied()),
                    device: attachment.and_then(|a| a.device.as_deref()),
                };
                volumes::record_observed(&mut tx, id, row.version, &seen).await.unwrap();
            }
        }
        tx.commit().await.unwrap();
    }
}

pub async fn json_of(res: Response) -> Value {
    res.json().await.unwrap()
}

/// Instantiates `async fn case(kind: Kind)` functions once per protocol.
#[macro_export]
macro_rules! for_both_providers {
    ($($case:ident),* $(,)?) => {
        mod openstack {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { super::$case($crate::support::Kind::OpenStack).await })*
        }
        mod nhn {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { super::$case($crate::support::Kind::Nhn).await })*
        }
    };
}
