#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use std::time::{Duration, Instant};

use cloud_sim::{FaultAction, FaultRule, ResourceKind};
use serde_json::{Value, json};

#[tokio::test]
async fn full_error_rate_answers_503_in_the_nova_fault_envelope() {
    let env = common::start().await;
    let admin = env.admin().await;
    env.sim.faults().error_rate("compute", 1.0, 503);
    let r = env.get(&admin, "/compute/v2.1/servers").await;
    assert_eq!(r.status(), 503);
    assert!(r.headers().contains_key("x-openstack-request-id"));
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["serviceUnavailable"]["code"], 503);
    assert_eq!(
        env.get(&admin, "/networking/v2.0/ports").await.status(),
        200,
        "other services unaffected"
    );
}

#[tokio::test]
async fn twenty_percent_error_rate_fails_some_but_not_most_requests() {
    let env = common::start().await;
    let admin = env.admin().await;
    env.sim.faults().error_rate("network", 0.2, 500);
    let mut failures = 0;
    for _ in 0..100 {
        let r = env.get(&admin, "/networking/v2.0/networks").await;
        if r.status() == 500 {
            let body: Value = r.json().await.unwrap();
            assert!(body["NeutronError"]["message"].is_string());
            failures += 1;
        }
    }
    assert!((5..=40).contains(&failures), "{failures} failures out of 100");
}

#[tokio::test]
async fn a_lost_response_still_creates_the_server_exactly_once() {
    let env = common::start().await;
    let admin = env.admin().await;
    let image = env.first_image(&admin).await;
    let port = env.create_port(&admin).await;
    env.sim.reset_counters();
    env.sim.faults().lose_responses("compute", "POST", "/servers", 1);
    let r = env
        .post(
            &admin,
            "/compute/v2.1/servers",
            json!({"server": {"name": "lost-1", "flavorRef": "1", "imageRef": image, "networks": [{"port": port["id"]}]}}),
        )
        .await;
    assert_eq!(r.status(), 504);
    let list = env.get_json(&admin, "/compute/v2.1/servers?name=^lost-1$").await;
    assert_eq!(list["servers"].as_array().unwrap().len(), 1, "the create was applied");
    assert_eq!(env.sim.counters().get("server.create"), 1);
    let again = env.get(&admin, "/compute/v2.1/servers").await;
    assert_eq!(again.status(), 200, "the rule was used up");
}

