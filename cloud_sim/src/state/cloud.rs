//! One simulated region: every compute, network, block storage and image record, and its clock.
use std::collections::{BTreeMap, BTreeSet};

use super::model::*;
use super::rng::SimRng;
use super::transitions::Event;
use crate::config::Quotas;
use crate::time_fmt::Ts;

pub struct Cloud {
    pub nhn: bool,
    pub region: String,
    pub rng: SimRng,
    pub now: Ts,
    pub delay: chrono::Duration,
    pub quotas: Quotas,
    pub max_limit: usize,
    pub neutron_max_limit: Option<usize>,
    /// NHN documents `key_name` as required; off by default because that is unverified.
    pub nhn_require_key_name: bool,
    pub azs: Vec<String>,
    pub default_volume_type: String,
    pub flavors: BTreeMap<String, Flavor>,
    pub images: BTreeMap<String, Image>,
    pub volume_types: BTreeMap<String, VolumeType>,
    pub keypairs: BTreeMap<(String, String), Keypair>,
    pub servers: BTreeMap<String, Server>,
    pub volumes: BTreeMap<String, Volume>,
    pub networks: BTreeMap<String, Network>,
    pub subnets: BTreeMap<String, Subnet>,
    pub ports: BTreeMap<String, Port>,
    pub security_groups: BTreeMap<String, SecurityGroup>,
    pub sg_rules: BTreeMap<String, SgRule>,
    pub floating_ips: BTreeMap<String, FloatingIp>,
    pub external_network_id: String,
    pub events: BTreeMap<(Ts, u64), Event>,
    pub counters: BTreeMap<String, u64>,
    pub provisioned_projects: BTreeSet<String>,
    /// Neutron tags by resource id.
    pub tags: BTreeMap<String, BTreeSet<String>>,
    seq: u64,
}
impl Cloud {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        nhn: bool,
        region: &str,
        seed: u64,
        now: Ts,
        delay: std::time::Duration,
        quotas: Quotas,
        max_limit: usize,
    ) -> Self {
        Cloud {
            nhn,
            region: region.to_string(),
            rng: SimRng::new(seed),
            now,
            delay: chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::zero()),
            quotas,
            max_limit,
            neutron_max_limit: None,
            nhn_require_key_name: false,
            azs: Vec::new(),
            default_volume_type: String::new(),
            flavors: BTreeMap::new(),
            images: BTreeMap::new(),
            volume_types: BTreeMap::new(),
            keypairs: BTreeMap::new(),
            servers: BTreeMap::new(),
            volumes: BTreeMap::new(),
            networks: BTreeMap::new(),
            subnets: BTreeMap::new(),
            ports: BTreeMap::new(),
            security_groups: BTreeMap::new(),
            sg_rules: BTreeMap::new(),
            floating_ips: BTreeMap::new(),
            external_network_id: String::new(),
            events: BTreeMap::new(),
            counters: BTreeMap::new(),
            provisioned_projects: BTreeSet::new(),
            tags: BTreeMap::new(),
            seq: 0,
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn uuid(&mut self) -> String {
        self.rng.uuid()
    }

    pub fn count(&mut self, name: &str) {
        *self.counters.entry(name.to_string()).or_insert(0) += 1;
    }

    /// Schedules `event` after `fraction` of the configured transition delay.
    pub fn schedule(&mut self, fraction: f64, event: Event) {
        let millis = (self.delay.num_milliseconds() as f64 * fraction).round() as i64;
        let due = self.now + chrono::Duration::milliseconds(millis.max(0));
        let seq = self.next_seq();
        self.events.insert((due, seq), event);
    }

    pub fn default_az(&self) -> String {
        self.azs.first().cloned().unwrap_or_else(|| "nova".to_string())
    }
}
