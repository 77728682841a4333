//! Backends and helpers shared by the cloud adapter test suites: the
//! simulator speaking each protocol, a real OpenStack from `OS_*`, waits and
//! request builders.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud_sim::{SimConfig, SimServer};
use common::infrastructure::cloud::*;

// ----- backends --------------------------------------------------------------

/// What the shared cases need to know about the cloud they run against.
pub struct Fixtures {
    pub image_id: String,
    pub flavor_id: String,
    pub volume_type: Option<String>,
    /// Smallest volume the cloud accepts.
    pub volume_size_gb: u32,
    pub external_network_id: String,
    /// A project network with a subnet (and a router to the external network).
    pub tenant_network_id: Option<String>,
}

pub struct Env {
    pub connector: Arc<CloudConnector>,
    pub target: ProjectCloudTarget,
    pub project: Arc<dyn CloudProject>,
    pub fixtures: Fixtures,
    pub sim: Option<SimServer>,
    /// Keystone project created for the run (deleted at the end).
    pub created_project: Option<String>,
    pub patience: Duration,
}

impl Env {
    pub async fn finish(self) {
        if let Some(p) = &self.created_project {
            let identity = self.connector.identity(Provider::OpenStack).unwrap();
            let _ = identity.delete_project(p).await;
        }
        if let Some(sim) = self.sim {
            sim.stop().await;
        }
    }

    pub fn sim(&self) -> &SimServer {
        self.sim.as_ref().expect("simulator-only case")
    }

    pub fn inventory(&self) -> Arc<dyn CloudInventory> {
        self.connector.inventory(std::slice::from_ref(&self.target)).unwrap()
    }
}

pub fn fast_http() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_secs(10),
        max_concurrency: 8,
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
        },
        ca_certificates_pem: Vec::new(),
    }
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

pub fn openstack_settings_for_sim(sim: &SimServer) -> OpenStackSettings {
    test_support::sim_cloud::openstack_settings(sim, EndpointInterface::Internal, fast_http())
}

/// Picks image, flavor, volume type and external network through the port.
pub async fn discover(project: &dyn CloudProject, volume_size_gb: u32) -> Fixtures {
    let images = project
        .list_images(&ImageListQuery {
            status: Some("active".into()),
            page_size: None,
        })
        .await
        .unwrap();
    let image = images.iter().min_by_key(|i| i.min_disk_gb).expect("an active image");
    let flavors = project.list_flavors().await.unwrap();
    let flavor = flavors
        .iter()
        .filter(|f| f.vcpus >= 1)
        .min_by_key(|f| (f.ram_mb, f.vcpus))
        .expect("a flavor");
    let types = project.list_volume_types().await.unwrap();
    let networks = project.list_networks(&NetworkListQuery::default()).await.unwrap();
    let external = networks.iter().find(|n| n.external).expect("an external network");
    let tenant_network_id = networks
        .iter()
        .find(|n| !n.external && n.project_id.as_deref() == Some(project.project_id()))
        .map(|n| n.id.clone());
    Fixtures {
        image_id: image.id.clone(),
        flavor_id: flavor.id.clone(),
        volume_type: types.first().map(|t| t.name.clone()),
        volume_size_gb: volume_size_gb.max(image.min_disk_gb as u32),
        external_network_id: external.id.clone(),
        tenant_network_id,
    }
}

pub async fn openstack_sim_with(config: SimConfig) -> Env {
    install_crypto_provider();
    let sim = SimServer::start(config).await.unwrap();
    let connector = Arc::new(CloudConnector::new(Some(openstack_settings_for_sim(&sim)), None).unwrap());
    let identity = connector.identity(Provider::OpenStack).unwrap();
    let project = identity
        .create_project(&CreateProjectRequest {
            name: unique("suite"),
            description: Some("adapter suite".into()),
        })
        .await
        .unwrap();
    let target = ProjectCloudTarget::OpenStack {
        project_id: project.id.clone(),
    };
    let handle = connector.project(&target).unwrap();
    let fixtures = discover(handle.as_ref(), 1).await;
    Env {
        connector,
        target,
        project: handle,
        fixtures,
        sim: Some(sim),
        created_project: Some(project.id),
        patience: Duration::from_secs(20),
    }
}

pub async fn openstack_sim() -> Option<Env> {
    Some(openstack_sim_with(SimConfig::instant()).await)
}

pub async fn nhn_sim_with(config: SimConfig) -> Env {
    install_crypto_provider();
    let sim = SimServer::start(config).await.unwrap();
    let tenant = sim.register_nhn_tenant("suite@example.com", "api-password-1");
    let connector = Arc::new(
        CloudConnector::new(
            None,
            Some(NhnSettings {
                identity_url: sim.nhn_identity_url(),
                default_region: Some(tenant.region.clone()),
                http: fast_http(),
            }),
        )
        .unwrap(),
    );
    let target = ProjectCloudTarget::Nhn(NhnTenantCredentials {
        tenant_id: tenant.tenant_id.clone(),
        username: tenant.username.clone(),
        api_password: Secret::new(tenant.api_password.clone()),
        region: Some(tenant.region.clone()),
    });
    let handle = connector.project(&target).unwrap();
    let fixtures = discover(handle.as_ref(), 10).await;
    Env {
        connector,
        target,
        project: handle,
        fixtures,
        sim: Some(sim),
        created_project: None,
        patience: Duration::from_secs(20),
    }
}

pub async fn nhn_sim() -> Option<Env> {
    Some(nhn_sim_with(SimConfig::instant()).await)
}

/// Status transitions take time, as on a real cloud.
pub fn slow_config() -> SimConfig {
    SimConfig::instant().with_transition_delay(Duration::from_millis(40))
}

