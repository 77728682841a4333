use std::time::Duration;

/// Limits enforced per project (generous by default so benchmarks fit; tests lower them).
/// Exceeding them yields each service's over-quota error.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Quotas {
    pub instances: usize,
    pub gigabytes: u64,
    pub volumes: usize,
    pub floating_ips: usize,
    pub ports: usize,
    pub security_groups: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Quotas {
            instances: 1000,
            gigabytes: 100_000,
            volumes: 1000,
            floating_ips: 1000,
            ports: 5000,
            security_groups: 1000,
        }
    }
}

/// Everything that shapes a simulator instance. Same seed + same request sequence = same ids.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    /// Time each asynchronous step takes (BUILD->ACTIVE, creating->available, ...). Zero = next request sees it done.
    pub transition_delay: Duration,
    pub token_ttl: Duration,
    pub nhn_token_ttl: Duration,
    pub region: String,
    pub nhn_regions: Vec<String>,
    pub service_user: String,
    pub service_password: String,
    pub service_project: String,
    pub quotas: Quotas,
    /// Nova `[api]max_limit` (also used for Cinder `osapi_max_limit`).
    pub max_limit: usize,
    /// Neutron `pagination_max_limit`; `None` = unlimited (the upstream default).
    pub neutron_max_limit: Option<usize>,
    /// NHN server create without `key_name` is a 400 (NHN marks it required; unverified).
    pub nhn_require_key_name: bool,
    /// Base URL put into catalogs and links when the bound address is not what clients reach
    /// (containers, `0.0.0.0`). Default: `http://<bound address>`.
    pub public_base_url: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            transition_delay: Duration::from_millis(300),
            token_ttl: Duration::from_secs(3600),
            nhn_token_ttl: Duration::from_secs(12 * 3600),
            region: "RegionOne".to_string(),
            nhn_regions: vec!["KR1".to_string(), "KR2".to_string()],
            service_user: "cloudplane".to_string(),
            service_password: "cloudplane-secret".to_string(),
            service_project: "service".to_string(),
            quotas: Quotas::default(),
            max_limit: 1000,
            neutron_max_limit: None,
            nhn_require_key_name: false,
            public_base_url: None,
        }
    }
}

impl SimConfig {
    /// Zero transition delays: every asynchronous change is visible on the next request.
    pub fn instant() -> Self {
        SimConfig {
            transition_delay: Duration::ZERO,
            ..SimConfig::default()
        }
    }

    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    pub fn with_transition_delay(mut self, delay: Duration) -> Self {
        self.transition_delay = delay;
        self
    }

    pub fn with_token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }
}
