//! NHN Cloud identity: registered tenants (tenant id + user + API password) and their tokens.
use std::collections::{BTreeMap, HashMap};

use crate::state::rng::SimRng;
use crate::time_fmt::Ts;

/// A tenant the NHN identity endpoint accepts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NhnTenant {
    pub tenant_id: String,
    pub tenant_name: String,
    pub username: String,
    pub api_password: String,
    /// The region the tenant is usually driven in (all configured regions accept its tokens).
    pub region: String,
}

/// What to register; empty fields are generated.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NhnTenantSpec {
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub tenant_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub api_password: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NhnToken {
    pub id: String,
    pub tenant_id: String,
    pub username: String,
    pub user_id: String,
    pub issued_at: Ts,
    pub expires: Ts,
    pub revoked: bool,
}

pub struct NhnIdentity {
    pub rng: SimRng,
    pub tenants: BTreeMap<String, NhnTenant>,
    pub user_ids: BTreeMap<String, String>,
    pub tokens: HashMap<String, NhnToken>,
    pub ttl: chrono::Duration,
    pub counters: BTreeMap<String, u64>,
}

impl NhnIdentity {
    pub fn new(rng: SimRng, ttl: std::time::Duration) -> Self {
        NhnIdentity {
            rng,
            tenants: BTreeMap::new(),
            user_ids: BTreeMap::new(),
            tokens: HashMap::new(),
            ttl: chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::hours(12)),
            counters: BTreeMap::new(),
        }
    }

    pub fn register(&mut self, spec: NhnTenantSpec, default_region: &str) -> NhnTenant {
        let tenant_id = spec.tenant_id.unwrap_or_else(|| self.rng.hex(32));
        let n = self.tenants.len() + 1;
        let tenant = NhnTenant {
            tenant_name: spec.tenant_name.unwrap_or_else(|| format!("c_tenant{n:04}")),
            username: spec.username.unwrap_or_else(|| format!("user{n}@example.com")),
            api_password: spec.api_password.unwrap_or_else(|| self.rng.hex(16)),
            region: spec
                .region
                .unwrap_or_else(|| default_region.to_string())
                .to_ascii_uppercase(),
            tenant_id: tenant_id.clone(),
        };
        if !self.user_ids.contains_key(&tenant.username) {
            let uid = self.rng.hex(32);
            self.user_ids.insert(tenant.username.clone(), uid);
        }
        self.tenants.insert(tenant_id, tenant.clone());
        tenant
    }

    pub fn issue(&mut self, tenant_id: &str, username: &str, now: Ts) -> NhnToken {
        let token = NhnToken {
            id: self.rng.hex(32),
            tenant_id: tenant_id.to_string(),
            username: username.to_string(),
            user_id: self.user_ids.get(username).cloned().unwrap_or_default(),
            issued_at: now,
            expires: now + self.ttl,
            revoked: false,
        };
        self.tokens.insert(token.id.clone(), token.clone());
        token
    }

    pub fn validate(&self, token_id: &str, now: Ts) -> Option<NhnToken> {
        let t = self.tokens.get(token_id)?;
        if t.revoked || t.expires <= now || !self.tenants.contains_key(&t.tenant_id) {
            return None;
        }
        Some(t.clone())
    }

    /// What an API password change does: every token of that tenant stops working.
    pub fn revoke_tenant(&mut self, tenant_id: &str) {
        for t in self.tokens.values_mut() {
            if t.tenant_id == tenant_id {
                t.revoked = true;
            }
        }
    }
}
