//! cloud_sim's `/_sim` control surface over HTTP: tenants, resource ids,
//! counters and out-of-band changes.

use serde_json::{Value, json};

use crate::api::Api;

/// The resource kinds a journey creates and expects gone at its end.
pub const KINDS: [&str; 5] = ["servers", "volumes", "ports", "floatingips", "security_groups"];

pub struct Sim {
    api: Api,
}

/// An NHN tenant registered in the simulator.
#[derive(Debug, Clone)]
pub struct NhnTenant {
    pub tenant_id: String,
    pub username: String,
    pub api_password: String,
    pub region: String,
}

impl Sim {
    pub fn new(sim_url: &str) -> Sim {
        Sim {
            api: Api::new(&format!("{sim_url}/_sim")),
        }
    }

    pub async fn register_nhn_tenant(&self, username: &str, api_password: &str) -> NhnTenant {
        let body = self
            .api
            .post(
                "/nhn/tenants",
                json!({"username": username, "api_password": api_password}),
            )
            .await
            .expect(201);
        let field = |name: &str| {
            body["tenant"][name]
                .as_str()
                .unwrap_or_else(|| panic!("no tenant.{name} in {body}"))
                .to_owned()
        };
        NhnTenant {
            tenant_id: field("tenant_id"),
            username: field("username"),
            api_password: field("api_password"),
            region: field("region"),
        }
    }

    /// Ids of one kind of resource in one cloud (`openstack`, `nhn-kr1`, ...).
    pub async fn ids(&self, cloud: &str, kind: &str) -> Vec<String> {
        let body = self.api.get(&format!("/clouds/{cloud}/{kind}")).await.expect(200);
        body["ids"]
            .as_array()
            .unwrap_or_else(|| panic!("no ids in {body}"))
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    }

    /// How many resources of each of [`KINDS`] the cloud holds.
    pub async fn census(&self, cloud: &str) -> Vec<(&'static str, usize)> {
        let mut counts = Vec::new();
        for kind in KINDS {
            counts.push((kind, self.ids(cloud, kind).await.len()));
        }
        counts
    }

    /// An operation counter (`server.create`, `volume.attach`, ...) of one cloud.
    pub async fn counter(&self, cloud: &str, name: &str) -> u64 {
        let body = self.api.get("/counters").await.expect(200);
        body["by_cloud"][cloud][name].as_u64().unwrap_or(0)
    }

    /// An out-of-band change, as an operator with cloud access would make.
    pub async fn modify(&self, cloud: &str, kind: &str, id: &str, changes: Value) {
        self.api
            .call(
                reqwest::Method::PATCH,
                &format!("/clouds/{cloud}/{kind}/{id}"),
                Some(&changes),
            )
            .await
            .expect(204);
    }

    /// A resource nobody asked the control plane for; its id.
    pub async fn create(&self, cloud: &str, kind: &str, spec: Value) -> String {
        let body = self
            .api
            .post(&format!("/clouds/{cloud}/{kind}"), spec)
            .await
            .expect(201);
        body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {body}"))
            .to_owned()
    }

    pub async fn set_quotas(&self, quotas: Value) {
        let reply = self.api.post("/quotas", quotas).await;
        assert!(reply.status < 300, "quotas: {reply:?}");
    }
}
