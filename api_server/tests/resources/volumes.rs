use serde_json::{Value, json};

use crate::for_both_providers;
use crate::support::{Kind, World, json_of, world};

fn volume_body(w: &World, name: &str, size: i64) -> Value {
    json!({"name": name, "description": "data", "size": size, "volume_type_id": w.fx.volume_type_id})
}

/// A data volume created over HTTP and reconciled to AVAILABLE.
async fn available_volume(w: &World, name: &str) -> i64 {
    let res = w.post("/volumes", volume_body(w, name, 20)).await;
    assert_eq!(res.status(), 202);
    let body = json_of(res).await;
    assert_eq!(body["status"], "CREATING");
    let id = body["id"].as_i64().unwrap();
    w.reconcile_volume(id).await;
    assert_eq!(w.get_json(&format!("/volumes/{id}")).await["status"], "AVAILABLE");
    id
}

async fn a_volume_attaches_and_detaches_ending_available_with_no_server(kind: Kind) {
    let w = world(kind).await;
    let server = w.active_server("host").await;
    let sid = server["id"].as_i64().unwrap();
    let vid = available_volume(&w, "data-1").await;

    let res = w.post(&format!("/servers/{sid}/volumes/{vid}"), json!({})).await;
    assert_eq!(res.status(), 202);
    assert_eq!(w.get_json(&format!("/volumes/{vid}")).await["status"], "ATTACHING");
    w.reconcile_volume(vid).await;
    let attached = w.get_json(&format!("/volumes/{vid}")).await;
    assert_eq!(attached["status"], "IN_USE");
    assert_eq!(attached["server"]["id"], sid);
    let again = w.post(&format!("/servers/{sid}/volumes/{vid}"), json!({})).await;
    assert_eq!(json_of(again).await["code"], "VOLUME_ALREADY_ATTACHED");
    let attached_delete = w.delete(&format!("/volumes/{vid}")).await;
    assert_eq!(json_of(attached_delete).await["code"], "ATTACHED_VOLUME_DELETION");

    let root = server["volumes"][0]["id"].as_i64().unwrap();
    let root_detach = w.delete(&format!("/servers/{sid}/volumes/{root}")).await;
    assert_eq!(root_detach.status(), 409);
    assert_eq!(json_of(root_detach).await["code"], "CANNOT_DETACH_ROOT_VOLUME");

    let res = w.delete(&format!("/servers/{sid}/volumes/{vid}")).await;
    assert_eq!(res.status(), 202);
    assert_eq!(w.get_json(&format!("/volumes/{vid}")).await["status"], "DETACHING");
    w.reconcile_volume(vid).await;
    let detached = w.get_json(&format!("/volumes/{vid}")).await;
    assert_eq!(detached["status"], "AVAILABLE");
    assert_eq!(detached["server"], Value::Null);
    assert_eq!(w.counter("volume.attach"), 1);
    assert_eq!(w.counter("volume.detach"), 1);
}

async fn a_resize_grows_only_and_stores_the_new_size_once_the_cloud_confirms(kind: Kind) {
    let w = world(kind).await;
    let vid = available_volume(&w, "grow").await;
    let shrink = w.put(&format!("/volumes/{vid}/size"), json!({"size": 10})).await;
    assert_eq!(shrink.status(), 400);
    assert_eq!(json_of(shrink).await["code"], "VOLUME_RESIZE_NOT_ALLOWED");
    let grow = w.put(&format!("/volumes/{vid}/size"), json!({"size": 30})).await;
    assert_eq!(grow.status(), 202);
    let body = json_of(grow).await;
    assert_eq!(body["status"], "EXTENDING");
    assert_eq!(body["size"], 20, "the size changes when the cloud confirms");
    assert_eq!(body["requested_size"], 30);
    let busy = w.put(&format!("/volumes/{vid}/size"), json!({"size": 40})).await;
    assert_eq!(json_of(busy).await["code"], "VOLUME_BUSY");
    w.reconcile_volume(vid).await;
    let after = w.get_json(&format!("/volumes/{vid}")).await;
    assert_eq!(after["size"], 30);
    assert_eq!(after["requested_size"], Value::Null);
    assert_eq!(after["status"], "AVAILABLE");
}

