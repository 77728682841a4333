//! A definite cloud refusal in the request leaves the audit trail an
//! `accepted` event and then one `failure` event under the same action, by
//! the same user and request, carrying the cloud's message; an intent the
//! cloud accepts leaves no failure.

use reqwest::Method;
use serde_json::{Value, json};

use crate::for_both_providers;
use crate::support::{Kind, World, json_of, world};

/// The resource's audit events as an admin reads them, oldest first.
async fn audit_of(w: &World, resource_type: &str, id: i64) -> Vec<Value> {
    let path = format!("/admin/audit-events?resource_type={resource_type}&resource_id={id}");
    let res = w.call_as(&w.admin, Method::GET, &path, None).await;
    assert_eq!(res.status(), 200);
    let mut events = json_of(res).await["audit_events"].as_array().unwrap().clone();
    events.reverse();
    events
}

/// The last two events are `action` accepted, then `action` failed with
/// `message`, both by the same user in the same request.
fn accepted_then_failed(events: &[Value], action: &str, message: &str) {
    let [.., accepted, failed] = events else {
        panic!("fewer than two events: {events:?}");
    };
    assert_eq!(
        (&accepted["action"], &accepted["outcome"]),
        (&json!(action), &json!("accepted"))
    );
    assert_eq!(
        (&failed["action"], &failed["outcome"]),
        (&json!(action), &json!("failure"))
    );
    assert_eq!(failed["detail"], json!({"message": message}));
    assert!(failed["actor_user_id"].is_i64());
    assert_eq!(failed["actor_user_id"], accepted["actor_user_id"]);
    assert!(failed["request_id"].is_string());
    assert_eq!(failed["request_id"], accepted["request_id"]);
    assert_eq!(failed["project_id"], accepted["project_id"]);
    let failures = events.iter().filter(|e| e["outcome"] == "failure").count();
    assert_eq!(failures, 1, "{events:?}");
}

async fn a_server_create_the_cloud_refuses_is_audited_accepted_then_failed_with_its_message(kind: Kind) {
    let w = world(kind).await;
    w.sim.faults().error_rate("compute", 1.0, 400);
    let res = w.post("/servers", w.server_body("refused")).await;
    w.sim.faults().clear();
    assert_eq!(res.status(), 502);
    let server = w.get_json("/servers").await["servers"][0].clone();
    let id = server["id"].as_i64().unwrap();
    let message = server["error_message"].as_str().unwrap();

    accepted_then_failed(&audit_of(&w, "server", id).await, "server.create", message);
}

async fn a_volume_extend_the_cloud_refuses_is_audited_as_a_volume_extend_failure(kind: Kind) {
    let w = world(kind).await;
    let res = w
        .post(
            "/volumes",
            json!({"name": "data", "size": 20, "volume_type_id": w.fx.volume_type_id}),
        )
        .await;
    let vid = json_of(res).await["id"].as_i64().unwrap();
    w.reconcile_volume(vid).await;
    w.sim.faults().error_rate("block-storage", 1.0, 400);
    let res = w.put(&format!("/volumes/{vid}/size"), json!({"size": 30})).await;
    w.sim.faults().clear();
    assert_eq!(res.status(), 502);
    let volume = w.get_json(&format!("/volumes/{vid}")).await;
    assert_eq!(volume["status"], "AVAILABLE");
    let message = volume["error_message"].as_str().unwrap();

    accepted_then_failed(&audit_of(&w, "volume", vid).await, "volume.extend", message);
}

async fn a_server_stop_the_cloud_refuses_is_audited_as_a_server_stop_failure(kind: Kind) {
    let w = world(kind).await;
    let id = w.active_server("pwr").await["id"].as_i64().unwrap();
    w.sim.faults().error_rate("compute", 1.0, 409);
    let res = w.put(&format!("/servers/{id}/status?status=SHUTOFF"), json!({})).await;
    w.sim.faults().clear();
    assert_eq!(res.status(), 502);
    let actions = w.get_json(&format!("/servers/{id}/actions")).await;
    let last = actions["actions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["result"].as_str()),
        (Some("stop"), Some("error"))
    );

    let events = audit_of(&w, "server", id).await;
    accepted_then_failed(&events, "server.stop", last["message"].as_str().unwrap());
    let create = events.iter().filter(|e| e["action"] == "server.create").count();
    assert_eq!(create, 1, "the create that succeeded has no failure: {events:?}");
}

async fn a_floating_ip_associate_the_cloud_refuses_is_audited_as_its_failure(kind: Kind) {
    let w = world(kind).await;
    let server = w.active_server("fip").await;
    let nic = server["network_interface_ids"][0].as_i64().unwrap();
    let res = w
        .post(
            "/floating-ips",
            json!({"floating_network_id": w.fx.external_network_id}),
        )
        .await;
    let fid = json_of(res).await["id"].as_i64().unwrap();
    w.sim.faults().error_rate("network", 1.0, 400);
    let res = w
        .post(&format!("/network-interfaces/{nic}/floating-ips/{fid}"), json!({}))
        .await;
    w.sim.faults().clear();
    assert_eq!(res.status(), 502);
    let fip = w.get_json(&format!("/floating-ips/{fid}")).await;
    assert_eq!(fip["network_interface_id"], Value::Null);
    let message = fip["error_message"].as_str().unwrap();

    accepted_then_failed(
        &audit_of(&w, "floating_ip", fid).await,
        "floating_ip.associate",
        message,
    );
}

async fn a_security_group_update_the_cloud_refuses_is_audited_as_its_failure(kind: Kind) {
    let w = world(kind).await;
    let res = w.post("/security-groups", json!({"name": "web"})).await;
    assert_eq!(res.status(), 201);
    let id = json_of(res).await["id"].as_i64().unwrap();
    w.sim.faults().error_rate("network", 1.0, 400);
    let res = w.put(&format!("/security-groups/{id}"), json!({"name": "web-2"})).await;
    w.sim.faults().clear();
    assert_eq!(res.status(), 502);
    let group = w.get_json(&format!("/security-groups/{id}")).await;
    assert_eq!(group["status"], "ERROR");
    let message = group["error_message"].as_str().unwrap();

    let events = audit_of(&w, "security_group", id).await;
    accepted_then_failed(&events, "security_group.update", message);
}

async fn intents_the_cloud_accepts_write_no_failure_event(kind: Kind) {
    let w = world(kind).await;
    let id = w.active_server("fine").await["id"].as_i64().unwrap();
    let res = w.put(&format!("/servers/{id}/status?status=SHUTOFF"), json!({})).await;
    assert_eq!(res.status(), 202);
    w.reconcile_server(id).await;

    let events = audit_of(&w, "server", id).await;
    let seen: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(seen, [("server.create", "accepted"), ("server.stop", "accepted")]);
}

for_both_providers!(
    a_server_create_the_cloud_refuses_is_audited_accepted_then_failed_with_its_message,
    a_volume_extend_the_cloud_refuses_is_audited_as_a_volume_extend_failure,
    a_server_stop_the_cloud_refuses_is_audited_as_a_server_stop_failure,
    a_floating_ip_associate_the_cloud_refuses_is_audited_as_its_failure,
    a_security_group_update_the_cloud_refuses_is_audited_as_its_failure,
    intents_the_cloud_accepts_write_no_failure_event,
);
