#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use cloud_sim::{ResourceKind, SimConfig};
use serde_json::{Value, json};

async fn scenario(seed: u64) -> (Vec<String>, Vec<String>) {
    let env = common::start_with(SimConfig::instant().with_seed(seed)).await;
    let admin = env.admin().await;
    let mut ids = Vec::new();
    let mut addrs = Vec::new();
    for i in 0..3 {
        let id = env.boot_server(&admin, &format!("d{i}")).await;
        let ports = env
            .get_json(&admin, &format!("/networking/v2.0/ports?device_id={id}"))
            .await;
        addrs.push(format!(
            "{} {}",
            ports["ports"][0]["fixed_ips"][0]["ip_address"].as_str().unwrap(),
            ports["ports"][0]["mac_address"].as_str().unwrap()
        ));
        ids.push(id);
    }
    ids.push(env.create_volume(&admin, 1).await);
    env.sim.stop().await;
    (ids, addrs)
}

#[tokio::test]
async fn same_seed_and_same_requests_give_the_same_ids_and_addresses() {
    let a = scenario(7).await;
    let b = scenario(7).await;
    assert_eq!(a, b);
}

#[tokio::test]
async fn different_seeds_give_different_ids() {
    let a = scenario(7).await;
    let b = scenario(8).await;
    assert_ne!(a.0, b.0);
}

#[tokio::test]
async fn server_deleted_out_of_band_is_gone_and_reported_by_changes_since() {
    let env = common::start().await;
    let admin = env.admin().await;
    let id = env.boot_server(&admin, "victim").await;
    assert!(env.sim.out_of_band().delete_server(&id));
    assert_eq!(
        env.get(&admin, &format!("/compute/v2.1/servers/{id}")).await.status(),
        404
    );
    let v = env
        .get_json(
            &admin,
            "/compute/v2.1/servers/detail?changes-since=2000-01-01T00:00:00Z",
        )
        .await;
    let s = v["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(s["status"], "DELETED");
}

#[tokio::test]
async fn volume_modified_out_of_band_shows_the_new_status_and_size() {
    let env = common::start().await;
    let admin = env.admin().await;
    let v = env.create_volume(&admin, 1).await;
    env.sim
        .out_of_band()
        .modify(ResourceKind::Volume, &v, &json!({"status": "error", "size": 3}))
        .unwrap();
    let vol = env.volume(&admin, &v).await;
    assert_eq!(vol["status"], "error");
    assert_eq!(vol["size"], 3);
}

#[tokio::test]
async fn unmanaged_server_created_out_of_band_appears_in_the_project() {
    let env = common::start().await;
    let admin = env.admin().await;
    let member = env.member_project(&admin, "drift").await;
    let id = env
        .sim
        .out_of_band()
        .create(ResourceKind::Server, &member.project_id, &json!({"name": "shadow-it"}))
        .unwrap();
    let list = env.get_json(&member, "/compute/v2.1/servers/detail").await;
    let s = &list["servers"][0];
    assert_eq!(s["id"], id.as_str());
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(env.sim.counters().get("server.create"), 0, "nobody called the API");
}

#[tokio::test]
async fn out_of_band_changes_work_over_http() {
    let env = common::start().await;
    let admin = env.admin().await;
    let port = env.create_port(&admin).await;
    let pid = port["id"].as_str().unwrap();
    let patch = env
        .http
        .patch(env.url(&format!("/_sim/clouds/openstack/ports/{pid}")))
        .json(&json!({"name": "renamed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 204);
    assert_eq!(
        env.get_json(&admin, &format!("/networking/v2.0/ports/{pid}")).await["port"]["name"],
        "renamed"
    );
    let del = env
        .http
        .delete(env.url(&format!("/_sim/clouds/openstack/ports/{pid}")))
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    assert_eq!(
        env.get(&admin, &format!("/networking/v2.0/ports/{pid}")).await.status(),
        404
    );
    let created: Value = env
        .http
        .post(env.url("/_sim/clouds/openstack/floatingips"))
        .json(&json!({"project_id": admin.project_id}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fid = created["id"].as_str().unwrap();
    assert_eq!(
        env.get(&admin, &format!("/networking/v2.0/floatingips/{fid}"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn floating_ip_disassociated_out_of_band_is_down_without_a_port() {
    let env = common::start().await;
    let admin = env.admin().await;
    let ext = env
        .get_json(&admin, "/networking/v2.0/networks?router:external=true")
        .await;
    let port = env.create_port(&admin).await;
    let fip: Value = env
        .post(
            &admin,
            "/networking/v2.0/floatingips",
            json!({"floatingip": {"floating_network_id": ext["networks"][0]["id"], "port_id": port["id"]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let fid = fip["floatingip"]["id"].as_str().unwrap();
    env.sim
        .out_of_band()
        .modify(ResourceKind::FloatingIp, fid, &json!({"port_id": null}))
        .unwrap();
    let f = env
        .get_json(&admin, &format!("/networking/v2.0/floatingips/{fid}"))
        .await;
    assert!(f["floatingip"]["port_id"].is_null());
    assert_eq!(f["floatingip"]["status"], "DOWN");
}

#[tokio::test]
async fn nhn_tenants_can_be_registered_over_http() {
    let env = common::start().await;
    let r = env
        .http
        .post(env.url("/_sim/nhn/tenants"))
        .json(&json!({"username": "ops@example.com", "api_password": "pw", "region": "KR2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["tenant"]["region"], "KR2");
    assert_eq!(t["tenant"]["tenant_id"].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn a_seeded_fleet_lists_as_settled_servers_with_bound_ports_and_attached_root_volumes() {
    let env = common::start().await;
    let admin = env.admin().await;
    let fleet: Vec<cloud_sim::FleetServer> = (1..=3)
        .map(|i| cloud_sim::FleetServer {
            name: format!("fleet-{i}"),
            metadata: [("inventory_id".to_string(), format!("server:{i}"))].into(),
            root_gb: 20,
        })
        .collect();
    let seeded = env.sim.out_of_band().seed_fleet("fleet-project", &fleet).unwrap();
    assert_eq!(seeded.len(), 3);

    let servers = env
        .get_json(
            &admin,
            "/compute/v2.1/servers/detail?all_tenants=1&project_id=fleet-project",
        )
        .await;
    let servers = servers["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 3);
    for s in servers {
        assert_eq!(s["status"], "ACTIVE");
        assert!(s["metadata"]["inventory_id"].as_str().unwrap().starts_with("server:"));
    }
    let volumes = env
        .get_json(
            &admin,
            &format!("/volume/v3/{}/volumes/detail?all_tenants=1", admin.project_id),
        )
        .await;
    for one in &seeded {
        let v = volumes["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["id"] == one.root_volume_id.as_str())
            .unwrap();
        assert_eq!(v["status"], "in-use");
        assert_eq!(v["bootable"], "true");
        assert_eq!(v["size"], 20);
        assert_eq!(v["attachments"][0]["server_id"], one.server_id.as_str());
        let ports = env
            .get_json(&admin, &format!("/networking/v2.0/ports?device_id={}", one.server_id))
            .await;
        assert_eq!(ports["ports"][0]["id"], one.port_id.as_str());
        assert_eq!(ports["ports"][0]["status"], "ACTIVE");
        assert_eq!(ports["ports"][0]["fixed_ips"][0]["ip_address"], one.fixed_ip.as_str());
    }
    assert_eq!(env.sim.counters().get("server.create"), 0, "nobody called the API");
    assert_eq!(env.sim.counters().get("volume.create"), 0);
}
