//! One adapter suite, run through the port against: the simulator speaking
//! the OpenStack protocol, the simulator speaking the NHN protocol, and a real
//! OpenStack when `OS_AUTH_URL` and friends are set (skipped otherwise).
//! Simulator-only cases (counters, fault injection) follow the shared ones.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud_sim::{SimConfig, SimServer};
use common::infrastructure::cloud::*;

// ----- backends --------------------------------------------------------------

/// What the shared cases need to know about the cloud they run against.
struct Fixtures {
    image_id: String,
    flavor_id: String,
    volume_type: Option<String>,
    /// Smallest volume the cloud accepts.
    volume_size_gb: u32,
    external_network_id: String,
    /// A project network with a subnet (and a router to the external network).
    tenant_network_id: Option<String>,
}

struct Env {
    connector: Arc<CloudConnector>,
    target: ProjectCloudTarget,
    project: Arc<dyn CloudProject>,
    fixtures: Fixtures,
    sim: Option<SimServer>,
    /// Keystone project created for the run (deleted at the end).
    created_project: Option<String>,
    patience: Duration,
}

impl Env {
    async fn finish(self) {
        if let Some(p) = &self.created_project {
            let identity = self.connector.identity(Provider::OpenStack).unwrap();
            let _ = identity.delete_project(p).await;
        }
        if let Some(sim) = self.sim {
            sim.stop().await;
        }
    }

    fn sim(&self) -> &SimServer {
        self.sim.as_ref().expect("simulator-only case")
    }

    fn inventory(&self) -> Arc<dyn CloudInventory> {
        self.connector
            .inventory(std::slice::from_ref(&self.target))
            .unwrap()
    }
}

fn fast_http() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_secs(10),
        max_concurrency: 8,
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
        },
    }
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

fn openstack_settings_for_sim(sim: &SimServer) -> OpenStackSettings {
    let c = sim.service_credentials();
    OpenStackSettings {
        auth_url: c.auth_url,
        username: c.username,
        password: Secret::new(c.password),
        user_domain_name: c.user_domain,
        project_name: c.project,
        project_domain_name: c.project_domain,
        region: Some(c.region),
        interface: EndpointInterface::Internal,
        member_role_name: "member".into(),
        http: fast_http(),
    }
}

