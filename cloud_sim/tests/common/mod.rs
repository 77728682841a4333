#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]
use cloud_sim::{SimConfig, SimServer};
use serde_json::{Value, json};

pub struct Env {
    pub sim: SimServer,
    pub http: reqwest::Client,
}

pub struct Session {
    pub token: String,
    pub project_id: String,
    pub user_id: String,
    pub body: Value,
}

pub async fn start() -> Env {
    start_with(SimConfig::instant()).await
}

pub async fn start_with(config: SimConfig) -> Env {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = SimServer::start(config).await.expect("simulator starts");
    let http = reqwest::Client::builder().build().expect("client");
    Env { sim, http }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path)
    }

    pub async fn password_token(&self, user: &str, password: &str, project_id: &str) -> reqwest::Response {
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"name": user, "domain": {"name": "Default"}, "password": password}}},
            "scope": {"project": {"id": project_id}}
        }});
        self.http
            .post(format!("{}/auth/tokens", self.sim.keystone_url()))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn admin(&self) -> Session {
        let creds = self.sim.service_credentials();
        let resp = self
            .password_token(&creds.username, &creds.password, &creds.project_id)
            .await;
        assert_eq!(resp.status(), 201);
        let token = resp.headers()["x-subject-token"].to_str().unwrap().to_string();
        let body: Value = resp.json().await.unwrap();
        Session {
            token,
            project_id: creds.project_id,
            user_id: creds.user_id,
            body,
        }
    }

    /// A fresh project with a `member` user, and that user's project-scoped token.
    pub async fn member_project(&self, admin: &Session, name: &str) -> Session {
        let ks = self.sim.keystone_url();
        let p: Value = self
            .http
            .post(format!("{ks}/projects"))
            .header("x-auth-token", &admin.token)
            .json(&json!({"project": {"name": name, "domain_id": "default"}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let project_id = p["project"]["id"].as_str().unwrap().to_string();
        let user_name = format!("{name}-user");
        let u: Value = self
            .http
            .post(format!("{ks}/users"))
            .header("x-auth-token", &admin.token)
            .json(&json!({"user": {"name": user_name, "domain_id": "default", "password": "pw"}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let user_id = u["user"]["id"].as_str().unwrap().to_string();
        let roles: Value = self
            .http
            .get(format!("{ks}/roles?name=member"))
            .header("x-auth-token", &admin.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let role = roles["roles"][0]["id"].as_str().unwrap().to_string();
        let put = self
            .http
            .put(format!("{ks}/projects/{project_id}/users/{user_id}/roles/{role}"))
            .header("x-auth-token", &admin.token)
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 204);
        let resp = self.password_token(&user_name, "pw", &project_id).await;
        assert_eq!(resp.status(), 201);
        let token = resp.headers()["x-subject-token"].to_str().unwrap().to_string();
        let body: Value = resp.json().await.unwrap();
        Session {
            token,
            project_id,
            user_id,
            body,
        }
    }

    pub async fn get(&self, s: &Session, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header("x-auth-token", &s.token)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, s: &Session, path: &str) -> Value {
        let r = self.get(s, path).await;
        assert!(r.status().is_success(), "GET {path} -> {}", r.status());
        r.json().await.unwrap()
    }

    pub async fn post(&self, s: &Session, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header("x-auth-token", &s.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, s: &Session, path: &str, body: Value) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .header("x-auth-token", &s.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, s: &Session, path: &str) -> reqwest::Response {
        self.http
            .delete(self.url(path))
            .header("x-auth-token", &s.token)
            .send()
            .await
            .unwrap()
    }

    pub async fn first_image(&self, s: &Session) -> String {
        let v = self.get_json(s, "/image/v2/images").await;
        v["images"][0]["id"].as_str().unwrap().to_string()
    }

    pub async fn project_network(&self, s: &Session) -> String {
        let v = self
            .get_json(s, &format!("/networking/v2.0/networks?project_id={}", s.project_id))
            .await;
        v["networks"][0]["id"].as_str().unwrap().to_string()
    }

    pub async fn create_port(&self, s: &Session) -> Value {
        let net = self.project_network(s).await;
        let r = self
            .post(s, "/networking/v2.0/ports", json!({"port": {"network_id": net}}))
            .await;
        assert_eq!(r.status(), 201);
        r.json::<Value>().await.unwrap()["port"].clone()
    }

    /// Boot-from-volume on a pre-created port, like the control plane does.
    pub async fn boot_server(&self, s: &Session, name: &str) -> String {
        let image = self.first_image(s).await;
        let port = self.create_port(s).await;
        let r = self
            .post(
                s,
                "/compute/v2.1/servers",
                json!({"server": {"name": name, "flavorRef": "2", "networks": [{"port": port["id"]}],
                    "block_device_mapping_v2": [{"uuid": image, "source_type": "image", "destination_type": "volume",
                        "boot_index": 0, "volume_size": 10, "delete_on_termination": true}]}}),
            )
            .await;
        assert_eq!(r.status(), 202);
        r.json::<Value>().await.unwrap()["server"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn create_volume(&self, s: &Session, size: u64) -> String {
        let r = self
            .post(
                s,
                &format!("/volume/v3/{}/volumes", s.project_id),
                json!({"volume": {"size": size, "name": "data"}}),
            )
            .await;
        assert_eq!(r.status(), 202);
        r.json::<Value>().await.unwrap()["volume"]["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn volume(&self, s: &Session, id: &str) -> Value {
        self.get_json(s, &format!("/volume/v3/{}/volumes/{id}", s.project_id))
            .await["volume"]
            .clone()
    }

    pub async fn server(&self, s: &Session, id: &str) -> Value {
        self.get_json(s, &format!("/compute/v2.1/servers/{id}")).await["server"].clone()
    }
}
