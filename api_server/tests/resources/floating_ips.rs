use serde_json::{Value, json};

use crate::for_both_providers;
use crate::support::{Kind, World, json_of, world};

async fn new_fip(w: &World) -> Value {
    let res = w
        .post(
            "/floating-ips",
            json!({"floating_network_id": w.fx.external_network_id}),
        )
        .await;
    assert_eq!(res.status(), 201);
    json_of(res).await
}

async fn a_floating_ip_attaches_detaches_and_is_released_with_the_anchor_error_codes(kind: Kind) {
    let w = world(kind).await;
    let a = w.active_server("fip-a").await;
    let b = w.active_server("fip-b").await;
    let nic_a = a["network_interface_ids"][0].as_i64().unwrap();
    let nic_b = b["network_interface_ids"][0].as_i64().unwrap();
    let fip = new_fip(&w).await;
    assert!(fip["address"].is_string());
    let fid = fip["id"].as_i64().unwrap();

    let attach = format!("/network-interfaces/{nic_a}/floating-ips/{fid}");
    assert_eq!(w.post(&attach, json!({})).await.status(), 204);
    let attached = w.get_json(&format!("/floating-ips/{fid}")).await;
    assert_eq!(attached["server"]["id"], a["id"]);
    assert_eq!(attached["network_interface_id"], nic_a);
    let server = w.get_json(&format!("/servers/{}", a["id"])).await;
    assert_eq!(server["floating_ips"][0]["id"], fid);
    let nic = w.get_json(&format!("/network-interfaces/{nic_a}")).await;
    assert_eq!(nic["floating_ip"]["id"], fid);

    let again = w
        .post(&format!("/network-interfaces/{nic_b}/floating-ips/{fid}"), json!({}))
        .await;
    assert_eq!(
        json_of(again).await["code"],
        "FLOATING_IP_ALREADY_ATTACHED_TO_NETWORK_INTERFACE"
    );
    let wrong = w
        .delete(&format!("/network-interfaces/{nic_b}/floating-ips/{fid}"))
        .await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(json_of(wrong).await["code"], "NETWORK_INTERFACE_NOT_MATCHED");
    let busy = w.delete(&format!("/floating-ips/{fid}")).await;
    assert_eq!(json_of(busy).await["code"], "ATTACHED_FLOATING_IP_DELETION");

    assert_eq!(w.delete(&attach).await.status(), 204);
    let twice = w.delete(&attach).await;
    assert_eq!(
        json_of(twice).await["code"],
        "FLOATING_IP_NOT_ATTACHED_TO_NETWORK_INTERFACE"
    );
    assert_eq!(w.get_json(&format!("/floating-ips/{fid}")).await["server"], Value::Null);
    assert_eq!(w.delete(&format!("/floating-ips/{fid}")).await.status(), 204);
    assert_eq!(w.get(&format!("/floating-ips/{fid}")).await.status(), 404);
    assert_eq!(w.counter("floatingip.associate"), 1);
    assert_eq!(w.counter("floatingip.disassociate"), 1);
    assert_eq!(w.counter("floatingip.delete"), 1);
}

async fn another_projects_floating_ip_and_interface_are_not_found(kind: Kind) {
    let w = world(kind).await;
    let fip = new_fip(&w).await;
    let fid = fip["id"].as_i64().unwrap();
    let res = w
        .call_as(
            &w.other_token,
            reqwest::Method::DELETE,
            &format!("/floating-ips/{fid}"),
            None,
        )
        .await;
    assert_eq!(json_of(res).await["code"], "FLOATING_IP_NOT_FOUND");
    let server = w.active_server("mine").await;
    let nic = server["network_interface_ids"][0].as_i64().unwrap();
    let res = w
        .call_as(
            &w.other_token,
            reqwest::Method::GET,
            &format!("/network-interfaces/{nic}"),
            None,
        )
        .await;
    assert_eq!(json_of(res).await["code"], "NETWORK_INTERFACE_NOT_FOUND");
    assert_eq!(
        w.get_json(&format!("/floating-ips/{fid}")).await["version"],
        fip["version"]
    );
    assert_eq!(
        w.get_json("/network-interfaces").await["network_interfaces"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

async fn a_server_delete_unlinks_its_floating_ip(kind: Kind) {
    let w = world(kind).await;
    let server = w.active_server("doomed").await;
    let sid = server["id"].as_i64().unwrap();
    let nic = server["network_interface_ids"][0].as_i64().unwrap();
    let fid = new_fip(&w).await["id"].as_i64().unwrap();
    assert_eq!(
        w.post(&format!("/network-interfaces/{nic}/floating-ips/{fid}"), json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(w.delete(&format!("/servers/{sid}")).await.status(), 202);
    w.reconcile_server(sid).await;
    assert_eq!(w.get(&format!("/servers/{sid}")).await.status(), 404);
    let fip = w.get_json(&format!("/floating-ips/{fid}")).await;
    assert_eq!(fip["network_interface_id"], Value::Null);
    assert_eq!(fip["server"], Value::Null);
}

async fn a_network_outside_the_catalog_is_404_with_no_row_and_no_cloud_call(kind: Kind) {
    let w = world(kind).await;
    let internal = w
        .post("/floating-ips", json!({"floating_network_id": w.fx.network_id}))
        .await;
    assert_eq!(internal.status(), 404, "an internal network carries no floating IPs");
    assert_eq!(json_of(internal).await["code"], "NETWORK_NOT_FOUND");
    let unknown = w.post("/floating-ips", json!({"floating_network_id": "TRUE"})).await;
    assert_eq!(unknown.status(), 404);
    assert_eq!(json_of(unknown).await["code"], "NETWORK_NOT_FOUND");
    let list = w.get_json("/floating-ips").await;
    assert_eq!(list["floating_ips"].as_array().unwrap().len(), 0, "no row");
    assert_eq!(w.counter("floatingip.create"), 0);
}

for_both_providers!(
    a_network_outside_the_catalog_is_404_with_no_row_and_no_cloud_call,
    a_floating_ip_attaches_detaches_and_is_released_with_the_anchor_error_codes,
    another_projects_floating_ip_and_interface_are_not_found,
    a_server_delete_unlinks_its_floating_ip,
);
