use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use api_server::settings::Settings;
use api_server::startup::Application;
use common::application::provisioning::{CloudProjectRef, ProjectProvisioner, ProvisionRequest};
use common::config::Env;
use common::error::AppResult;
use futures_util::future::BoxFuture;
use reqwest::{Method, Response};
use serde_json::{Value, json};
use sqlx::MySqlPool;
use test_support::TestDb;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const PASSWORD: &str = "member-password-1";

/// Fake of the narrow cloud port only; counts calls and can be slow.
#[derive(Default)]
pub struct FakeProvisioner {
    pub created: AtomicUsize,
    pub deleted: AtomicUsize,
    pub delay: Duration,
}

impl ProjectProvisioner for FakeProvisioner {
    fn create_project<'a>(&'a self, request: &'a ProvisionRequest) -> BoxFuture<'a, AppResult<CloudProjectRef>> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            self.created.fetch_add(1, Ordering::SeqCst);
            Ok(CloudProjectRef {
                openstack_id: format!("os-{}", request.project_id),
            })
        })
    }

    fn delete_project<'a>(&'a self, _: &'a str) -> BoxFuture<'a, AppResult<()>> {
        Box::pin(async move {
            self.deleted.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }
}

pub struct TestApp {
    pub address: String,
    pub db: TestDb,
    pub client: reqwest::Client,
    pub cloud: Arc<FakeProvisioner>,
}

pub fn base_env(db_url: &str) -> HashMap<String, String> {
    [
        ("DATABASE_URL", db_url),
        ("JWT_SECRET", "test-secret-test-secret-test-secret-0123"),
        ("BOOTSTRAP_ADMIN_ACCOUNT", ADMIN),
        ("BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("CLOUD_CREDENTIAL_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
        ("LOG_FORMAT", "json"),
        ("RUST_LOG", "warn"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[], FakeProvisioner::default()).await
}

pub async fn spawn_app_with(overrides: &[(&str, &str)], cloud: FakeProvisioner) -> TestApp {
    let db = TestDb::new().await;
    let mut env = base_env(&db.url());
    for (k, v) in overrides {
        env.insert((*k).to_owned(), (*v).to_owned());
    }
    let settings = Settings::from_env(&Env::new(&env)).expect("test settings are valid");
    let cloud = Arc::new(cloud);
    let address = start(settings, db.pool.clone(), cloud.clone()).await;
    TestApp {
        address,
        db,
        client: client(),
        cloud,
    }
}

pub async fn start(settings: Settings, pool: MySqlPool, cloud: Arc<FakeProvisioner>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::with_pool(settings, pool, listener, cloud)
        .await
        .expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    address
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().build().unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Response {
        self.call(Method::PUT, path, Some(token), Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Response {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    pub async fn login_raw(&self, account: &str, password: &str, project_id: Option<i64>) -> Response {
        let mut body = json!({"account_id": account, "password": password});
        if let Some(p) = project_id {
            body["project_id"] = json!(p);
        }
        self.post("/auth/login", None, body).await
    }

    pub async fn login(&self, account: &str, password: &str) -> String {
        self.login_to(account, password, None).await
    }

    pub async fn login_to(&self, account: &str, password: &str, project_id: Option<i64>) -> String {
        let res = self.login_raw(account, password, project_id).await;
        assert_eq!(res.status(), 200, "login of {account}");
        let body: Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.login(ADMIN, ADMIN_PASSWORD).await
    }

    pub async fn sign_up(&self, account: &str) -> i64 {
        let res = self
            .post(
                "/users",
                None,
                json!({"account_id": account, "name": account, "password": PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), 201, "sign-up of {account}");
        let body: Value = res.json().await.unwrap();
        body["id"].as_i64().unwrap()
    }

    pub async fn create_project(&self, admin: &str, name: &str) -> i64 {
        let res = self.post("/projects", Some(admin), json!({"name": name})).await;
        assert_eq!(res.status(), 201, "creation of project {name}");
        let body: Value = res.json().await.unwrap();
        body["id"].as_i64().unwrap()
    }

    pub async fn add_member(&self, admin: &str, project_id: i64, user_id: i64) {
        let res = self
            .call(
                Method::POST,
                &format!("/projects/{project_id}/users/{user_id}"),
                Some(admin),
                None,
            )
            .await;
        assert_eq!(res.status(), 204);
    }

    /// A member of a fresh project, logged in to it.
    pub async fn member_in_new_project(&self, admin: &str, account: &str, project: &str) -> (i64, i64, String) {
        let user_id = self.sign_up(account).await;
        let project_id = self.create_project(admin, project).await;
        self.add_member(admin, project_id, user_id).await;
        let token = self.login(account, PASSWORD).await;
        (user_id, project_id, token)
    }
}

pub async fn json_of(res: Response) -> Value {
    res.json().await.unwrap()
}
