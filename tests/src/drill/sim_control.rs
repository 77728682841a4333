//! cloud_sim's `/_sim` control surface: faults, token revocation, counters.

use serde_json::{Value, json};

use super::http::expect_json;
use crate::stack::client;

pub struct SimControl {
    url: String,
}

impl SimControl {
    pub fn new(sim_url: &str) -> SimControl {
        SimControl {
            url: format!("{sim_url}/_sim"),
        }
    }

    /// Adds a fault rule (`/_sim/faults` body); answers its id.
    pub async fn add_fault(&self, rule: Value) -> u64 {
        let what = format!("add fault {rule}");
        let res = expect_json(client().post(format!("{}/faults", self.url)).json(&rule), 201, &what).await;
        res["id"].as_u64().unwrap_or_default()
    }

    pub async fn remove_fault(&self, id: u64) {
        let url = format!("{}/faults/{id}", self.url);
        expect_json(client().delete(&url), 204, &format!("remove fault {id}")).await;
    }

    pub async fn clear_faults(&self) {
        expect_json(client().delete(format!("{}/faults", self.url)), 204, "clear faults").await;
    }

    /// Keystone and NHN identity answer `status` to everything.
    pub async fn auth_outage(&self, status: u16) -> u64 {
        self.add_fault(json!({"service": "identity", "action": "error", "status": status}))
            .await
    }

    /// Every token issued so far stops working, so the next cloud call has
    /// to log in again: the service user's Keystone tokens and those of each
    /// NHN tenant.
    pub async fn revoke_every_token(&self) {
        let http = client();
        let info = expect_json(http.get(format!("{}/info", self.url)), 200, "sim info").await;
        let user = info["service_credentials"]["user_id"].as_str().unwrap_or_default();
        let url = format!("{}/identity/users/{user}/revoke-tokens", self.url);
        expect_json(http.post(&url), 204, "revoke the service user's tokens").await;
        let tenants = expect_json(http.get(format!("{}/nhn/tenants", self.url)), 200, "NHN tenants").await;
        for t in tenants["tenants"].as_array().into_iter().flatten() {
            let id = t["tenant_id"].as_str().unwrap_or_default();
            let url = format!("{}/nhn/tenants/{id}/revoke-tokens", self.url);
            expect_json(http.post(&url), 204, "revoke an NHN tenant's tokens").await;
        }
    }

    /// Applied operations by name (`server.create`, ...), summed over clouds.
    pub async fn counters(&self) -> Value {
        let all = expect_json(client().get(format!("{}/counters", self.url)), 200, "sim counters").await;
        all["totals"].clone()
    }
}
