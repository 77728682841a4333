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
    let vols = server["os-extended-volumes:volumes_attached"].as_array().unwrap();
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
    let env =
        common::start_with(cloud_sim::SimConfig::instant().with_transition_delay(std::time::Duration::from_secs(60)))
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
    assert!(r.headers()["location"].to_str().unwrap().contains("/servers/"));
    assert!(r.headers().contains_key("x-compute-request-id"));
    let body: Value = r.json().await.unwrap();
    assert!(body["server"].get("status").is_none());
    let id = body["server"]["id"].as_str().unwrap();
    let server = env.server(&admin, id).await;
    assert_eq!(server["status"], "BUILD");
    assert_eq!(server["OS-EXT-STS:task_state"], "scheduling");
}

async fn boot_n(env: &common::Env, s: &common::Session, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(env.boot_server(s, &format!("srv-{i}")).await);
    }
    ids
}

#[tokio::test]
async fn server_list_pages_with_limit_marker_and_next_link() {
    let env = common::start().await;
    let admin = env.admin().await;
    let mut created = boot_n(&env, &admin, 5).await;
    let first = env.get_json(&admin, "/compute/v2.1/servers/detail?limit=2").await;
    let page: Vec<&str> = first["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(page.len(), 2);
    let next = first["servers_links"][0]["href"].as_str().unwrap();
    assert_eq!(first["servers_links"][0]["rel"], "next");
    assert!(next.contains(&format!("marker={}", page[1])));
    let mut seen: Vec<String> = page.iter().map(|s| s.to_string()).collect();
    let mut href = next.to_string();
    loop {
        let v: Value = env
            .http
            .get(&href)
            .header("x-auth-token", &admin.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for s in v["servers"].as_array().unwrap() {
            seen.push(s["id"].as_str().unwrap().to_string());
        }
        match v["servers_links"][0]["href"].as_str() {
            Some(h) => href = h.to_string(),
            None => break,
        }
    }
    created.reverse();
    assert_eq!(seen, created, "newest first, every server exactly once");
}

#[tokio::test]
async fn unknown_marker_is_400() {
    let env = common::start().await;
    let admin = env.admin().await;
    let r = env.get(&admin, "/compute/v2.1/servers?marker=does-not-exist").await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["badRequest"]["code"], 400);
}

#[tokio::test]
async fn changes_since_returns_recently_changed_and_deleted_servers() {
    let env = common::start().await;
    let admin = env.admin().await;
    let old = env.boot_server(&admin, "old").await;
    env.sim.advance_clock(std::time::Duration::from_secs(120));
    let mark = env.get_json(&admin, "/_sim/clock").await["now"]
        .as_str()
        .unwrap()
        .to_string();
    let new = env.boot_server(&admin, "new").await;
    let doomed = env.boot_server(&admin, "doomed").await;
    assert_eq!(
        env.delete(&admin, &format!("/compute/v2.1/servers/{doomed}"))
            .await
            .status(),
        204
    );
    let v = env
        .get_json(&admin, &format!("/compute/v2.1/servers/detail?changes-since={mark}"))
        .await;
    let by_id: std::collections::HashMap<&str, &str> = v["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert!(!by_id.contains_key(old.as_str()));
    assert_eq!(by_id[new.as_str()], "ACTIVE");
    assert_eq!(by_id[doomed.as_str()], "DELETED");
    let plain = env.get_json(&admin, "/compute/v2.1/servers").await;
    assert!(
        !plain["servers"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == doomed.as_str())
    );
}

#[tokio::test]
async fn project_token_never_sees_another_projects_servers() {
    let env = common::start().await;
    let admin = env.admin().await;
    let a = env.member_project(&admin, "tenant-a").await;
    let b = env.member_project(&admin, "tenant-b").await;
    let a_server = env.boot_server(&a, "a1").await;
    let b_list = env.get_json(&b, "/compute/v2.1/servers/detail").await;
    assert!(b_list["servers"].as_array().unwrap().is_empty());
    let b_get = env.get(&b, &format!("/compute/v2.1/servers/{a_server}")).await;
    assert_eq!(b_get.status(), 404);
    let body: Value = b_get.json().await.unwrap();
    assert_eq!(body["itemNotFound"]["code"], 404);
    let sneaky = env
        .get_json(&b, &format!("/compute/v2.1/servers/detail?project_id={}", a.project_id))
        .await;
    assert!(sneaky["servers"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn all_tenants_needs_admin_and_then_lists_every_project() {
    let env = common::start().await;
    let admin = env.admin().await;
    let a = env.member_project(&admin, "tenant-c").await;
    let s = env.boot_server(&a, "c1").await;
    assert_eq!(
        env.get(&a, "/compute/v2.1/servers/detail?all_tenants=1").await.status(),
        403
    );
    let all = env.get_json(&admin, "/compute/v2.1/servers/detail?all_tenants=1").await;
    assert!(all["servers"].as_array().unwrap().iter().any(|x| x["id"] == s.as_str()));
    let own = env.get_json(&admin, "/compute/v2.1/servers/detail").await;
    assert!(!own["servers"].as_array().unwrap().iter().any(|x| x["id"] == s.as_str()));
}

#[tokio::test]
async fn status_and_name_filters_select_servers() {
    let env = common::start().await;
    let admin = env.admin().await;
    let web = env.boot_server(&admin, "web-1").await;
    let db = env.boot_server(&admin, "db-1").await;
    assert_eq!(
        env.post(
            &admin,
            &format!("/compute/v2.1/servers/{db}/action"),
            json!({"os-stop": null})
        )
        .await
        .status(),
        202
    );
    let off = env
        .get_json(&admin, "/compute/v2.1/servers/detail?status=SHUTOFF")
        .await;
    let ids: Vec<&str> = off["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![db.as_str()]);
    let named = env.get_json(&admin, "/compute/v2.1/servers?name=^web").await;
    let ids: Vec<&str> = named["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![web.as_str()]);
}

#[tokio::test]
async fn stop_then_start_walks_power_states_and_wrong_state_is_409() {
    let env =
        common::start_with(cloud_sim::SimConfig::instant().with_transition_delay(std::time::Duration::from_secs(10)))
            .await;
    let admin = env.admin().await;
    let id = env.boot_server(&admin, "power").await;
    env.sim.advance_clock(std::time::Duration::from_secs(10));
    let action = format!("/compute/v2.1/servers/{id}/action");
    let early_start = env.post(&admin, &action, json!({"os-start": null})).await;
    assert_eq!(early_start.status(), 409);
    let body: Value = early_start.json().await.unwrap();
    assert!(
        body["conflictingRequest"]["message"]
            .as_str()
            .unwrap()
            .contains("vm_state active")
    );
    assert_eq!(env.post(&admin, &action, json!({"os-stop": null})).await.status(), 202);
    let stopping = env.server(&admin, &id).await;
    assert_eq!(stopping["status"], "ACTIVE");
    assert_eq!(stopping["OS-EXT-STS:task_state"], "powering-off");
    env.sim.advance_clock(std::time::Duration::from_secs(10));
    let stopped = env.server(&admin, &id).await;
    assert_eq!(stopped["status"], "SHUTOFF");
    assert_eq!(stopped["OS-EXT-STS:power_state"], 4);
    assert_eq!(env.post(&admin, &action, json!({"os-start": null})).await.status(), 202);
    env.sim.advance_clock(std::time::Duration::from_secs(10));
    assert_eq!(env.server(&admin, &id).await["status"], "ACTIVE");
}

#[tokio::test]
async fn reboot_shows_reboot_status_until_done() {
    let env =
        common::start_with(cloud_sim::SimConfig::instant().with_transition_delay(std::time::Duration::from_secs(10)))
            .await;
    let admin = env.admin().await;
    let id = env.boot_server(&admin, "reboot").await;
    env.sim.advance_clock(std::time::Duration::from_secs(10));
    let r = env
        .post(
            &admin,
            &format!("/compute/v2.1/servers/{id}/action"),
            json!({"reboot": {"type": "HARD"}}),
        )
        .await;
    assert_eq!(r.status(), 202);
    assert_eq!(env.server(&admin, &id).await["status"], "HARD_REBOOT");
    env.sim.advance_clock(std::time::Duration::from_secs(10));
    assert_eq!(env.server(&admin, &id).await["status"], "ACTIVE");
}

#[tokio::test]
async fn microversion_is_echoed_and_out_of_range_is_406() {
    let env = common::start().await;
    let admin = env.admin().await;
    let ok = env
        .http
        .get(env.url("/compute/v2.1/servers"))
        .header("x-auth-token", &admin.token)
        .header("OpenStack-API-Version", "compute 2.79")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.headers()["openstack-api-version"], "compute 2.79");
    assert_eq!(ok.headers()["x-openstack-nova-api-version"], "2.79");
    let too_new = env
        .http
        .get(env.url("/compute/v2.1/servers"))
        .header("x-auth-token", &admin.token)
        .header("X-OpenStack-Nova-API-Version", "2.999")
        .send()
        .await
        .unwrap();
    assert_eq!(too_new.status(), 406);
}

#[tokio::test]
async fn flavor_is_embedded_from_2_47_and_a_reference_before() {
    let env = common::start().await;
    let admin = env.admin().await;
    let id = env.boot_server(&admin, "flv").await;
    let old = env.server(&admin, &id).await;
    assert_eq!(old["flavor"]["id"], "2");
    let new: Value = env
        .http
        .get(env.url(&format!("/compute/v2.1/servers/{id}")))
        .header("x-auth-token", &admin.token)
        .header("OpenStack-API-Version", "compute 2.79")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(new["server"]["flavor"]["original_name"], "m1.small");
    assert!(new["server"]["flavor"].get("id").is_none());
}

#[tokio::test]
async fn remote_console_needs_2_6_and_legacy_vnc_action_works_without_header() {
    let env = common::start().await;
    let admin = env.admin().await;
    let id = env.boot_server(&admin, "vnc").await;
    let legacy = env
        .post(
            &admin,
            &format!("/compute/v2.1/servers/{id}/action"),
            json!({"os-getVNCConsole": {"type": "novnc"}}),
        )
        .await;
    assert_eq!(legacy.status(), 200);
    let body: Value = legacy.json().await.unwrap();
    assert!(body["console"]["url"].as_str().unwrap().contains("token"));
    let modern: Value = env
        .http
        .post(env.url(&format!("/compute/v2.1/servers/{id}/remote-consoles")))
        .header("x-auth-token", &admin.token)
        .header("OpenStack-API-Version", "compute 2.79")
        .json(&json!({"remote_console": {"protocol": "vnc", "type": "novnc"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(modern["remote_console"]["type"], "novnc");
    assert!(modern["remote_console"]["url"].as_str().unwrap().starts_with("http://"));
}

#[tokio::test]
async fn volume_attach_goes_reserved_then_in_use_and_detach_goes_detaching_then_available() {
    let env =
        common::start_with(cloud_sim::SimConfig::instant().with_transition_delay(std::time::Duration::from_secs(10)))
            .await;
    let admin = env.admin().await;
    let server = env.boot_server(&admin, "att").await;
    let vol = env.create_volume(&admin, 5).await;
    env.sim.advance_clock(std::time::Duration::from_secs(10));
    assert_eq!(env.volume(&admin, &vol).await["status"], "available");
    let path = format!("/compute/v2.1/servers/{server}/os-volume_attachments");
    let r = env
        .post(&admin, &path, json!({"volumeAttachment": {"volumeId": vol}}))
        .await;
    assert_eq!(r.status(), 200);
    let att: Value = r.json().await.unwrap();
    assert_eq!(att["volumeAttachment"]["device"], "/dev/vdb");
    assert_eq!(env.volume(&admin, &vol).await["status"], "reserved");
    env.sim.advance_clock(std::time::Duration::from_secs(10));
    let in_use = env.volume(&admin, &vol).await;
    assert_eq!(in_use["status"], "in-use");
    assert_eq!(in_use["attachments"][0]["server_id"], server.as_str());
    let again = env
        .post(&admin, &path, json!({"volumeAttachment": {"volumeId": vol}}))
        .await;
    assert_eq!(again.status(), 400);
    assert_eq!(env.delete(&admin, &format!("{path}/{vol}")).await.status(), 202);
    assert_eq!(env.volume(&admin, &vol).await["status"], "detaching");
    env.sim.advance_clock(std::time::Duration::from_secs(10));
    let free = env.volume(&admin, &vol).await;
    assert_eq!(free["status"], "available");
    assert!(free["attachments"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn detaching_the_root_volume_of_a_bfv_server_is_400() {
    let env = common::start().await;
    let admin = env.admin().await;
    let server = env.boot_server(&admin, "root").await;
    let root = env.server(&admin, &server).await["os-extended-volumes:volumes_attached"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = env
        .delete(
            &admin,
            &format!("/compute/v2.1/servers/{server}/os-volume_attachments/{root}"),
        )
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn deleting_a_server_unbinds_its_port_and_deletes_delete_on_termination_volumes() {
    let env = common::start().await;
    let admin = env.admin().await;
    let server = env.boot_server(&admin, "gone").await;
    let detail = env.server(&admin, &server).await;
    let root = detail["os-extended-volumes:volumes_attached"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ports = env
        .get_json(&admin, &format!("/networking/v2.0/ports?device_id={server}"))
        .await;
    let port = ports["ports"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(ports["ports"][0]["device_owner"], "compute:nova");
    assert_eq!(
        env.delete(&admin, &format!("/compute/v2.1/servers/{server}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        env.get(&admin, &format!("/compute/v2.1/servers/{server}"))
            .await
            .status(),
        404
    );
    let p = env.get_json(&admin, &format!("/networking/v2.0/ports/{port}")).await;
    assert_eq!(p["port"]["device_id"], "");
    assert_eq!(p["port"]["status"], "DOWN");
    let v = env
        .get(&admin, &format!("/volume/v3/{}/volumes/{root}", admin.project_id))
        .await;
    assert_eq!(v.status(), 404);
}

#[tokio::test]
async fn booting_on_a_port_already_in_use_is_409() {
    let env = common::start().await;
    let admin = env.admin().await;
    let server = env.boot_server(&admin, "first").await;
    let ports = env
        .get_json(&admin, &format!("/networking/v2.0/ports?device_id={server}"))
        .await;
    let image = env.first_image(&admin).await;
    let r = env
        .post(
            &admin,
            "/compute/v2.1/servers",
            json!({"server": {"name": "second", "flavorRef": "1", "imageRef": image, "networks": [{"port": ports["ports"][0]["id"]}]}}),
        )
        .await;
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn interface_attach_binds_a_port_and_detach_unbinds_it() {
    let env = common::start().await;
    let admin = env.admin().await;
    let server = env.boot_server(&admin, "nic").await;
    let extra = env.create_port(&admin).await;
    let path = format!("/compute/v2.1/servers/{server}/os-interface");
    let r = env
        .post(&admin, &path, json!({"interfaceAttachment": {"port_id": extra["id"]}}))
        .await;
    assert_eq!(r.status(), 200);
    let list = env.get_json(&admin, &path).await;
    assert_eq!(list["interfaceAttachments"].as_array().unwrap().len(), 2);
    let pid = extra["id"].as_str().unwrap();
    assert_eq!(env.delete(&admin, &format!("{path}/{pid}")).await.status(), 202);
    let p = env.get_json(&admin, &format!("/networking/v2.0/ports/{pid}")).await;
    assert_eq!(p["port"]["device_id"], "");
}

#[tokio::test]
async fn flavors_and_availability_zones_are_listed() {
    let env = common::start().await;
    let admin = env.admin().await;
    let f = env.get_json(&admin, "/compute/v2.1/flavors/detail").await;
    assert!(
        f["flavors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == "m1.small" && x["ram"] == 2048)
    );
    let az = env.get_json(&admin, "/compute/v2.1/os-availability-zone").await;
    assert_eq!(az["availabilityZoneInfo"][0]["zoneName"], "nova");
}

#[tokio::test]
async fn resize_goes_verify_resize_and_confirm_returns_to_active_with_the_new_flavor() {
    let env = common::start().await;
    let admin = env.admin().await;
    let id = env.boot_server(&admin, "grow").await;
    let action = format!("/compute/v2.1/servers/{id}/action");
    let same = env.post(&admin, &action, json!({"resize": {"flavorRef": "2"}})).await;
    assert_eq!(same.status(), 400);
    assert_eq!(
        env.post(&admin, &action, json!({"resize": {"flavorRef": "3"}}))
            .await
            .status(),
        202
    );
    let s = env.server(&admin, &id).await;
    assert_eq!(s["status"], "VERIFY_RESIZE");
    assert_eq!(s["flavor"]["id"], "3");
    assert_eq!(
        env.post(&admin, &action, json!({"confirmResize": null})).await.status(),
        204
    );
    assert_eq!(env.server(&admin, &id).await["status"], "ACTIVE");
}

#[tokio::test]
async fn revert_resize_restores_the_old_flavor() {
    let env = common::start().await;
    let admin = env.admin().await;
    let id = env.boot_server(&admin, "undo").await;
    let action = format!("/compute/v2.1/servers/{id}/action");
    env.post(&admin, &action, json!({"resize": {"flavorRef": "3"}})).await;
    assert_eq!(env.server(&admin, &id).await["status"], "VERIFY_RESIZE");
    assert_eq!(
        env.post(&admin, &action, json!({"revertResize": null})).await.status(),
        202
    );
    let s = env.server(&admin, &id).await;
    assert_eq!(s["status"], "ACTIVE");
    assert_eq!(s["flavor"]["id"], "2");
}

#[tokio::test]
async fn instance_quota_exceeded_is_403_forbidden() {
    let mut config = cloud_sim::SimConfig::instant();
    config.quotas.instances = 1;
    let env = common::start_with(config).await;
    let admin = env.admin().await;
    env.boot_server(&admin, "only").await;
    let image = env.first_image(&admin).await;
    let r = env
        .post(
            &admin,
            "/compute/v2.1/servers",
            json!({"server": {"name": "two", "flavorRef": "1", "imageRef": image, "networks": "none"}}),
        )
        .await;
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["forbidden"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Quota exceeded for instances")
    );
}

#[tokio::test]
async fn renaming_a_server_returns_the_full_server() {
    let env = common::start().await;
    let admin = env.admin().await;
    let id = env.boot_server(&admin, "before").await;
    let r = env
        .put(
            &admin,
            &format!("/compute/v2.1/servers/{id}"),
            json!({"server": {"name": "after"}}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["server"]["name"], "after");
    assert_eq!(body["server"]["status"], "ACTIVE");
}

#[tokio::test]
async fn networks_are_required_from_2_37() {
    let env = common::start().await;
    let admin = env.admin().await;
    let image = env.first_image(&admin).await;
    let r = env
        .http
        .post(env.url("/compute/v2.1/servers"))
        .header("x-auth-token", &admin.token)
        .header("OpenStack-API-Version", "compute 2.79")
        .json(&json!({"server": {"name": "no-net", "flavorRef": "1", "imageRef": image}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn booting_on_a_network_creates_a_port_that_is_deleted_with_the_server() {
    let env = common::start().await;
    let admin = env.admin().await;
    let net = env.project_network(&admin).await;
    let image = env.first_image(&admin).await;
    let r = env
        .post(
            &admin,
            "/compute/v2.1/servers",
            json!({"server": {"name": "auto-port", "flavorRef": "1", "imageRef": image, "networks": [{"uuid": net}]}}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["server"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ports = env
        .get_json(&admin, &format!("/networking/v2.0/ports?device_id={id}"))
        .await;
    assert_eq!(ports["ports"].as_array().unwrap().len(), 1);
    let pid = ports["ports"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(env.server(&admin, &id).await["image"]["id"], image.as_str());
    env.delete(&admin, &format!("/compute/v2.1/servers/{id}")).await;
    assert_eq!(
        env.get(&admin, &format!("/networking/v2.0/ports/{pid}")).await.status(),
        404
    );
}
