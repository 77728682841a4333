//! A project driven over the public API as its users would: the bootstrap
//! admin creates it (OpenStack, or NHN with a tenant registered in the
//! simulator) and works in it with a token scoped to it.

use reqwest::Method;
use serde_json::{Value, json};

use super::http::{expect_json, send};
use crate::stack::{ADMIN_ACCOUNT, ADMIN_PASSWORD, Stack, client};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    OpenStack,
    Nhn,
}

/// What a create needs from the project's catalog.
#[derive(Debug, Clone)]
pub struct Fixtures {
    pub flavor_id: String,
    pub image_id: String,
    pub network_id: String,
    pub volume_type_id: String,
    pub root_size: i64,
}

#[derive(Clone)]
pub struct Tenant {
    pub http: reqwest::Client,
    pub api_url: String,
    pub project_id: i64,
    pub provider: Provider,
    pub token: String,
    pub fx: Fixtures,
}

/// The bootstrap admin's token, scoped to `project_id` when given.
pub async fn admin_token(api_url: &str, project_id: Option<i64>) -> String {
    let mut body = json!({"account_id": ADMIN_ACCOUNT, "password": ADMIN_PASSWORD});
    if let Some(p) = project_id {
        body["project_id"] = json!(p);
    }
    let login = expect_json(
        client().post(format!("{api_url}/auth/login")).json(&body),
        200,
        "admin login",
    )
    .await;
    login["token"].as_str().unwrap_or_default().to_owned()
}

impl Tenant {
    /// Creates a project named `name` on `provider` and opens it.
    pub async fn create(stack: &Stack, provider: Provider, name: &str) -> Tenant {
        let http = client();
        let admin = admin_token(&stack.api_url, None).await;
        let body = match provider {
            Provider::OpenStack => json!({"name": name}),
            Provider::Nhn => {
                let registered = expect_json(
                    http.post(format!("{}/_sim/nhn/tenants", stack.sim_url))
                        .json(&json!({})),
                    201,
                    "register an NHN tenant",
                )
                .await;
                let t = &registered["tenant"];
                json!({"name": name, "provider": "nhn", "cloud": {
                    "tenant_id": t["tenant_id"], "username": t["username"],
                    "password": t["api_password"], "region": t["region"]}})
            }
        };
        let project = expect_json(
            http.post(format!("{}/projects", stack.api_url))
                .bearer_auth(&admin)
                .json(&body),
            201,
            &format!("create project {name}"),
        )
        .await;
        let project_id = project["id"].as_i64().unwrap_or_default();
        let token = admin_token(&stack.api_url, Some(project_id)).await;
        let mut tenant = Tenant {
            http,
            api_url: stack.api_url.clone(),
            project_id,
            provider,
            token,
            fx: Fixtures {
                flavor_id: String::new(),
                image_id: String::new(),
                network_id: String::new(),
                volume_type_id: String::new(),
                root_size: 0,
            },
        };
        tenant.fx = tenant.discover().await;
        tenant
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.api_url))
            .bearer_auth(&self.token)
    }

    pub async fn get_json(&self, path: &str) -> Value {
        expect_json(self.request(Method::GET, path), 200, &format!("GET {path}")).await
    }

    /// GET `path`, answering `(status, body)` whatever the status.
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = send(self.request(Method::GET, path), &format!("GET {path}")).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn discover(&self) -> Fixtures {
        let flavors = self.get_json("/catalog/flavors").await;
        let flavor = smallest(&flavors["flavors"], "ram_mb");
        let images = self.get_json("/catalog/images").await;
        let image = smallest(&images["images"], "min_disk_gb");
        let networks = self.get_json("/catalog/networks").await;
        let internal = networks["networks"]
            .as_array()
            .and_then(|n| n.iter().find(|n| n["external"] == json!(false)).cloned())
            .unwrap_or_default();
        let types = self.get_json("/catalog/volume-types").await;
        Fixtures {
            flavor_id: text(&flavor["id"]),
            image_id: text(&image["id"]),
            network_id: text(&internal["id"]),
            volume_type_id: text(&types["volume_types"][0]["id"]),
            root_size: 20.max(image["min_disk_gb"].as_i64().unwrap_or(0)),
        }
    }

    pub fn server_body(&self, name: &str) -> Value {
        json!({
            "name": name, "description": "drill", "flavor_id": self.fx.flavor_id,
            "network_id": self.fx.network_id,
            "root_volume": {"size": self.fx.root_size, "image_id": self.fx.image_id},
            "security_group_ids": []
        })
    }

    pub fn volume_body(&self, name: &str) -> Value {
        json!({"name": name, "description": "drill", "size": 10, "volume_type_id": self.fx.volume_type_id})
    }
}

fn smallest(list: &Value, by: &str) -> Value {
    list.as_array()
        .and_then(|items| items.iter().min_by_key(|i| i[by].as_u64().unwrap_or(u64::MAX)).cloned())
        .unwrap_or_default()
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}
