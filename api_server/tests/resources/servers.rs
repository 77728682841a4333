use common::domain::server::inventory_id;
use common::infrastructure::db::servers;
use reqwest::Method;
use serde_json::{Value, json};

use crate::for_both_providers;
use crate::support::{Kind, World, json_of, world};

async fn server_count(w: &World) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM server")
        .fetch_one(&w.db.pool)
        .await
        .unwrap()
}

async fn a_create_is_accepted_in_build_then_reconciled_to_active(kind: Kind) {
    let w = world(kind).await;
    let res = w.post("/servers", w.server_body("web-1")).await;
    assert_eq!(res.status(), 202);
    assert!(res.headers().get("etag").is_some());
    let body = json_of(res).await;
    assert_eq!(body["status"], "BUILD");
    assert_eq!(body["task_state"], "creating");
    assert!(body["openstack_id"].is_string(), "{body}");
    assert_eq!(body["fixed_ip_addresses"].as_array().unwrap().len(), 1);
    let root = &body["volumes"][0];
    assert_eq!(root["is_root_volume"], true);
    assert_eq!(root["status"], "CREATING");
    assert_eq!(w.counter("server.create"), 1);
    assert_eq!(w.counter("port.create"), 1);

    let cloud = w
        .cloud
        .get_server(body["openstack_id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(
        cloud.inventory_id.as_deref(),
        Some(inventory_id("server", body["id"].as_i64().unwrap()).as_str())
    );

    let id = body["id"].as_i64().unwrap();
    w.reconcile_server(id).await;
    let after = w.get_json(&format!("/servers/{id}")).await;
    assert_eq!(after["status"], "ACTIVE");
    assert_eq!(after["task_state"], Value::Null);
    assert_eq!(
        after["volumes"][0]["status"], "IN_USE",
        "root volumes are in use while attached"
    );
    assert!(after["last_synced_at"].is_string());
    let actions = w.get_json(&format!("/servers/{id}/actions")).await;
    assert_eq!(actions["actions"][0]["action"], "create");
    assert_eq!(actions["actions"][0]["result"], "success");
}

async fn a_create_whose_answer_is_lost_leaves_a_pending_row_the_reconciler_finishes(kind: Kind) {
    let w = world(kind).await;
    w.sim.faults().lose_responses("compute", "POST", "/servers", 1);
    let res = w.post("/servers", w.server_body("lost-1")).await;
    assert_eq!(res.status(), 202);
    let body = json_of(res).await;
    let id = body["id"].as_i64().unwrap();
    assert_eq!(body["openstack_id"], Value::Null);
    assert_eq!(body["task_state"], "creating");
    assert_eq!(w.counter("server.create"), 1, "the cloud did apply it");

    let pending = servers::list_for_reconcile(&w.db.pool, &[w.project_id]).await.unwrap();
    assert_eq!(pending[0].pending_action.as_deref(), Some("create"));
    assert!(pending[0].pending_since.is_some());

    w.reconcile_server(id).await;
    let after = w.get_json(&format!("/servers/{id}")).await;
    assert_eq!(after["status"], "ACTIVE");
    assert!(after["openstack_id"].is_string());
    assert_eq!(w.counter("server.create"), 1, "adopted, not created twice");
}

async fn five_concurrent_creates_with_one_idempotency_key_reach_the_cloud_once(kind: Kind) {
    let w = world(kind).await;
    let body = w.server_body("idem-1");
    let calls = (0..5).map(|_| {
        w.request(Method::POST, "/servers", &w.token)
            .header("Idempotency-Key", "create-idem-1")
            .json(&body)
            .send()
    });
    let responses = futures_util::future::join_all(calls).await;
    let mut ids = Vec::new();
    for r in responses {
        let r = r.unwrap();
        assert_eq!(r.status(), 202);
        ids.push(json_of(r).await["id"].as_i64().unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every answer names the same server");
    assert_eq!(w.counter("server.create"), 1);
    assert_eq!(server_count(&w).await, 1);
}

async fn bad_input_in_every_field_is_422_with_no_row_and_no_cloud_call(kind: Kind) {
    let w = world(kind).await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": "  "}), "body.name"),
        (json!({"name": "x".repeat(256)}), "body.name"),
        (json!({"description": "d".repeat(256)}), "body.description"),
        (json!({"flavor_id": ""}), "body.flavor_id"),
        (json!({"network_id": "has space"}), "body.network_id"),
        (
            json!({"root_volume": {"size": 0, "image_id": w.fx.image_id}}),
            "body.root_volume.size",
        ),
        (
            json!({"root_volume": {"size": 16385, "image_id": w.fx.image_id}}),
            "body.root_volume.size",
        ),
        (
            json!({"root_volume": {"size": 20, "image_id": ""}}),
            "body.root_volume.image_id",
        ),
        (json!({"security_group_ids": ["x"]}), "body.security_group_ids.0"),
        (json!({"key_name": ""}), "body.key_name"),
    ];
    for (patch, field) in cases {
        let mut body = w.server_body("bad");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = w.post("/servers", body).await;
        assert_eq!(res.status(), 422, "{field}");
        let err = json_of(res).await;
        assert_eq!(err["code"], "VALIDATION_FAILED");
        assert_eq!(err["errors"][0]["field"], field, "{err}");
    }
    let res = w.post("/servers", json!({"name": "no-fields"})).await;
    assert_eq!(res.status(), 422);
    assert_eq!(server_count(&w).await, 0);
    assert_eq!(w.counter("server.create") + w.counter("port.create"), 0);
}

async fn another_projects_server_answers_exactly_like_a_missing_one_and_stays_unchanged(kind: Kind) {
    let w = world(kind).await;
    let server = w.active_server("mine").await;
    let id = server["id"].as_i64().unwrap();
    let theirs = w
        .call_as(&w.other_token, Method::GET, &format!("/servers/{id}"), None)
        .await;
    let missing = w.call_as(&w.other_token, Method::GET, "/servers/999999", None).await;
    assert_eq!(theirs.status(), 404);
    assert_eq!(missing.status(), 404);
    let (a, b) = (json_of(theirs).await, json_of(missing).await);
    assert_eq!(a["code"], "SERVER_NOT_FOUND");
    assert_eq!(a["code"], b["code"]);
    assert_eq!(
        a["message"].as_str().unwrap().replace(&id.to_string(), "N"),
        b["message"].as_str().unwrap().replace("999999", "N")
    );
    let rename = json!({"name": "stolen"});
    for (method, path, body) in [
        (Method::PUT, format!("/servers/{id}/info"), Some(rename)),
        (Method::DELETE, format!("/servers/{id}"), None),
        (Method::PUT, format!("/servers/{id}/status?status=SHUTOFF"), None),
        (Method::GET, format!("/servers/{id}/actions"), None),
    ] {
        let res = w.call_as(&w.other_token, method, &path, body).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    let list = w.call_as(&w.other_token, Method::GET, "/servers", None).await;
    assert_eq!(json_of(list).await["servers"].as_array().unwrap().len(), 0);
    let after = w.get_json(&format!("/servers/{id}")).await;
    assert_eq!(after["name"], "mine");
    assert_eq!(after["version"], server["version"]);
    assert_eq!(w.counter("server.delete") + w.counter("server.stop"), 0);
}

async fn concurrent_if_match_updates_let_exactly_one_win(kind: Kind) {
    let w = world(kind).await;
    let server = w.active_server("race").await;
    let id = server["id"].as_i64().unwrap();
    let etag = format!("\"{}\"", server["version"]);
    let calls = (0..5).map(|i| {
        w.request(Method::PUT, &format!("/servers/{id}/info"), &w.token)
            .header("If-Match", etag.clone())
            .json(&json!({"name": format!("race-{i}")}))
            .send()
    });
    let statuses: Vec<u16> = futures_util::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 4, "{statuses:?}");
}

async fn power_actions_follow_the_state_rules_and_refuse_while_busy(kind: Kind) {
    let w = world(kind).await;
    let res = w.post("/servers", w.server_body("pwr")).await;
    let id = json_of(res).await["id"].as_i64().unwrap();
    let early = w.put(&format!("/servers/{id}/status?status=SHUTOFF"), json!({})).await;
    assert_eq!(early.status(), 409);
    assert_eq!(json_of(early).await["code"], "SERVER_BUSY");
    w.reconcile_server(id).await;

    let start = w.put(&format!("/servers/{id}/status?status=ACTIVE"), json!({})).await;
    assert_eq!(json_of(start).await["code"], "SERVER_STATUS_INVALID_TO_START");
    let stop = w.put(&format!("/servers/{id}/status?status=SHUTOFF"), json!({})).await;
    assert_eq!(stop.status(), 202);
    assert_eq!(json_of(stop).await["task_state"], "stopping");
    let again = w.put(&format!("/servers/{id}/status?status=SHUTOFF"), json!({})).await;
    assert_eq!(json_of(again).await["code"], "SERVER_BUSY");
    assert_eq!(w.counter("server.stop"), 1);

    w.reconcile_server(id).await;
    let stopped = w.get_json(&format!("/servers/{id}")).await;
    assert_eq!(stopped["status"], "SHUTOFF");
    let stop_again = w.put(&format!("/servers/{id}/status?status=SHUTOFF"), json!({})).await;
    assert_eq!(json_of(stop_again).await["code"], "SERVER_STATUS_INVALID_TO_STOP");
    let bad = w.put(&format!("/servers/{id}/status?status=PAUSED"), json!({})).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(json_of(bad).await["errors"][0]["field"], "query.status");
}

async fn the_console_of_a_server_being_deleted_is_409_without_asking_the_cloud(kind: Kind) {
    let w = world(kind).await;
    let server = w.active_server("going").await;
    let id = server["id"].as_i64().unwrap();
    let console = w.get(&format!("/servers/{id}/vnc-url")).await;
    assert_eq!(console.status(), 200, "an ACTIVE server has a console");
    let consoles = w.counter("server.console");

    assert_eq!(w.delete(&format!("/servers/{id}")).await.status(), 202);
    let res = w.get(&format!("/servers/{id}/vnc-url")).await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "SERVER_NOT_ACTIVE");
    assert_eq!(w.counter("server.console"), consoles, "no console asked for");
}

async fn deleting_a_server_that_never_finished_building_cleans_up_everything(kind: Kind) {
    let w = world(kind).await;
    w.sim.faults().stick_transitions("server.create");
    let created = json_of(w.post("/servers", w.server_body("stuck")).await).await;
    let id = created["id"].as_i64().unwrap();
    let root = created["volumes"][0]["id"].as_i64().unwrap();
    let nics = created["network_interface_ids"].clone();

    let res = w.delete(&format!("/servers/{id}")).await;
    assert_eq!(res.status(), 202);
    let body = json_of(res).await;
    assert_eq!(body["server_id"], id);
    assert_eq!(body["volume_id"], root);
    assert_eq!(body["network_interface_ids"], nics);
    let deleting = w.get_json(&format!("/servers/{id}")).await;
    assert_eq!(deleting["task_state"], "deleting");
    let repeat = w.delete(&format!("/servers/{id}")).await;
    assert_eq!(repeat.status(), 202);
    assert_eq!(w.counter("server.delete"), 1, "a repeated delete calls nothing");

    w.sim.faults().unstick_transitions("server.create");
    w.reconcile_server(id).await;
    assert_eq!(w.get(&format!("/servers/{id}")).await.status(), 404);
    assert_eq!(w.get(&format!("/volumes/{root}")).await.status(), 404);
    let nic = nics[0].as_i64().unwrap();
    assert_eq!(w.get(&format!("/network-interfaces/{nic}")).await.status(), 404);
    let actions = w.get_json(&format!("/servers/{id}/actions")).await;
    let names: Vec<&str> = actions["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["create", "delete"], "the log outlives the server");
    assert_eq!(actions["actions"][1]["result"], "success");
}

async fn a_definite_cloud_refusal_marks_the_server_error_and_undoes_the_port(kind: Kind) {
    let w = world(kind).await;
    w.sim.faults().error_rate("compute", 1.0, 400);
    let res = w.post("/servers", w.server_body("refused")).await;
    w.sim.faults().clear();
    assert_eq!(res.status(), 502);
    assert_eq!(json_of(res).await["code"], "CLOUD_ERROR");
    let list = w.get_json("/servers").await;
    let server = &list["servers"][0];
    assert_eq!(server["status"], "ERROR");
    assert!(server["error_message"].is_string());
    assert_eq!(server["volumes"].as_array().unwrap().len(), 0);
    assert_eq!(w.counter("port.create"), 1);
    assert_eq!(w.counter("port.delete"), 1, "compensation removed the port");
}

async fn lists_page_with_a_stable_cursor_and_filter_by_name(kind: Kind) {
    let w = world(kind).await;
    for i in 0..3 {
        assert_eq!(
            w.post("/servers", w.server_body(&format!("page-{i}"))).await.status(),
            202
        );
    }
    let first = w.get_json("/servers?limit=2&sort_by=name&order=asc").await;
    let names: Vec<&str> = first["servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["page-0", "page-1"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let second = w
        .get_json(&format!("/servers?limit=2&sort_by=name&order=asc&cursor={cursor}"))
        .await;
    assert_eq!(second["servers"][0]["name"], "page-2");
    assert_eq!(second["next_cursor"], Value::Null);
    let liked = w.get_json("/servers?name_like=ge-1").await;
    assert_eq!(liked["servers"].as_array().unwrap().len(), 1);
    let dup = w.post("/servers", w.server_body("page-0")).await;
    assert_eq!(dup.status(), 409);
    assert_eq!(json_of(dup).await["code"], "SERVER_NAME_DUPLICATE");
    assert_eq!(w.get("/servers?limit=0").await.status(), 422);
}

async fn ids_the_catalog_does_not_hold_are_404_with_no_row_and_no_cloud_call(kind: Kind) {
    let w = world(kind).await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"flavor_id": "no-such-flavor"}), "FLAVOR_NOT_FOUND"),
        (json!({"network_id": "no-such-network"}), "NETWORK_NOT_FOUND"),
        (
            json!({"root_volume": {"size": w.fx.root_size, "image_id": "no-such-image"}}),
            "IMAGE_NOT_FOUND",
        ),
        (
            json!({"availability_zone": "no-such-zone"}),
            "AVAILABILITY_ZONE_NOT_FOUND",
        ),
        (json!({"security_group_ids": [987_654]}), "SECURITY_GROUP_NOT_FOUND"),
    ];
    for (patch, code) in cases {
        let mut body = w.server_body("unknown-choice");
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = w.post("/servers", body).await;
        assert_eq!(res.status(), 404, "{code}");
        assert_eq!(json_of(res).await["code"], code);
    }
    assert_eq!(server_count(&w).await, 0);
    let volumes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM volume")
        .fetch_one(&w.db.pool)
        .await
        .unwrap();
    assert_eq!(volumes, 0);
    assert_eq!(w.counter("server.create") + w.counter("port.create"), 0);
}

