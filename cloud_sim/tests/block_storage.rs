#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use std::time::Duration;

use serde_json::{Value, json};

#[tokio::test]
async fn volume_create_goes_creating_then_available() {
    let env = common::start_with(cloud_sim::SimConfig::instant().with_transition_delay(Duration::from_secs(5))).await;
    let admin = env.admin().await;
    let r = env
        .post(
            &admin,
            &format!("/volume/v3/{}/volumes", admin.project_id),
            json!({"volume": {"size": 10, "name": "v"}}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["volume"]["status"], "creating");
    assert!(body["volume"]["updated_at"].is_null());
    assert!(!body["volume"]["created_at"].as_str().unwrap().ends_with('Z'));
    let id = body["volume"]["id"].as_str().unwrap().to_string();
    assert_eq!(env.volume(&admin, &id).await["status"], "creating");
    env.sim.advance_clock(Duration::from_secs(5));
    let v = env.volume(&admin, &id).await;
    assert_eq!(v["status"], "available");
    assert_eq!(v["volume_type"], "lvm-1");
    assert_eq!(v["bootable"], "false");
    assert_eq!(v["os-vol-tenant-attr:tenant_id"], admin.project_id.as_str());
}

#[tokio::test]
async fn extend_goes_extending_then_available_with_the_new_size() {
    let env = common::start_with(cloud_sim::SimConfig::instant().with_transition_delay(Duration::from_secs(5))).await;
    let admin = env.admin().await;
    let id = env.create_volume(&admin, 10).await;
    env.sim.advance_clock(Duration::from_secs(5));
    let action = format!("/volume/v3/{}/volumes/{id}/action", admin.project_id);
    let smaller = env.post(&admin, &action, json!({"os-extend": {"new_size": 5}})).await;
    assert_eq!(smaller.status(), 400);
    let r = env.post(&admin, &action, json!({"os-extend": {"new_size": 20}})).await;
    assert_eq!(r.status(), 202);
    assert_eq!(env.volume(&admin, &id).await["status"], "extending");
    env.sim.advance_clock(Duration::from_secs(5));
    let v = env.volume(&admin, &id).await;
    assert_eq!(v["status"], "available");
    assert_eq!(v["size"], 20);
}

#[tokio::test]
async fn extending_an_in_use_volume_needs_microversion_3_42() {
    let env = common::start().await;
    let admin = env.admin().await;
    let server = env.boot_server(&admin, "ext").await;
    let root = env.server(&admin, &server).await["os-extended-volumes:volumes_attached"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let action = env.url(&format!("/volume/v3/{}/volumes/{root}/action", admin.project_id));
    let old = env
        .post(
            &admin,
            &format!("/volume/v3/{}/volumes/{root}/action", admin.project_id),
            json!({"os-extend": {"new_size": 30}}),
        )
        .await;
    assert_eq!(old.status(), 400);
    let body: Value = old.json().await.unwrap();
    assert!(body["badRequest"]["message"].as_str().unwrap().contains("in-use"));
    let new = env
        .http
        .post(&action)
        .header("x-auth-token", &admin.token)
        .header("OpenStack-API-Version", "volume 3.60")
        .json(&json!({"os-extend": {"new_size": 30}}))
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 202);
    assert_eq!(new.headers()["openstack-api-version"], "volume 3.60");
    let v = env.volume(&admin, &root).await;
    assert_eq!(v["status"], "in-use");
    assert_eq!(v["size"], 30);
}

#[tokio::test]
async fn deleting_an_attached_volume_is_refused_with_invalid_volume() {
    let env = common::start().await;
    let admin = env.admin().await;
    let server = env.boot_server(&admin, "del").await;
    let root = env.server(&admin, &server).await["os-extended-volumes:volumes_attached"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = env
        .delete(&admin, &format!("/volume/v3/{}/volumes/{root}", admin.project_id))
        .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["badRequest"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid volume")
    );
}

#[tokio::test]
async fn deleted_volume_goes_deleting_then_404_item_not_found() {
    let env = common::start_with(cloud_sim::SimConfig::instant().with_transition_delay(Duration::from_secs(5))).await;
    let admin = env.admin().await;
    let id = env.create_volume(&admin, 1).await;
    env.sim.advance_clock(Duration::from_secs(5));
    let path = format!("/volume/v3/{}/volumes/{id}", admin.project_id);
    assert_eq!(env.delete(&admin, &path).await.status(), 202);
    assert_eq!(env.volume(&admin, &id).await["status"], "deleting");
    env.sim.advance_clock(Duration::from_secs(5));
    let r = env.get(&admin, &path).await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["itemNotFound"]["message"],
        format!("Volume {id} could not be found.")
    );
}

#[tokio::test]
async fn project_id_in_the_url_must_match_the_token() {
    let env = common::start().await;
    let admin = env.admin().await;
    let member = env.member_project(&admin, "cinder-url").await;
    let r = env
        .get(&member, &format!("/volume/v3/{}/volumes", admin.project_id))
        .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["badRequest"]["message"], "Malformed request url");
}

