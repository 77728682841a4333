#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use serde_json::{Value, json};

#[tokio::test]
async fn boot_from_volume_server_becomes_active_with_root_volume_in_use() {
    let env = common::start().await;
    let admin = env.admin().await;
    let id = env.boot_server(&admin, "bfv-1").await;
    let server = env.server(&admin, &id).await;
    assert_eq!(server["status"], "ACTIVE");
    assert_eq!(server["OS-EXT-STS:power_state"], 1);
    assert_eq!(server["image"], "");
    assert_eq!(server["tenant_id"], admin.project_id.as_str());
    let vols = server["os-extended-volumes:volumes_attached"]
        .as_array()
        .unwrap();
    assert_eq!(vols.len(), 1);
    let vol = env.volume(&admin, vols[0]["id"].as_str().unwrap()).await;
    assert_eq!(vol["status"], "in-use");
    assert_eq!(vol["bootable"], "true");
    assert_eq!(vol["attachments"][0]["server_id"], id.as_str());
    let addresses = server["addresses"].as_object().unwrap();
    assert_eq!(addresses["private"][0]["OS-EXT-IPS:type"], "fixed");
}

#[tokio::test]
async fn create_response_is_abbreviated_202_with_location_and_build_status_first() {
    let env = common::start_with(
        cloud_sim::SimConfig::instant().with_transition_delay(std::time::Duration::from_secs(60)),
    )
    .await;
    let admin = env.admin().await;
    let image = env.first_image(&admin).await;
    let port = env.create_port(&admin).await;
    let r = env
        .post(
            &admin,
            "/compute/v2.1/servers",
            json!({"server": {"name": "slow", "flavorRef": "1", "imageRef": image, "networks": [{"port": port["id"]}]}}),
        )
        .await;
    assert_eq!(r.status(), 202);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("/servers/")
    );
    assert!(r.headers().contains_key("x-compute-request-id"));
    let body: Value = r.json().await.unwrap();
    assert!(body["server"].get("status").is_none());
    let id = body["server"]["id"].as_str().unwrap();
    let server = env.server(&admin, id).await;
    assert_eq!(server["status"], "BUILD");
    assert_eq!(server["OS-EXT-STS:task_state"], "scheduling");
}