async fn a_root_volume_smaller_than_its_image_needs_is_422_before_any_cloud_call(kind: Kind) {
    let w = world(kind).await;
    let (image_id, min_disk) = w.image_needing_most_disk().await;
    let mut body = w.server_body("too-small");
    body["root_volume"] = json!({"size": min_disk - 1, "image_id": image_id});
    let res = w.post("/servers", body).await;
    assert_eq!(res.status(), 422);
    let err = json_of(res).await;
    assert_eq!(err["errors"][0]["field"], "body.root_volume.size", "{err}");
    assert_eq!(server_count(&w).await, 0);
    assert_eq!(w.counter("server.create") + w.counter("port.create"), 0);

    let mut fits = w.server_body("just-fits");
    fits["root_volume"] = json!({"size": min_disk, "image_id": image_id});
    assert_eq!(w.post("/servers", fits).await.status(), 202);
}

for_both_providers!(
    ids_the_catalog_does_not_hold_are_404_with_no_row_and_no_cloud_call,
    a_root_volume_smaller_than_its_image_needs_is_422_before_any_cloud_call,
    a_create_is_accepted_in_build_then_reconciled_to_active,
    a_create_whose_answer_is_lost_leaves_a_pending_row_the_reconciler_finishes,
    five_concurrent_creates_with_one_idempotency_key_reach_the_cloud_once,
    bad_input_in_every_field_is_422_with_no_row_and_no_cloud_call,
    another_projects_server_answers_exactly_like_a_missing_one_and_stays_unchanged,
    concurrent_if_match_updates_let_exactly_one_win,
    power_actions_follow_the_state_rules_and_refuse_while_busy,
    deleting_a_server_that_never_finished_building_cleans_up_everything,
    the_console_of_a_server_being_deleted_is_409_without_asking_the_cloud,
    a_definite_cloud_refusal_marks_the_server_error_and_undoes_the_port,
    lists_page_with_a_stable_cursor_and_filter_by_name,
);
