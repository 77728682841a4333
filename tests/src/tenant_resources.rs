//! One resource of each kind in a tenant's project, created through the API
//! and waited for until the batch server has settled it (no task in flight).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::tenant::Caller;

/// What the project's catalog offers (the simulated cloud's fixtures).
pub struct Catalog {
    pub flavor_id: String,
    pub image_id: String,
    pub network_id: String,
    pub external_network_id: String,
    pub volume_type_id: String,
    pub root_size_gb: i64,
}

/// Ids of a project's resources: a server (with its root volume and
/// interface), a volume of its own, a security group (used by the server)
/// and an unattached floating IP.
#[derive(Debug, Clone)]
pub struct TenantResources {
    pub server_id: i64,
    pub root_volume_id: i64,
    pub network_interface_id: i64,
    pub volume_id: i64,
    pub security_group_id: i64,
    pub floating_ip_id: i64,
}

pub async fn catalog(member: &Caller) -> Catalog {
    let flavors = member.get_json("/catalog/flavors").await;
    let flavor = smallest(&flavors["flavors"], "ram_mb");
    let images = member.get_json("/catalog/images").await;
    let image = smallest(&images["images"], "min_disk_gb");
    let networks = member.get_json("/catalog/networks").await;
    let network = |external: bool| {
        networks["networks"]
            .as_array()
            .and_then(|all| all.iter().find(|n| n["external"].as_bool() == Some(external)))
            .and_then(|n| n["id"].as_str())
            .unwrap_or_else(|| panic!("the catalog has no network with external={external}: {networks}"))
            .to_string()
    };
    let types = member.get_json("/catalog/volume-types").await;
    Catalog {
        flavor_id: text(&flavor["id"]),
        image_id: text(&image["id"]),
        network_id: network(false),
        external_network_id: network(true),
        volume_type_id: text(&types["volume_types"][0]["id"]),
        root_size_gb: 20.max(image["min_disk_gb"].as_i64().unwrap_or(0)),
    }
}

/// Creates the resources named `<prefix>-...` and waits until each is settled.
pub async fn create_all(member: &Caller, catalog: &Catalog, prefix: &str) -> TenantResources {
    let group = member
        .expect(
            Method::POST,
            "/security-groups",
            Some(
                &json!({"name": format!("{prefix}-ssh"), "description": "ssh", "rules": [
                {"protocol": "tcp", "ether_type": "IPv4", "direction": "ingress",
                 "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0"}]}),
            ),
            201,
        )
        .await;
    let security_group_id = id_of(&group);
    let server = member
        .expect(
            Method::POST,
            "/servers",
            Some(&json!({
                "name": format!("{prefix}-web"), "description": "web", "flavor_id": catalog.flavor_id,
                "network_id": catalog.network_id,
                "root_volume": {"size": catalog.root_size_gb, "image_id": catalog.image_id},
                "security_group_ids": [security_group_id]})),
            202,
        )
        .await;
    let server_id = id_of(&server);
    let volume = member
        .expect(
            Method::POST,
            "/volumes",
            Some(
                &json!({"name": format!("{prefix}-data"), "description": "data", "size": 1,
                         "volume_type_id": catalog.volume_type_id}),
            ),
            202,
        )
        .await;
    let volume_id = id_of(&volume);
    let fip = member
        .expect(
            Method::POST,
            "/floating-ips",
            Some(&json!({"floating_network_id": catalog.external_network_id})),
            201,
        )
        .await;
    let floating_ip_id = id_of(&fip);

    let server = settled(member, &format!("/servers/{server_id}"), "ACTIVE").await;
    settled(member, &format!("/volumes/{volume_id}"), "AVAILABLE").await;
    let root_volume_id = server["volumes"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["is_root_volume"] == json!(true)))
        .map(id_of)
        .unwrap_or_else(|| panic!("server {server_id} has no root volume: {server}"));
    settled(member, &format!("/volumes/{root_volume_id}"), "IN_USE").await;
    let network_interface_id = server["network_interface_ids"][0]
        .as_i64()
        .unwrap_or_else(|| panic!("server {server_id} has no interface: {server}"));
    TenantResources {
        server_id,
        root_volume_id,
        network_interface_id,
        volume_id,
        security_group_id,
        floating_ip_id,
    }
}

/// Polls `path` until it shows `status` with no task in flight.
pub async fn settled(member: &Caller, path: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let body = member.get_json(path).await;
        if body["status"] == status && body["task_state"].is_null() {
            return body;
        }
        assert!(
            Instant::now() < deadline,
            "{path} did not settle in {status} within 120 s: {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn smallest(list: &Value, key: &str) -> Value {
    list.as_array()
        .and_then(|all| all.iter().min_by_key(|x| x[key].as_u64().unwrap_or(u64::MAX)))
        .cloned()
        .unwrap_or_else(|| panic!("empty catalog list: {list}"))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}")).to_string()
}

fn id_of(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}"))
}