pub async fn openstack_slow_sim() -> Option<Env> {
    Some(openstack_sim_with(slow_config()).await)
}

pub async fn nhn_slow_sim() -> Option<Env> {
    Some(nhn_sim_with(slow_config()).await)
}

/// A real OpenStack from the `OS_*` variables, or `None` (the case is skipped).
pub async fn real_openstack() -> Option<Env> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let auth_url = var("OS_AUTH_URL")?;
    install_crypto_provider();
    let settings = OpenStackSettings {
        auth_url,
        username: var("OS_USERNAME")?,
        password: Secret::new(var("OS_PASSWORD")?),
        user_domain_name: var("OS_USER_DOMAIN_NAME").unwrap_or_else(|| "Default".into()),
        project_name: var("OS_PROJECT_NAME")?,
        project_domain_name: var("OS_PROJECT_DOMAIN_NAME").unwrap_or_else(|| "Default".into()),
        region: var("OS_REGION_NAME"),
        interface: var("OS_INTERFACE")
            .as_deref()
            .and_then(EndpointInterface::parse)
            .unwrap_or(EndpointInterface::Public),
        member_role_name: var("OS_MEMBER_ROLE").unwrap_or_else(|| "member".into()),
        http: HttpSettings {
            ca_certificates_pem: var("OS_CACERT")
                .map(|path| std::fs::read_to_string(path).expect("OS_CACERT is readable"))
                .into_iter()
                .collect(),
            ..HttpSettings::default()
        },
    };
    let connector = Arc::new(CloudConnector::new(Some(settings), None).unwrap());
    let identity = connector.identity(Provider::OpenStack).unwrap();
    let project = identity
        .create_project(&CreateProjectRequest {
            name: unique("cloudplane-suite"),
            description: Some("adapter suite (safe to delete)".into()),
        })
        .await
        .unwrap();
    let target = ProjectCloudTarget::OpenStack {
        project_id: project.id.clone(),
    };
    let handle = connector.project(&target).unwrap();
    let fixtures = discover(handle.as_ref(), 1).await;
    Some(Env {
        connector,
        target,
        project: handle,
        fixtures,
        sim: None,
        created_project: Some(project.id),
        patience: Duration::from_secs(300),
    })
}

// ----- helpers -----------------------------------------------------------------

pub async fn eventually<T, F, Fut>(patience: Duration, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + patience;
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn wait_volume(env: &Env, id: &str, status: &str) -> CloudVolume {
    eventually(env.patience, status, || async {
        let v = env.project.get_volume(id).await.unwrap();
        assert!(!v.status.starts_with("error"), "volume went {}", v.status);
        (v.status == status).then_some(v)
    })
    .await
}

pub async fn wait_volume_gone(env: &Env, id: &str) {
    eventually(env.patience, "volume deletion", || async {
        match env.project.get_volume(id).await {
            Err(CloudError::NotFound(_)) => Some(()),
            Ok(_) => None,
            Err(e) => panic!("{e}"),
        }
    })
    .await
}

pub async fn wait_server(env: &Env, id: &str, status: &str) -> CloudServer {
    eventually(env.patience, status, || async {
        let s = env.project.get_server(id).await.unwrap();
        assert_ne!(s.status, "ERROR", "server failed: {:?}", s.fault_message);
        (s.status == status && s.task_state.is_none()).then_some(s)
    })
    .await
}

pub fn volume_request(env: &Env, name: &str) -> CreateVolumeRequest {
    CreateVolumeRequest {
        name: name.into(),
        description: Some("suite".into()),
        size_gb: env.fixtures.volume_size_gb,
        volume_type: env.fixtures.volume_type.clone(),
        image_id: None,
        availability_zone: None,
        metadata: BTreeMap::new(),
        inventory_id: unique("inv"),
    }
}

pub fn ssh_rule(group: &str) -> CreateSecurityGroupRuleRequest {
    CreateSecurityGroupRuleRequest {
        security_group_id: group.into(),
        direction: RuleDirection::Ingress,
        ether_type: EtherType::IPv4,
        protocol: Some("tcp".into()),
        port_range_min: Some(22),
        port_range_max: Some(22),
        remote_ip_prefix: Some("10.0.0.0/8".into()),
        remote_group_id: None,
    }
}

// ----- simulator-only cases (counters and fault injection) -------------------------

/// Counter key of the identity service each protocol uses.
pub fn identity_counter(env: &Env) -> (&'static str, &'static str) {
    match env.target.provider() {
        Provider::OpenStack => ("identity", "token.create"),
        Provider::Nhn => ("nhn-identity", "token.create"),
    }
}

pub fn token_requests(env: &Env) -> u64 {
    let (cloud, name) = identity_counter(env);
    env.sim().counters().get_in(cloud, name)
}

/// A connector with empty token caches pointing at the same simulator.
pub fn fresh_handle(env: &Env) -> Arc<dyn CloudProject> {
    let sim = env.sim();
    let connector = match &env.target {
        ProjectCloudTarget::OpenStack { .. } => {
            CloudConnector::new(Some(openstack_settings_for_sim(sim)), None).unwrap()
        }
        ProjectCloudTarget::Nhn(c) => CloudConnector::new(
            None,
            Some(NhnSettings {
                identity_url: sim.nhn_identity_url(),
                default_region: c.region.clone(),
                http: fast_http(),
            }),
        )
        .unwrap(),
    };
    connector.project(&env.target).unwrap()
}

pub fn revoke_tokens(env: &Env) {
    match &env.target {
        ProjectCloudTarget::OpenStack { .. } => {
            let user = env.sim().service_credentials().user_id;
            env.sim().revoke_user_tokens(&user);
        }
        ProjectCloudTarget::Nhn(c) => env.sim().revoke_nhn_tenant_tokens(&c.tenant_id),
    }
}
