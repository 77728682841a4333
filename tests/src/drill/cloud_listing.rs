//! What the simulated OpenStack cloud holds, read over its own API with the
//! service user's admin token: every server, volume and port of every
//! project, with the inventory id the control plane stamped on it.

use serde_json::{Value, json};

use super::http::{expect_json, send};
use crate::stack::client;

#[derive(Debug, Clone)]
pub struct CloudResource {
    pub id: String,
    pub status: String,
    /// `server:42`, `volume:7`, `network_interface:9`, when stamped.
    pub inventory_id: Option<String>,
}

pub struct OpenStackView {
    sim_url: String,
    token: String,
    project_id: String,
}

impl OpenStackView {
    pub async fn connect(sim_url: &str) -> OpenStackView {
        let auth = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "cloudplane", "domain": {"name": "Default"}, "password": "cloudplane-secret"}}},
            "scope": {"project": {"name": "service", "domain": {"name": "Default"}}}}});
        let res = send(
            client().post(format!("{sim_url}/identity/v3/auth/tokens")).json(&auth),
            "service token",
        )
        .await;
        assert_eq!(res.status(), 201, "service token");
        let token = res
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body: Value = res.json().await.unwrap_or_default();
        OpenStackView {
            sim_url: sim_url.to_owned(),
            token,
            project_id: body["token"]["project"]["id"].as_str().unwrap_or_default().to_owned(),
        }
    }

    async fn list(&self, path: &str, wrapper: &str) -> Vec<Value> {
        let url = format!("{}{path}", self.sim_url);
        let body = expect_json(client().get(&url).header("X-Auth-Token", &self.token), 200, &url).await;
        let items = body[wrapper].as_array().cloned().unwrap_or_default();
        assert!(items.len() < 1000, "{url}: a drill stays below one page");
        items
    }

    pub async fn servers(&self) -> Vec<CloudResource> {
        self.list("/compute/v2.1/servers/detail?all_tenants=1&limit=1000", "servers")
            .await
            .iter()
            .map(|s| resource(s, s["metadata"]["inventory_id"].as_str()))
            .collect()
    }

    pub async fn volumes(&self) -> Vec<CloudResource> {
        let path = format!("/volume/v3/{}/volumes/detail?all_tenants=1&limit=1000", self.project_id);
        self.list(&path, "volumes")
            .await
            .iter()
            .map(|v| resource(v, v["metadata"]["inventory_id"].as_str()))
            .collect()
    }

    pub async fn ports(&self) -> Vec<CloudResource> {
        self.list("/networking/v2.0/ports", "ports")
            .await
            .iter()
            .map(|p| {
                let stamp = p["description"]
                    .as_str()
                    .filter(|d| d.starts_with("network_interface:"));
                resource(p, stamp)
            })
            .collect()
    }
}

fn resource(v: &Value, inventory_id: Option<&str>) -> CloudResource {
    CloudResource {
        id: v["id"].as_str().unwrap_or_default().to_owned(),
        status: v["status"].as_str().unwrap_or_default().to_owned(),
        inventory_id: inventory_id.map(str::to_owned),
    }
}