#[tokio::test]
async fn volume_list_pages_with_limit_and_marker() {
    let env = common::start().await;
    let admin = env.admin().await;
    for _ in 0..3 {
        env.create_volume(&admin, 1).await;
    }
    let p = &admin.project_id;
    let first = env
        .get_json(&admin, &format!("/volume/v3/{p}/volumes/detail?limit=2"))
        .await;
    assert_eq!(first["volumes"].as_array().unwrap().len(), 2);
    let next = first["volumes_links"][0]["href"].as_str().unwrap();
    let rest: Value = env
        .http
        .get(next)
        .header("x-auth-token", &admin.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["volumes"].as_array().unwrap().len(), 1);
    assert!(rest.get("volumes_links").is_none());
}

#[tokio::test]
async fn over_quota_volume_is_413_with_retry_after_zero() {
    let mut config = cloud_sim::SimConfig::instant();
    config.quotas.gigabytes = 10;
    let env = common::start_with(config).await;
    let admin = env.admin().await;
    let r = env
        .post(
            &admin,
            &format!("/volume/v3/{}/volumes", admin.project_id),
            json!({"volume": {"size": 11}}),
        )
        .await;
    assert_eq!(r.status(), 413);
    assert_eq!(r.headers()["retry-after"], "0");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["overLimit"]["retryAfter"], "0");
}

#[tokio::test]
async fn volume_types_list_and_default() {
    let env = common::start().await;
    let admin = env.admin().await;
    let p = &admin.project_id;
    let types = env.get_json(&admin, &format!("/volume/v3/{p}/types")).await;
    assert!(types["volume_types"].as_array().unwrap().len() >= 2);
    let d = env.get_json(&admin, &format!("/volume/v3/{p}/types/default")).await;
    assert_eq!(d["volume_type"]["name"], "lvm-1");
    let unknown = env
        .post(
            &admin,
            &format!("/volume/v3/{p}/volumes"),
            json!({"volume": {"size": 1, "volume_type": "gold"}}),
        )
        .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn glance_lists_and_shows_images_unwrapped_and_404s_in_json() {
    let env = common::start().await;
    let admin = env.admin().await;
    let list = env.get_json(&admin, "/image/v2/images?limit=1").await;
    assert_eq!(list["images"].as_array().unwrap().len(), 1);
    assert!(list["next"].as_str().unwrap().starts_with("/v2/images?marker="));
    let id = list["images"][0]["id"].as_str().unwrap();
    let one = env.get_json(&admin, &format!("/image/v2/images/{id}")).await;
    assert_eq!(one["id"], id);
    assert_eq!(one["status"], "active");
    let missing = env
        .http
        .get(env.url("/image/v2/images/nope"))
        .header("x-auth-token", &admin.token)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["code"], "404 Not Found");
}

#[tokio::test]
async fn volumes_are_reachable_without_project_id_in_the_url() {
    let env = common::start().await;
    let admin = env.admin().await;
    let id = env.create_volume(&admin, 1).await;
    let v = env.get_json(&admin, &format!("/volume/v3/volumes/{id}")).await;
    assert_eq!(v["volume"]["id"], id.as_str());
}

#[tokio::test]
async fn glance_errors_are_html_without_a_json_accept_header() {
    let env = common::start().await;
    let admin = env.admin().await;
    let r = env.get(&admin, "/image/v2/images/missing").await;
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}
