//! One adapter suite, run through the port against: the simulator speaking
//! the OpenStack protocol, the simulator speaking the NHN protocol (each with
//! instant and with timed status transitions), and a real OpenStack when
//! `OS_AUTH_URL` and friends are set (skipped otherwise).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cloud_support;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use cloud_sim::SimConfig;
use cloud_support::*;
use common::infrastructure::cloud::*;

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
        let external = p.get_network(&env.fixtures.external_network_id).await.unwrap();
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
        assert!(err.request_id().is_some(), "nova answers carry a request id: {err:?}");
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
        let rule = p.create_security_group_rule(&ssh_rule(&group.id)).await.unwrap();
        assert_eq!(rule.port_range_min, Some(22));
        assert_eq!(rule.direction, RuleDirection::Ingress);
        let rules = p.list_security_group_rules(&group.id).await.unwrap();
        assert!(rules.iter().any(|r| r.id == rule.id));
        let duplicate = p.create_security_group_rule(&ssh_rule(&group.id)).await.unwrap_err();
        assert!(matches!(duplicate, CloudError::Conflict(_)), "{duplicate:?}");
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
        assert_eq!(volume.inventory_id.as_deref(), Some(request.inventory_id.as_str()));
        assert_eq!(volume.size_gb, u64::from(request.size_gb));
        let found = p.find_volume_by_inventory_id(&request.inventory_id).await.unwrap();
        assert_eq!(found.map(|v| v.id), Some(created.id.clone()));
        let recent = p
            .list_volumes(&VolumeListQuery {
                changes_since: Some(chrono::Utc::now() - chrono::Duration::minutes(5)),
                page_size: None,
            })
            .await
            .unwrap();
        assert!(recent.iter().any(|v| v.id == created.id));
        if p.provider() == Provider::OpenStack {
            let future = p
                .list_volumes(&VolumeListQuery {
                    changes_since: Some(chrono::Utc::now() + chrono::Duration::hours(1)),
                    page_size: None,
                })
                .await
                .unwrap();
            assert!(future.iter().all(|v| v.id != created.id), "time filters are applied");
        }
        let renamed = p
            .update_volume(
                &created.id,
                &UpdateVolumeRequest {
                    name: Some("renamed-vol".into()),
                    description: Some("new description".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(renamed.name.as_deref(), Some("renamed-vol"));
        assert_eq!(renamed.description.as_deref(), Some("new description"));
        let bigger = request.size_gb + 10;
        p.extend_volume(&created.id, bigger).await.unwrap();
        eventually(env.patience, "extend", || async {
            let v = p.get_volume(&created.id).await.unwrap();
            (v.status == "available" && v.size_gb == u64::from(bigger)).then_some(())
        })
        .await;
        let inventory = env.inventory().list_volumes(&InventoryQuery::default()).await.unwrap();
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
            assert!(inventory.iter().any(|s| &s.id == id), "{id} missing from the inventory");
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
        assert!(matches!(duplicate, CloudError::Conflict(_)), "{duplicate:?}");
        let found = identity.find_project_by_name(&request.name).await.unwrap();
        assert_eq!(found.map(|p| p.id), Some(project.id.clone()));
        assert_eq!(identity.find_project_by_name(&unique("none")).await.unwrap(), None);
        identity
            .grant_service_access(&project.id)
            .await
            .expect("granting the service user again is harmless");
        identity.rename_project(&project.id, &unique("renamed")).await.unwrap();
        let user = identity
            .create_user(&CreateUserRequest {
                name: unique("user"),
                password: Secret::new("Sup3r-secret-pw"),
                default_project_id: Some(project.id.clone()),
                description: None,
            })
            .await
            .unwrap();
        identity.assign_role(&project.id, &user.id, "member").await.unwrap();
        identity
            .assign_role(&project.id, &user.id, "member")
            .await
            .expect("granting twice is idempotent");
        identity.unassign_role(&project.id, &user.id, "member").await.unwrap();
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
        let inventory = env.inventory().list_servers(&InventoryQuery::default()).await.unwrap();
        assert!(inventory.iter().any(|s| s.id == created.id));

        let update = UpdateServerRequest {
            name: Some("renamed-server".into()),
            // NHN keeps it in metadata, which the simulator cannot update yet.
            description: (p.provider() == Provider::OpenStack).then(|| "new description".into()),
        };
        p.update_server(&created.id, &update).await.unwrap();
        let updated = p.get_server(&created.id).await.unwrap();
        assert_eq!(updated.name, "renamed-server");
        if p.provider() == Provider::OpenStack {
            assert_eq!(updated.description.as_deref(), Some("new description"));
        }

        p.stop_server(&created.id).await.unwrap();
        wait_server(env, &created.id, "SHUTOFF").await;
        let wrong_state = p.stop_server(&created.id).await.unwrap_err();
        assert!(matches!(wrong_state, CloudError::Conflict(_)), "{wrong_state:?}");
        p.start_server(&created.id).await.unwrap();
        wait_server(env, &created.id, "ACTIVE").await;
        p.reboot_server(&created.id, RebootKind::Soft).await.unwrap();
        wait_server(env, &created.id, "ACTIVE").await;
        match p.console_url(&created.id).await {
            Ok(url) => assert!(url.starts_with("http"), "{url}"),
            // NHN documents no console API.
            Err(CloudError::Unsupported { .. }) if p.provider() == Provider::Nhn => {}
            Err(e) => panic!("console: {e:?}"),
        }

        let data = p.create_volume(&volume_request(env, &unique("data"))).await.unwrap();
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

#[tokio::test]
async fn both_providers_are_driven_through_the_same_port() {
    let os = openstack_sim_with(SimConfig::instant()).await;
    let nhn = nhn_sim_with(SimConfig::instant()).await;
    let handles: [&Arc<dyn CloudProject>; 2] = [&os.project, &nhn.project];
    let mut providers = Vec::new();
    for h in handles {
        providers.push(h.provider());
        assert!(!h.list_flavors().await.unwrap().is_empty());
        assert!(!h.list_images(&ImageListQuery::default()).await.unwrap().is_empty());
    }
    assert_eq!(providers, [Provider::OpenStack, Provider::Nhn]);
    os.finish().await;
    nhn.finish().await;
}