/// Picks image, flavor, volume type and external network through the port.
async fn discover(project: &dyn CloudProject, volume_size_gb: u32) -> Fixtures {
    let images = project
        .list_images(&ImageListQuery {
            status: Some("active".into()),
            page_size: None,
        })
        .await
        .unwrap();
    let image = images
        .iter()
        .min_by_key(|i| i.min_disk_gb)
        .expect("an active image");
    let flavors = project.list_flavors().await.unwrap();
    let flavor = flavors
        .iter()
        .filter(|f| f.vcpus >= 1)
        .min_by_key(|f| (f.ram_mb, f.vcpus))
        .expect("a flavor");
    let types = project.list_volume_types().await.unwrap();
    let networks = project
        .list_networks(&NetworkListQuery::default())
        .await
        .unwrap();
    let external = networks
        .iter()
        .find(|n| n.external)
        .expect("an external network");
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

async fn openstack_sim_with(config: SimConfig) -> Env {
    install_crypto_provider();
    let sim = SimServer::start(config).await.unwrap();
    let connector =
        Arc::new(CloudConnector::new(Some(openstack_settings_for_sim(&sim)), None).unwrap());
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

async fn openstack_sim() -> Option<Env> {
    Some(openstack_sim_with(SimConfig::instant()).await)
}

async fn nhn_sim_with(config: SimConfig) -> Env {
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

async fn nhn_sim() -> Option<Env> {
    Some(nhn_sim_with(SimConfig::instant()).await)
}

/// Status transitions take time, as on a real cloud.
fn slow_config() -> SimConfig {
    SimConfig::instant().with_transition_delay(Duration::from_millis(40))
}

async fn openstack_slow_sim() -> Option<Env> {
    Some(openstack_sim_with(slow_config()).await)
}

async fn nhn_slow_sim() -> Option<Env> {
    Some(nhn_sim_with(slow_config()).await)
}

/// A real OpenStack from the `OS_*` variables, or `None` (the case is skipped).
async fn real_openstack() -> Option<Env> {
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
        http: HttpSettings::default(),
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

async fn eventually<T, F, Fut>(patience: Duration, what: &str, mut probe: F) -> T
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

async fn wait_volume(env: &Env, id: &str, status: &str) -> CloudVolume {
    eventually(env.patience, status, || async {
        let v = env.project.get_volume(id).await.unwrap();
        assert!(!v.status.starts_with("error"), "volume went {}", v.status);
        (v.status == status).then_some(v)
    })
    .await
}

async fn wait_volume_gone(env: &Env, id: &str) {
    eventually(env.patience, "volume deletion", || async {
        match env.project.get_volume(id).await {
            Err(CloudError::NotFound(_)) => Some(()),
            Ok(_) => None,
            Err(e) => panic!("{e}"),
        }
    })
    .await
}

async fn wait_server(env: &Env, id: &str, status: &str) -> CloudServer {
    eventually(env.patience, status, || async {
        let s = env.project.get_server(id).await.unwrap();
        assert_ne!(s.status, "ERROR", "server failed: {:?}", s.fault_message);
        (s.status == status && s.task_state.is_none()).then_some(s)
    })
    .await
}

fn volume_request(env: &Env, name: &str) -> CreateVolumeRequest {
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

fn ssh_rule(group: &str) -> CreateSecurityGroupRuleRequest {
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

// ----- the shared suite -----------------------------------------------------------

mod cases {
    use super::*;

    pub async fn reads_the_catalog(env: &Env) {
        let p = &env.project;
        assert!(!p.list_flavors().await.unwrap().is_empty());
        let flavor = p.get_flavor(&env.fixtures.flavor_id).await.unwrap();
        assert_eq!(flavor.id, env.fixtures.flavor_id);
        let image = p.get_image(&env.fixtures.image_id).await.unwrap();
        assert_eq!(image.status, "active");
        assert!(!p.list_volume_types().await.unwrap().is_empty());
        let zones = p.list_availability_zones().await.unwrap();
        assert!(zones.iter().any(|z| z.available));
        let external = p
            .get_network(&env.fixtures.external_network_id)
            .await
            .unwrap();
        assert!(external.external);
        let all = p.list_networks(&NetworkListQuery::default()).await.unwrap();
        assert!(all.iter().any(|n| n.id == env.fixtures.external_network_id));
    }

    pub async fn missing_resources_are_typed_not_found(env: &Env) {
        let p = &env.project;
        let missing = uuid::Uuid::new_v4().to_string();
        for err in [
            p.get_server(&missing).await.unwrap_err(),
            p.get_volume(&missing).await.unwrap_err(),
            p.get_port(&missing).await.unwrap_err(),
            p.get_security_group(&missing).await.unwrap_err(),
            p.get_floating_ip(&missing).await.unwrap_err(),
            p.get_image(&missing).await.unwrap_err(),
        ] {
            assert!(matches!(err, CloudError::NotFound(_)), "{err:?}");
            assert_eq!(err.outcome(), Outcome::Definite);
            assert!(!err.message().is_empty());
        }
        let err = p.get_server(&missing).await.unwrap_err();
        assert!(
            err.request_id().is_some(),
            "nova answers carry a request id: {err:?}"
        );
    }

    pub async fn security_group_lifecycle(env: &Env) {
        let p = &env.project;
        let group = p
            .create_security_group(&CreateSecurityGroupRequest {
                name: unique("sg"),
                description: Some("suite".into()),
            })
            .await
            .unwrap();
        let rule = p
            .create_security_group_rule(&ssh_rule(&group.id))
            .await
            .unwrap();
        assert_eq!(rule.port_range_min, Some(22));
        assert_eq!(rule.direction, RuleDirection::Ingress);
        let rules = p.list_security_group_rules(&group.id).await.unwrap();
        assert!(rules.iter().any(|r| r.id == rule.id));
        let duplicate = p
            .create_security_group_rule(&ssh_rule(&group.id))
            .await
            .unwrap_err();
        assert!(
            matches!(duplicate, CloudError::Conflict(_)),
            "{duplicate:?}"
        );
        let renamed = p
            .update_security_group(
                &group.id,
                &UpdateSecurityGroupRequest {
                    name: Some(unique("renamed")),
                    description: None,
                },
            )
            .await
            .unwrap();
        assert!(renamed.name.starts_with("renamed"));
        let listed = p.list_security_groups().await.unwrap();
        assert!(listed.iter().any(|g| g.id == group.id));
        let inventory = env
            .inventory()
            .list_security_groups(&InventoryQuery::default())
            .await
            .unwrap();
        assert!(inventory.iter().any(|g| g.id == group.id));
        p.delete_security_group_rule(&rule.id).await.unwrap();
        p.delete_security_group(&group.id).await.unwrap();
        let gone = p.get_security_group(&group.id).await.unwrap_err();
        assert!(gone.is_not_found());
    }

    pub async fn volume_lifecycle(env: &Env) {
        let p = &env.project;
        let request = volume_request(env, &unique("vol"));
        let created = p.create_volume(&request).await.unwrap();
        let volume = wait_volume(env, &created.id, "available").await;
        assert_eq!(
            volume.inventory_id.as_deref(),
            Some(request.inventory_id.as_str())
        );
        assert_eq!(volume.size_gb, u64::from(request.size_gb));
        let found = p
            .find_volume_by_inventory_id(&request.inventory_id)
            .await
            .unwrap();
        assert_eq!(found.map(|v| v.id), Some(created.id.clone()));
        let bigger = request.size_gb + 10;
        p.extend_volume(&created.id, bigger).await.unwrap();
        eventually(env.patience, "extend", || async {
            let v = p.get_volume(&created.id).await.unwrap();
            (v.status == "available" && v.size_gb == u64::from(bigger)).then_some(())
        })
        .await;
        let inventory = env
            .inventory()
            .list_volumes(&InventoryQuery::default())
            .await
            .unwrap();
        assert!(inventory.iter().any(|v| v.id == created.id));
        p.delete_volume(&created.id).await.unwrap();
        wait_volume_gone(env, &created.id).await;
    }

    pub async fn listings_follow_pages_to_the_end(env: &Env) {
        let p = &env.project;
        let mut ids = Vec::new();
        for i in 0..3 {
            ids.push(
                p.create_volume(&volume_request(env, &format!("page-{i}")))
                    .await
                    .unwrap()
                    .id,
            );
        }
        for id in &ids {
            wait_volume(env, id, "available").await;
        }
        let listed = p
            .list_volumes(&VolumeListQuery {
                changes_since: None,
                page_size: Some(1),
            })
            .await
            .unwrap();
        for id in &ids {
            assert!(
                listed.iter().any(|v| &v.id == id),
                "volume {id} missing from paged listing"
            );
        }
        let inventory = env
            .inventory()
            .list_volumes(&InventoryQuery {
                changes_since: None,
                page_size: Some(1),
            })
            .await
            .unwrap();
        for id in &ids {
            assert!(inventory.iter().any(|v| &v.id == id));
        }
        for id in &ids {
            p.delete_volume(id).await.unwrap();
        }
    }

    pub async fn servers_are_listed_across_pages(env: &Env) {
        let Some(network) = env.fixtures.tenant_network_id.clone() else {
            eprintln!("skipped: no tenant network for this backend");
            return;
        };
        let p = &env.project;
        let mut ids = Vec::new();
        for i in 0..3 {
            let created = p
                .create_server(&CreateServerRequest {
                    name: format!("paged-{i}"),
                    description: None,
                    flavor_id: env.fixtures.flavor_id.clone(),
                    image_id: env.fixtures.image_id.clone(),
                    root_volume_size_gb: env.fixtures.volume_size_gb,
                    root_volume_type: env.fixtures.volume_type.clone(),
                    delete_root_volume_on_termination: true,
                    port_ids: vec![],
                    network_id: Some(network.clone()),
                    security_group_names: vec![],
                    key_name: None,
                    availability_zone: None,
                    metadata: BTreeMap::new(),
                    inventory_id: unique("inv"),
                })
                .await
                .unwrap();
            ids.push(created.id);
        }
        let paged = ServerListQuery {
            changes_since: None,
            page_size: Some(1),
        };
        let listed = p.list_servers(&paged).await.unwrap();
        let inventory = env
            .inventory()
            .list_servers(&InventoryQuery {
                changes_since: None,
                page_size: Some(1),
            })
            .await
            .unwrap();
        for id in &ids {
            assert!(
                listed.iter().any(|s| &s.id == id),
                "{id} missing from the project listing"
            );
            assert!(
                inventory.iter().any(|s| &s.id == id),
                "{id} missing from the inventory"
            );
        }
        for id in &ids {
            p.delete_server(id).await.unwrap();
        }
    }

    pub async fn identity_lifecycle(env: &Env) {
        let identity = env.connector.identity(env.target.provider()).unwrap();
        let request = CreateProjectRequest {
            name: unique("idp"),
            description: None,
        };
        let project = match identity.create_project(&request).await {
            Err(CloudError::Unsupported { .. }) if env.target.provider() == Provider::Nhn => return,
            other => other.unwrap(),
        };
        let duplicate = identity.create_project(&request).await.unwrap_err();
        assert!(
            matches!(duplicate, CloudError::Conflict(_)),
            "{duplicate:?}"
        );
        identity
            .rename_project(&project.id, &unique("renamed"))
            .await
            .unwrap();
        let user = identity
            .create_user(&CreateUserRequest {
                name: unique("user"),
                password: Secret::new("Sup3r-secret-pw"),
                default_project_id: Some(project.id.clone()),
                description: None,
            })
            .await
            .unwrap();
        identity
            .assign_role(&project.id, &user.id, "member")
            .await
            .unwrap();
        identity
            .assign_role(&project.id, &user.id, "member")
            .await
            .expect("granting twice is idempotent");
        identity
            .unassign_role(&project.id, &user.id, "member")
            .await
            .unwrap();
        let again = identity
            .unassign_role(&project.id, &user.id, "member")
            .await
            .unwrap_err();
        assert!(again.is_not_found(), "{again:?}");
        let handle = env
            .connector
            .project(&ProjectCloudTarget::OpenStack {
                project_id: project.id.clone(),
            })
            .unwrap();
        assert!(
            handle.list_security_groups().await.is_ok(),
            "the service user got a role on the new project"
        );
        identity.delete_user(&user.id).await.unwrap();
        identity.delete_project(&project.id).await.unwrap();
        let gone = identity.delete_project(&project.id).await.unwrap_err();
        assert!(gone.is_not_found(), "{gone:?}");
    }

    pub async fn server_lifecycle(env: &Env) {
        let Some(network) = env.fixtures.tenant_network_id.clone() else {
            eprintln!("skipped: no tenant network for this backend");
            return;
        };
        let p = &env.project;
        let group = p
            .create_security_group(&CreateSecurityGroupRequest {
                name: unique("web"),
                description: None,
            })
            .await
            .unwrap();
        let port = p
            .create_port(&CreatePortRequest {
                network_id: network.clone(),
                name: Some(unique("nic")),
                description: Some("inventory:nic-1".into()),
                security_group_ids: Some(vec![group.id.clone()]),
                ..CreatePortRequest::default()
            })
            .await
            .unwrap();
        assert_eq!(port.network_id, network);
        let inventory_id = unique("inv");
        let created = p
            .create_server(&CreateServerRequest {
                name: unique("srv"),
                description: Some("suite server".into()),
                flavor_id: env.fixtures.flavor_id.clone(),
                image_id: env.fixtures.image_id.clone(),
                root_volume_size_gb: env.fixtures.volume_size_gb,
                root_volume_type: env.fixtures.volume_type.clone(),
                delete_root_volume_on_termination: true,
                port_ids: vec![port.id.clone()],
                network_id: None,
                security_group_names: vec![],
                key_name: None,
                availability_zone: None,
                metadata: BTreeMap::new(),
                inventory_id: inventory_id.clone(),
            })
            .await
            .unwrap();
        let server = wait_server(env, &created.id, "ACTIVE").await;
        assert_eq!(server.inventory_id.as_deref(), Some(inventory_id.as_str()));
        assert_eq!(server.attached_volume_ids.len(), 1);
        let found = p.find_server_by_inventory_id(&inventory_id).await.unwrap();
        assert_eq!(found.map(|s| s.id), Some(created.id.clone()));
        let nics = p.list_interfaces(&created.id).await.unwrap();
        assert!(nics.iter().any(|n| n.port_id == port.id));
        let by_device = p
            .list_ports(&PortListQuery {
                device_id: Some(created.id.clone()),
                network_id: None,
            })
            .await
            .unwrap();
        assert_eq!(
            by_device.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
            vec![port.id.clone()]
        );
        let listed = p.list_servers(&ServerListQuery::default()).await.unwrap();
        assert!(listed.iter().any(|s| s.id == created.id));
        let inventory = env
            .inventory()
            .list_servers(&InventoryQuery::default())
            .await
            .unwrap();
        assert!(inventory.iter().any(|s| s.id == created.id));

        p.stop_server(&created.id).await.unwrap();
        wait_server(env, &created.id, "SHUTOFF").await;
        let wrong_state = p.stop_server(&created.id).await.unwrap_err();
        assert!(
            matches!(wrong_state, CloudError::Conflict(_)),
            "{wrong_state:?}"
        );
        p.start_server(&created.id).await.unwrap();
        wait_server(env, &created.id, "ACTIVE").await;
        p.reboot_server(&created.id, RebootKind::Soft)
            .await
            .unwrap();
        wait_server(env, &created.id, "ACTIVE").await;
        match p.console_url(&created.id).await {
            Ok(url) => assert!(url.starts_with("http"), "{url}"),
            // NHN documents no console API.
            Err(CloudError::Unsupported { .. }) if p.provider() == Provider::Nhn => {}
            Err(e) => panic!("console: {e:?}"),
        }

        let data = p
            .create_volume(&volume_request(env, &unique("data")))
            .await
            .unwrap();
        wait_volume(env, &data.id, "available").await;
        p.attach_volume(&created.id, &data.id).await.unwrap();
        let attached = wait_volume(env, &data.id, "in-use").await;
        assert_eq!(attached.attachments[0].server_id, created.id);
        let attachments = p.list_volume_attachments(&created.id).await.unwrap();
        assert!(attachments.iter().any(|a| a.volume_id == data.id));
        if p.provider() == Provider::OpenStack {
            // Needs block-storage microversion 3.42, which the adapter pins.
            let bigger = env.fixtures.volume_size_gb + 1;
            p.extend_volume(&data.id, bigger).await.unwrap();
            eventually(env.patience, "in-use extend", || async {
                let v = p.get_volume(&data.id).await.unwrap();
                (v.status == "in-use" && v.size_gb == u64::from(bigger)).then_some(())
            })
            .await;
        }
        let in_use = p.delete_volume(&data.id).await.unwrap_err();
        assert!(
            matches!(in_use, CloudError::BadRequest(_) | CloudError::Conflict(_)),
            "{in_use:?}"
        );
        p.detach_volume(&created.id, &data.id).await.unwrap();
        wait_volume(env, &data.id, "available").await;

        let fip = p
            .create_floating_ip(&CreateFloatingIpRequest {
                floating_network_id: env.fixtures.external_network_id.clone(),
                port_id: None,
                description: Some("inventory:fip-1".into()),
            })
            .await
            .unwrap();
        assert!(fip.port_id.is_none());
        let associated = p.associate_floating_ip(&fip.id, &port.id).await.unwrap();
        assert_eq!(associated.port_id.as_deref(), Some(port.id.as_str()));
        let by_port = p
            .list_floating_ips(&FloatingIpListQuery {
                port_id: Some(port.id.clone()),
            })
            .await
            .unwrap();
        assert_eq!(by_port.len(), 1);
        let in_use = p.delete_security_group(&group.id).await.unwrap_err();
        assert!(matches!(in_use, CloudError::Conflict(_)), "{in_use:?}");
        let released = p.disassociate_floating_ip(&fip.id).await.unwrap();
        assert!(released.port_id.is_none());
        p.delete_floating_ip(&fip.id).await.unwrap();

        let before_delete = chrono::Utc::now() - chrono::Duration::seconds(5);
        p.delete_server(&created.id).await.unwrap();
        eventually(env.patience, "server deletion", || async {
            match p.get_server(&created.id).await {
                Err(CloudError::NotFound(_)) => Some(()),
                Ok(_) => None,
                Err(e) => panic!("{e}"),
            }
        })
        .await;
        let changed = env
            .inventory()
            .list_servers(&InventoryQuery {
                changes_since: Some(before_delete),
                page_size: None,
            })
            .await
            .unwrap();
        let tombstone = changed.iter().find(|s| s.id == created.id);
        assert_eq!(
            tombstone.map(|s| s.status.as_str()),
            Some("DELETED"),
            "changes-since reports the deletion"
        );
        p.delete_port(&port.id).await.unwrap();
        p.delete_volume(&data.id).await.unwrap();
        p.delete_security_group(&group.id).await.unwrap();
    }
}

macro_rules! shared_suite {
    ($backend:ident, $setup:path) => {
        mod $backend {
            use super::*;

            async fn run<F, Fut>(case: F)
            where
                F: FnOnce(Arc<Env>) -> Fut,
                Fut: Future<Output = ()>,
            {
                let Some(env) = $setup().await else {
                    eprintln!("skipped: {} is not configured", stringify!($backend));
                    return;
                };
                let env = Arc::new(env);
                case(env.clone()).await;
                if let Ok(env) = Arc::try_unwrap(env) {
                    env.finish().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn reads_the_catalog() {
                run(|e| async move { cases::reads_the_catalog(&e).await }).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn missing_resources_are_typed_not_found() {
                run(|e| async move { cases::missing_resources_are_typed_not_found(&e).await }).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn security_group_lifecycle() {
                run(|e| async move { cases::security_group_lifecycle(&e).await }).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn volume_lifecycle() {
                run(|e| async move { cases::volume_lifecycle(&e).await }).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn listings_follow_pages_to_the_end() {
                run(|e| async move { cases::listings_follow_pages_to_the_end(&e).await }).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn servers_are_listed_across_pages() {
                run(|e| async move { cases::servers_are_listed_across_pages(&e).await }).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn identity_lifecycle() {
                run(|e| async move { cases::identity_lifecycle(&e).await }).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn server_lifecycle() {
                run(|e| async move { cases::server_lifecycle(&e).await }).await
            }
        }
    };
}

shared_suite!(openstack_on_sim, openstack_sim);
shared_suite!(nhn_on_sim, nhn_sim);
shared_suite!(openstack_on_slow_sim, openstack_slow_sim);
shared_suite!(nhn_on_slow_sim, nhn_slow_sim);
shared_suite!(real_openstack_cloud, real_openstack);

// ----- simulator-only cases (counters and fault injection) -------------------------

/// Counter key of the identity service each protocol uses.
fn identity_counter(env: &Env) -> (&'static str, &'static str) {
    match env.target.provider() {
        Provider::OpenStack => ("identity", "token.create"),
        Provider::Nhn => ("nhn-identity", "token.create"),
    }
}

fn token_requests(env: &Env) -> u64 {
    let (cloud, name) = identity_counter(env);
    env.sim().counters().get_in(cloud, name)
}

/// A connector with empty token caches pointing at the same simulator.
fn fresh_handle(env: &Env) -> Arc<dyn CloudProject> {
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

fn revoke_tokens(env: &Env) {
    match &env.target {
        ProjectCloudTarget::OpenStack { .. } => {
            let user = env.sim().service_credentials().user_id;
            env.sim().revoke_user_tokens(&user);
        }
        ProjectCloudTarget::Nhn(c) => env.sim().revoke_nhn_tenant_tokens(&c.tenant_id),
    }
}

mod sim_cases {
    use super::*;

    type ErrorCheck = fn(&CloudError) -> bool;
    use cloud_sim::{FaultAction, FaultRule};

    pub async fn concurrent_calls_share_one_token_request(env: &Env) {
        let handle = fresh_handle(env);
        let before = token_requests(env);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let h = handle.clone();
            tasks.push(tokio::spawn(async move { h.list_flavors().await }));
        }
        for t in tasks {
            assert!(!t.await.unwrap().unwrap().is_empty());
        }
        assert_eq!(token_requests(env) - before, 1);
        handle.list_volume_types().await.unwrap();
        assert_eq!(
            token_requests(env) - before,
            1,
            "the cached token is reused"
        );
    }

    pub async fn revoked_token_is_replaced_once(env: &Env) {
        env.project.list_flavors().await.unwrap();
        let before = token_requests(env);
        revoke_tokens(env);
        env.project.list_flavors().await.unwrap();
        assert_eq!(token_requests(env) - before, 1);
        env.project.list_flavors().await.unwrap();
        assert_eq!(token_requests(env) - before, 1);
    }

    pub async fn expired_token_is_replaced_once(env: &Env) {
        env.project.list_flavors().await.unwrap();
        let before = token_requests(env);
        env.sim().advance_clock(Duration::from_secs(13 * 3600));
        env.project.list_volume_types().await.unwrap();
        assert_eq!(token_requests(env) - before, 1);
    }

    pub async fn create_is_not_retried_on_5xx(env: &Env) {
        let faults = env.sim().faults();
        faults.add(
            FaultRule::new(FaultAction::Error {
                status: 500,
                message: None,
            })
            .service("network")
            .method("POST")
            .path_contains("security-groups"),
        );
        let before = faults.injected();
        let err = env
            .project
            .create_security_group(&CreateSecurityGroupRequest {
                name: unique("sg"),
                description: None,
            })
            .await
            .unwrap_err();
        assert!(matches!(err, CloudError::Unavailable { .. }), "{err:?}");
        assert_eq!(err.outcome(), Outcome::Unknown);
        assert_eq!(
            faults.injected() - before,
            1,
            "exactly one POST reached the cloud"
        );
        faults.clear();
    }

    pub async fn lost_create_response_is_unknown_and_the_volume_is_found_again(env: &Env) {
        let faults = env.sim().faults();
        faults.lose_responses("block-storage", "POST", "/volumes", 1);
        let request = volume_request(env, &unique("lost"));
        let err = env.project.create_volume(&request).await.unwrap_err();
        assert!(err.is_outcome_unknown(), "{err:?}");
        let adopted = env
            .project
            .find_volume_by_inventory_id(&request.inventory_id)
            .await
            .unwrap()
            .expect("the volume exists although the answer was lost");
        assert_eq!(adopted.name.as_deref(), Some(request.name.as_str()));
        faults.clear();
    }

    pub async fn retry_after_is_honoured_on_429(env: &Env) {
        let faults = env.sim().faults();
        let before = faults.injected();
        faults.rate_limit("compute", 1, Some(1));
        let started = Instant::now();
        env.project.list_flavors().await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1));
        assert_eq!(faults.injected() - before, 1);
        faults.clear();
    }

    pub async fn error_statuses_map_to_typed_errors(env: &Env) {
        let faults = env.sim().faults();
        let cases: [(u16, ErrorCheck); 8] = [
            (400, |e| matches!(e, CloudError::BadRequest(_))),
            (401, |e| matches!(e, CloudError::Unauthorized(_))),
            (403, |e| matches!(e, CloudError::Forbidden(_))),
            (404, |e| matches!(e, CloudError::NotFound(_))),
            (409, |e| matches!(e, CloudError::Conflict(_))),
            (429, |e| matches!(e, CloudError::RateLimited { .. })),
            (500, |e| matches!(e, CloudError::Unavailable { .. })),
            (503, |e| matches!(e, CloudError::Unavailable { .. })),
        ];
        for (status, check) in cases {
            let id = faults.add(
                FaultRule::new(FaultAction::Error {
                    status,
                    message: Some(format!("injected {status}")),
                })
                .service("compute")
                .path_contains("/flavors"),
            );
            let err = env.project.list_flavors().await.unwrap_err();
            assert!(check(&err), "{status}: {err:?}");
            assert_eq!(
                err.outcome(),
                Outcome::Definite,
                "a read never has an unknown outcome"
            );
            assert!(
                err.message().contains("injected"),
                "{status}: message {:?}",
                err.message()
            );
            assert!(err.request_id().is_some(), "{status}: no request id");
            faults.remove(id);
        }
    }

    pub async fn quota_errors_are_over_quota(env: &Env) {
        let mut last = None;
        for _ in 0..5 {
            match env
                .project
                .create_security_group(&CreateSecurityGroupRequest {
                    name: unique("q"),
                    description: None,
                })
                .await
            {
                Ok(_) => {}
                Err(e) => {
                    last = Some(e);
                    break;
                }
            }
        }
        let err = last.expect("the quota of 2 groups is reached");
        assert!(matches!(err, CloudError::OverQuota(_)), "{err:?}");
        let mut request = volume_request(env, "too-big");
        request.size_gb = 100_000;
        let err = env.project.create_volume(&request).await.unwrap_err();
        assert!(matches!(err, CloudError::OverQuota(_)), "{err:?}");
    }

    pub async fn failed_listing_is_an_error_not_an_empty_list(env: &Env) {
        env.project
            .create_volume(&volume_request(env, &unique("v")))
            .await
            .unwrap();
        let faults = env.sim().faults();
        faults.add(
            FaultRule::new(FaultAction::Error {
                status: 503,
                message: None,
            })
            .service("block-storage")
            .method("GET"),
        );
        let err = env
            .inventory()
            .list_volumes(&InventoryQuery::default())
            .await
            .unwrap_err();
        assert!(matches!(err, CloudError::Unavailable { .. }), "{err:?}");
        faults.clear();
    }

    pub async fn global_request_ids_reach_the_cloud(env: &Env) {
        let before = env.sim().global_request_ids().len();
        env.project.list_flavors().await.unwrap();
        env.project.list_volume_types().await.unwrap();
        let ids = env.sim().global_request_ids();
        assert!(ids.len() >= before + 2, "{ids:?}");
        assert!(ids.iter().all(|id| id.starts_with("req-")));
        let operation = uuid::Uuid::new_v4().to_string();
        with_operation_id(&operation, async {
            env.project.list_flavors().await.unwrap();
            env.project.list_volume_types().await.unwrap();
        })
        .await;
        let wanted = format!("req-{operation}");
        let seen = env
            .sim()
            .global_request_ids()
            .iter()
            .filter(|id| **id == wanted)
            .count();
        assert_eq!(seen, 2, "both calls carried the operation's id");
    }

    pub async fn identity_outage_is_unavailable(env: &Env) {
        let handle = fresh_handle(env);
        let faults = env.sim().faults();
        faults.auth_outage(503);
        let err = handle.list_flavors().await.unwrap_err();
        assert!(matches!(err, CloudError::Unavailable { .. }), "{err:?}");
        faults.clear();
        handle.list_flavors().await.unwrap();
    }
}

macro_rules! sim_suite {
    ($backend:ident, $setup:path, $config:expr) => {
        mod $backend {
            use super::*;

            async fn run<F, Fut>(config: SimConfig, case: F)
            where
                F: FnOnce(Arc<Env>) -> Fut,
                Fut: Future<Output = ()>,
            {
                let env = Arc::new($setup(config).await);
                case(env.clone()).await;
                if let Ok(env) = Arc::try_unwrap(env) {
                    env.finish().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn concurrent_calls_share_one_token_request() {
                run($config, |e| async move {
                    sim_cases::concurrent_calls_share_one_token_request(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn revoked_token_is_replaced_once() {
                run($config, |e| async move {
                    sim_cases::revoked_token_is_replaced_once(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn expired_token_is_replaced_once() {
                run($config, |e| async move {
                    sim_cases::expired_token_is_replaced_once(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn create_is_not_retried_on_5xx() {
                run($config, |e| async move {
                    sim_cases::create_is_not_retried_on_5xx(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn lost_create_response_is_unknown_and_the_volume_is_found_again() {
                run($config, |e| async move {
                    sim_cases::lost_create_response_is_unknown_and_the_volume_is_found_again(&e)
                        .await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn retry_after_is_honoured_on_429() {
                run($config, |e| async move {
                    sim_cases::retry_after_is_honoured_on_429(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn error_statuses_map_to_typed_errors() {
                run($config, |e| async move {
                    sim_cases::error_statuses_map_to_typed_errors(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn quota_errors_are_over_quota() {
                let mut config = $config;
                config.quotas.security_groups = 2;
                config.quotas.gigabytes = 1000;
                run(config, |e| async move {
                    sim_cases::quota_errors_are_over_quota(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn failed_listing_is_an_error_not_an_empty_list() {
                run($config, |e| async move {
                    sim_cases::failed_listing_is_an_error_not_an_empty_list(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn global_request_ids_reach_the_cloud() {
                run($config, |e| async move {
                    sim_cases::global_request_ids_reach_the_cloud(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn identity_outage_is_unavailable() {
                run($config, |e| async move {
                    sim_cases::identity_outage_is_unavailable(&e).await
                })
                .await
            }
        }
    };
}

sim_suite!(
    openstack_sim_faults,
    openstack_sim_with,
    SimConfig::instant()
);
sim_suite!(nhn_sim_faults, nhn_sim_with, SimConfig::instant());

#[tokio::test]
async fn nhn_has_no_identity_api() {
    let env = nhn_sim_with(SimConfig::instant()).await;
    let identity = env.connector.identity(Provider::Nhn).unwrap();
    let err = identity
        .create_project(&CreateProjectRequest {
            name: "x".into(),
            description: None,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, CloudError::Unsupported { .. }));
    env.finish().await;
}

#[tokio::test]
async fn nhn_refuses_ipv6_rules_before_calling() {
    let env = nhn_sim_with(SimConfig::instant()).await;
    let group = env
        .project
        .create_security_group(&CreateSecurityGroupRequest {
            name: unique("v6"),
            description: None,
        })
        .await
        .unwrap();
    let mut rule = ssh_rule(&group.id);
    rule.ether_type = EtherType::IPv6;
    rule.remote_ip_prefix = Some("::/0".into());
    let err = env
        .project
        .create_security_group_rule(&rule)
        .await
        .unwrap_err();
    assert!(matches!(err, CloudError::BadRequest(_)));
    env.finish().await;
}

#[tokio::test]
async fn both_providers_are_driven_through_the_same_port() {
    let os = openstack_sim_with(SimConfig::instant()).await;
    let nhn = nhn_sim_with(SimConfig::instant()).await;
    let handles: [&Arc<dyn CloudProject>; 2] = [&os.project, &nhn.project];
    let mut providers = Vec::new();
    for h in handles {
        providers.push(h.provider());
        assert!(!h.list_flavors().await.unwrap().is_empty());
        assert!(
            !h.list_images(&ImageListQuery::default())
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(providers, [Provider::OpenStack, Provider::Nhn]);
    os.finish().await;
    nhn.finish().await;
}