async fn a_volume_delete_is_accepted_then_finished_by_the_reconciler(kind: Kind) {
    let w = world(kind).await;
    let vid = available_volume(&w, "gone").await;
    let res = w.delete(&format!("/volumes/{vid}")).await;
    assert_eq!(res.status(), 202);
    assert_eq!(w.get_json(&format!("/volumes/{vid}")).await["status"], "DELETING");
    w.reconcile_volume(vid).await;
    assert_eq!(w.get(&format!("/volumes/{vid}")).await.status(), 404);
    assert_eq!(w.counter("volume.delete"), 1);
}

async fn bad_volume_input_is_422_and_reaches_no_cloud(kind: Kind) {
    let w = world(kind).await;
    for (patch, field) in [
        (json!({"size": 0}), "body.size"),
        (json!({"size": 16385}), "body.size"),
        (json!({"name": ""}), "body.name"),
        (json!({"volume_type_id": ""}), "body.volume_type_id"),
        (json!({"size": "big"}), "body.size"),
    ] {
        let mut body = volume_body(&w, "bad", 10);
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let res = w.post("/volumes", body).await;
        assert_eq!(res.status(), 422, "{field}");
        assert_eq!(json_of(res).await["errors"][0]["field"], field);
    }
    let unknown_type = w
        .post("/volumes", json!({"name": "t", "size": 10, "volume_type_id": "nope"}))
        .await;
    assert_eq!(json_of(unknown_type).await["code"], "VOLUME_TYPE_NOT_FOUND");
    let mut unknown_image = volume_body(&w, "i", 10);
    unknown_image["image_id"] = json!("no-such-image");
    let res = w.post("/volumes", unknown_image).await;
    assert_eq!(res.status(), 404);
    assert_eq!(json_of(res).await["code"], "IMAGE_NOT_FOUND");
    let (image_id, min_disk) = w.image_needing_most_disk().await;
    let mut too_small = volume_body(&w, "s", min_disk - 1);
    too_small["image_id"] = image_id.clone();
    let res = w.post("/volumes", too_small).await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_of(res).await["errors"][0]["field"], "body.size");
    assert_eq!(w.get_json("/volumes").await["volumes"].as_array().unwrap().len(), 0);
    assert_eq!(w.counter("volume.create"), 0);
}

async fn another_projects_volume_is_not_found_and_untouched(kind: Kind) {
    let w = world(kind).await;
    let vid = available_volume(&w, "private").await;
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let res = w
            .call_as(&w.other_token, method, &format!("/volumes/{vid}"), None)
            .await;
        assert_eq!(json_of(res).await["code"], "VOLUME_NOT_FOUND");
    }
    let res = w
        .call_as(
            &w.other_token,
            reqwest::Method::PUT,
            &format!("/volumes/{vid}/size"),
            Some(json!({"size": 99})),
        )
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(w.get_json(&format!("/volumes/{vid}")).await["status"], "AVAILABLE");
    assert_eq!(w.counter("volume.delete") + w.counter("volume.extend"), 0);
}

async fn a_refused_attach_puts_the_volume_back_available_with_no_server(kind: Kind) {
    let w = world(kind).await;
    let server = w.active_server("host").await;
    let sid = server["id"].as_i64().unwrap();
    let vid = available_volume(&w, "refused").await;
    w.sim.faults().error_rate("compute", 1.0, 400);
    let res = w.post(&format!("/servers/{sid}/volumes/{vid}"), json!({})).await;
    w.sim.faults().clear();
    assert_eq!(res.status(), 502);
    let after = w.get_json(&format!("/volumes/{vid}")).await;
    assert_eq!(after["status"], "AVAILABLE");
    assert_eq!(after["server"], Value::Null);
    assert!(after["error_message"].is_string());
    let actions = w.get_json(&format!("/servers/{sid}/actions")).await;
    let last = actions["actions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["result"].as_str()),
        (Some("attach_volume"), Some("error"))
    );
    assert_eq!(w.counter("volume.attach"), 0);
}

for_both_providers!(
    a_refused_attach_puts_the_volume_back_available_with_no_server,
    a_volume_attaches_and_detaches_ending_available_with_no_server,
    a_resize_grows_only_and_stores_the_new_size_once_the_cloud_confirms,
    a_volume_delete_is_accepted_then_finished_by_the_reconciler,
    bad_volume_input_is_422_and_reaches_no_cloud,
    another_projects_volume_is_not_found_and_untouched,
);
