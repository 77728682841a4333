pub mod cloud;
pub mod fixtures;
pub mod ipam;
pub mod model;
pub mod rng;
pub mod transitions;

use std::collections::{BTreeMap, VecDeque};

use crate::config::SimConfig;
use crate::http::route::{OPENSTACK_CLOUD, nhn_cloud_key};
use crate::identity::store::Keystone;
use crate::nhn::store::{NhnIdentity, NhnTenant, NhnTenantSpec};
use crate::time_fmt::Ts;
use cloud::Cloud;
use rng::{SimRng, derive_seed};
use transitions::TransitionFaults;

pub struct State {
    pub config: SimConfig,
    pub base_url: String,
    pub clock_offset: chrono::Duration,
    pub keystone: Keystone,
    pub nhn: NhnIdentity,
    pub clouds: BTreeMap<String, Cloud>,
    pub transition_faults: TransitionFaults,
    pub global_request_ids: VecDeque<String>,
}

impl State {
    pub fn new(config: SimConfig, base_url: String) -> Self {
        let now = chrono::Utc::now();
        let mut keystone = Keystone::new(SimRng::new(derive_seed(config.seed, "keystone")), config.token_ttl);
        let nhn = NhnIdentity::new(
            SimRng::new(derive_seed(config.seed, "nhn-identity")),
            config.nhn_token_ttl,
        );
        let mut clouds = BTreeMap::new();
        let mut os = Cloud::new(
            OPENSTACK_CLOUD,
            false,
            &config.region,
            derive_seed(config.seed, OPENSTACK_CLOUD),
            now,
            config.transition_delay,
            config.quotas.clone(),
            config.max_limit,
        );
        fixtures::seed_openstack(&mut os);
        for region in &config.nhn_regions {
            let key = nhn_cloud_key(region);
            let mut c = Cloud::new(
                &key,
                true,
                region,
                derive_seed(config.seed, &key),
                now,
                config.transition_delay,
                config.quotas.clone(),
                config.max_limit,
            );
            fixtures::seed_nhn(&mut c);
            clouds.insert(key, c);
        }

        keystone.domains.insert(
            "default".into(),
            crate::identity::store::Domain {
                id: "default".into(),
                name: "Default".into(),
                description: "The default domain".into(),
                enabled: true,
            },
        );
        let admin_role = keystone.add_role("admin");
        keystone.add_role("member");
        keystone.add_role("reader");
        let admin_project = keystone.add_project("admin", "default", "Bootstrap project for initializing the cloud.");
        let service_project = keystone.add_project(&config.service_project, "default", "Service project");
        let user = keystone.add_user(&config.service_user, "default", &config.service_password);
        keystone
            .assignments
            .insert((service_project.clone(), user.clone(), admin_role.clone()));
        keystone
            .assignments
            .insert((admin_project.clone(), user.clone(), admin_role));
        keystone.service_user_id = user;
        keystone.service_project_id = service_project.clone();
        // the external network belongs to the admin project
        for n in os.networks.values_mut() {
            n.project_id = admin_project.clone();
        }
        for s in os.subnets.values_mut() {
            s.project_id = admin_project.clone();
        }
        os.ensure_project(&service_project);
        clouds.insert(OPENSTACK_CLOUD.to_string(), os);

        State {
            config,
            base_url,
            clock_offset: chrono::Duration::zero(),
            keystone,
            nhn,
            clouds,
            transition_faults: TransitionFaults::default(),
            global_request_ids: VecDeque::new(),
        }
    }

    pub fn now(&self) -> Ts {
        chrono::Utc::now() + self.clock_offset
    }

    /// Brings every cloud up to the current (possibly fast-forwarded) time.
    pub fn advance_all(&mut self) {
        let now = self.now();
        for cloud in self.clouds.values_mut() {
            cloud.now = now;
            cloud.advance(&mut self.transition_faults);
        }
    }

    pub fn openstack(&mut self) -> Option<&mut Cloud> {
        self.clouds.get_mut(OPENSTACK_CLOUD)
    }

    pub fn register_nhn_tenant(&mut self, spec: NhnTenantSpec) -> NhnTenant {
        let default_region = self.config.nhn_regions.first().cloned().unwrap_or_else(|| "KR1".into());
        let tenant = self.nhn.register(spec, &default_region);
        let now = self.now();
        for cloud in self.clouds.values_mut().filter(|c| c.nhn) {
            cloud.now = now;
            cloud.ensure_project(&tenant.tenant_id);
        }
        tenant
    }

    pub fn record_global_request_id(&mut self, id: &str) {
        if self.global_request_ids.len() >= 1000 {
            self.global_request_ids.pop_front();
        }
        self.global_request_ids.push_back(id.to_string());
    }
}