#[tokio::test]
async fn reset_mode_drops_the_connection_after_applying_the_change() {
    let env = common::start().await;
    let admin = env.admin().await;
    let mut rule = FaultRule::new(FaultAction::LoseResponse {
        mode: cloud_sim::LostMode::Reset,
        delay_ms: 0,
    })
    .service("block-storage")
    .method("POST")
    .count(1);
    rule.path_contains = Some("/volumes".into());
    env.sim.faults().add(rule);
    let sent = env
        .http
        .post(env.url(&format!("/volume/v3/{}/volumes", admin.project_id)))
        .header("x-auth-token", &admin.token)
        .json(&json!({"volume": {"size": 1, "name": "reset"}}))
        .send()
        .await;
    let failed = match sent {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(failed, "the client never gets a complete answer");
    assert_eq!(env.sim.resource_count(ResourceKind::Volume), 1);
}

#[tokio::test]
async fn auth_outage_makes_keystone_answer_503_until_cleared() {
    let env = common::start().await;
    let creds = env.sim.service_credentials();
    env.sim.faults().auth_outage(503);
    let r = env
        .password_token(&creds.username, &creds.password, &creds.project_id)
        .await;
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], 503);
    env.sim.faults().clear();
    let r = env
        .password_token(&creds.username, &creds.password, &creds.project_id)
        .await;
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn auth_outage_with_401_also_hits_nhn_identity() {
    let env = common::start().await;
    let tenant = env.sim.register_nhn_tenant("u@example.com", "pw");
    env.sim.faults().auth_outage(401);
    let r = env
        .http
        .post(format!("{}/v2.0/tokens", env.sim.nhn_identity_url()))
        .json(&json!({"auth": {"tenantId": tenant.tenant_id, "passwordCredentials": {"username": "u@example.com", "password": "pw"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after_and_nova_retry_after_field() {
    let env = common::start().await;
    let admin = env.admin().await;
    env.sim.faults().rate_limit("compute", 7, Some(2));
    for _ in 0..2 {
        let r = env.get(&admin, "/compute/v2.1/servers").await;
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "7");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["overLimit"]["retryAfter"], "7");
    }
    assert_eq!(env.get(&admin, "/compute/v2.1/servers").await.status(), 200);
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let env = common::start().await;
    let admin = env.admin().await;
    env.sim.faults().latency("image", 300);
    let t = Instant::now();
    assert_eq!(env.get(&admin, "/image/v2/images").await.status(), 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn faults_can_be_set_over_http_on_the_control_surface() {
    let env = common::start().await;
    let admin = env.admin().await;
    let r = env
        .http
        .post(env.url("/_sim/faults"))
        .json(&json!({"service": "network", "method": "DELETE", "path_contains": "/ports/", "action": "error", "status": 500}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_u64().unwrap();
    let port = env.create_port(&admin).await;
    let pid = port["id"].as_str().unwrap();
    assert_eq!(
        env.delete(&admin, &format!("/networking/v2.0/ports/{pid}"))
            .await
            .status(),
        500
    );
    let rules: Value = env
        .http
        .get(env.url("/_sim/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rules["faults"][0]["id"], id);
    assert_eq!(
        env.http
            .delete(env.url(&format!("/_sim/faults/{id}")))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        env.delete(&admin, &format!("/networking/v2.0/ports/{pid}"))
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn stuck_transition_keeps_a_server_in_build_until_released() {
    let env = common::start().await;
    let admin = env.admin().await;
    env.sim.faults().stick_transitions("server.create");
    let id = env.boot_server(&admin, "stuck").await;
    env.sim.advance_clock(Duration::from_secs(600));
    assert_eq!(env.server(&admin, &id).await["status"], "BUILD");
    env.sim.faults().unstick_transitions("server.create");
    assert_eq!(env.server(&admin, &id).await["status"], "ACTIVE");
}

#[tokio::test]
async fn failed_transition_puts_the_server_in_error_with_a_fault() {
    let env = common::start().await;
    let admin = env.admin().await;
    env.sim.faults().fail_transitions("server.create", 1);
    let id = env.boot_server(&admin, "doomed").await;
    let s = env.server(&admin, &id).await;
    assert_eq!(s["status"], "ERROR");
    assert_eq!(s["fault"]["code"], 500);
    assert!(s["fault"]["message"].as_str().unwrap().contains("No valid host"));
}

#[tokio::test]
async fn transitions_can_be_stuck_over_http() {
    let env = common::start().await;
    let admin = env.admin().await;
    let r = env
        .http
        .post(env.url("/_sim/transitions"))
        .json(&json!({"stuck": ["volume.create"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v = env.create_volume(&admin, 1).await;
    assert_eq!(env.volume(&admin, &v).await["status"], "creating");
    env.http.delete(env.url("/_sim/transitions")).send().await.unwrap();
    assert_eq!(env.volume(&admin, &v).await["status"], "available");
}

#[tokio::test]
async fn counters_report_create_calls_per_resource_kind_over_http() {
    let env = common::start().await;
    let admin = env.admin().await;
    env.boot_server(&admin, "counted").await;
    env.create_volume(&admin, 1).await;
    let c: Value = env
        .http
        .get(env.url("/_sim/counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(c["totals"]["server.create"], 1);
    assert_eq!(c["totals"]["volume.create"], 2, "root volume plus the data volume");
    assert_eq!(c["by_cloud"]["openstack"]["port.create"], 1);
    assert!(c["totals"]["token.create"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_valid_global_ids_are_recorded() {
    let env = common::start().await;
    let admin = env.admin().await;
    let global = "req-0f8fad5b-d9cb-469f-a165-70867728950e";
    let r = env
        .http
        .get(env.url("/networking/v2.0/networks"))
        .header("x-auth-token", &admin.token)
        .header("X-OpenStack-Request-ID", global)
        .send()
        .await
        .unwrap();
    let local = r.headers()["x-openstack-request-id"].to_str().unwrap();
    assert!(local.starts_with("req-"));
    assert_ne!(local, global);
    env.http
        .get(env.url("/networking/v2.0/networks"))
        .header("x-auth-token", &admin.token)
        .header("X-OpenStack-Request-ID", "REQ-NOT-VALID")
        .send()
        .await
        .unwrap();
    assert_eq!(env.sim.global_request_ids(), vec![global.to_string()]);
}

#[tokio::test]
async fn nhn_prefixed_targets_leave_openstack_alone() {
    let env = common::start().await;
    let admin = env.admin().await;
    env.sim.faults().error_rate("nhn-compute", 1.0, 500);
    assert_eq!(env.get(&admin, "/compute/v2.1/servers").await.status(), 200);
    let tenant = env.sim.register_nhn_tenant("t@example.com", "pw");
    let r = env
        .http
        .get(env.url(&format!("/nhn/kr1/compute/v2/{}/servers", tenant.tenant_id)))
        .header("x-auth-token", "whatever")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
}

#[tokio::test]
async fn quotas_can_be_lowered_over_http() {
    let env = common::start().await;
    let admin = env.admin().await;
    let r = env
        .http
        .post(env.url("/_sim/quotas"))
        .json(&json!({"floating_ips": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let q: Value = r.json().await.unwrap();
    assert_eq!(q["quotas"]["instances"], 1000, "other limits keep their value");
    let ext = env
        .get_json(&admin, "/networking/v2.0/networks?router:external=true")
        .await;
    let r = env
        .post(
            &admin,
            "/networking/v2.0/floatingips",
            json!({"floatingip": {"floating_network_id": ext["networks"][0]["id"]}}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["NeutronError"]["type"], "OverQuota");
}

#[tokio::test]
async fn info_reports_urls_and_service_credentials() {
    let env = common::start().await;
    let info: Value = env
        .http
        .get(env.url("/_sim/info"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["keystone_url"], env.sim.keystone_url());
    assert_eq!(info["service_credentials"]["username"], "cloudplane");
    assert_eq!(
        info["service_credentials"]["project_id"],
        env.sim.service_credentials().project_id
    );
}
