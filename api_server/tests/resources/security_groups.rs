use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::for_both_providers;
use crate::support::{Kind, World, json_of, world};

fn ssh(port: u16) -> Value {
    json!({"protocol": "tcp", "ether_type": "IPv4", "direction": "ingress",
           "port_range_min": port, "port_range_max": port, "remote_ip_prefix": "10.0.0.0/8"})
}

/// The cloud's ingress rules as `(protocol, min, max, prefix)`.
async fn cloud_ingress(w: &World, cloud_id: &str) -> BTreeSet<(Option<String>, Option<u32>, Option<String>)> {
    w.cloud
        .list_security_group_rules(cloud_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.direction.as_str() == "ingress")
        .map(|r| (r.protocol, r.port_range_min, r.remote_ip_prefix))
        .collect()
}

async fn rules_are_stored_and_made_true_in_the_cloud_on_create_and_replace(kind: Kind) {
    let w = world(kind).await;
    let res = w
        .post(
            "/security-groups",
            json!({"name": "web", "description": "w", "rules": [ssh(22), ssh(443)]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body = json_of(res).await;
    assert_eq!(body["status"], "ACTIVE");
    let rules = body["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert!(rules.iter().all(|r| r["openstack_id"].is_string()));
    let cloud_id = body["openstack_id"].as_str().unwrap().to_owned();
    let want: BTreeSet<_> = [22u32, 443]
        .into_iter()
        .map(|p| (Some("tcp".to_owned()), Some(p), Some("10.0.0.0/8".to_owned())))
        .collect();
    assert_eq!(cloud_ingress(&w, &cloud_id).await, want);

    let id = body["id"].as_i64().unwrap();
    let res = w
        .call(
            reqwest::Method::PUT,
            &format!("/security-groups/{id}"),
            Some(json!({"name": "web", "rules": [ssh(8080)]})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let updated = json_of(res).await;
    assert_eq!(updated["rules"].as_array().unwrap().len(), 1);
    let want: BTreeSet<_> = [(Some("tcp".to_owned()), Some(8080), Some("10.0.0.0/8".to_owned()))].into();
    assert_eq!(cloud_ingress(&w, &cloud_id).await, want);
}

async fn bad_rules_are_422_at_their_field_path_and_reach_no_cloud(kind: Kind) {
    let w = world(kind).await;
    let mut reversed = ssh(22);
    reversed["port_range_min"] = json!(100);
    reversed["port_range_max"] = json!(10);
    let mut bad_cidr = ssh(22);
    bad_cidr["remote_ip_prefix"] = json!("10.0.0.0/33");
    let mut icmp_ports = ssh(22);
    icmp_ports["protocol"] = json!("icmp");
    let res = w
        .post(
            "/security-groups",
            json!({"name": "bad", "rules": [ssh(22), reversed, bad_cidr, icmp_ports]}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let fields: Vec<String> = json_of(res).await["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    assert!(fields.contains(&"body.rules.1.port_range_min".to_owned()), "{fields:?}");
    assert!(
        fields.contains(&"body.rules.2.remote_ip_prefix".to_owned()),
        "{fields:?}"
    );
    assert!(fields.iter().any(|f| f.starts_with("body.rules.3.")), "{fields:?}");
    assert_eq!(
        w.get_json("/security-groups").await["security_groups"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(w.counter("security_group.create"), 0);
}

async fn a_group_used_by_a_server_cannot_be_deleted_and_an_unused_one_can(kind: Kind) {
    let w = world(kind).await;
    let group = json_of(
        w.post("/security-groups", json!({"name": "used", "rules": [ssh(22)]}))
            .await,
    )
    .await;
    let gid = group["id"].as_i64().unwrap();
    let mut body = w.server_body("guarded");
    body["security_group_ids"] = json!([gid]);
    let server = json_of(w.post("/servers", body).await).await;
    assert_eq!(server["security_groups"][0]["id"], gid);
    let detail = w.get_json(&format!("/security-groups/{gid}")).await;
    assert_eq!(detail["servers"][0]["name"], "guarded");
    let res = w.delete(&format!("/security-groups/{gid}")).await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "ATTACHED_SECURITY_GROUP_DELETION");

    let free = json_of(w.post("/security-groups", json!({"name": "free"})).await).await;
    let res = w.delete(&format!("/security-groups/{}", free["id"])).await;
    assert_eq!(res.status(), 204);
    assert_eq!(w.get(&format!("/security-groups/{}", free["id"])).await.status(), 404);
    let dup = w.post("/security-groups", json!({"name": "used"})).await;
    assert_eq!(json_of(dup).await["code"], "SECURITY_GROUP_NAME_DUPLICATED");
    let other = w
        .call_as(
            &w.other_token,
            reqwest::Method::GET,
            &format!("/security-groups/{gid}"),
            None,
        )
        .await;
    assert_eq!(json_of(other).await["code"], "SECURITY_GROUP_NOT_FOUND");
}

async fn groups_created_at_the_same_moment_in_two_projects_all_succeed(kind: Kind) {
    let w = world(kind).await;
    let rules = json!([ssh(22), ssh(443)]);
    for round in 0..6 {
        let mine = w.post(
            "/security-groups",
            json!({"name": format!("mine-{round}"), "rules": rules}),
        );
        let theirs = w.call_as(
            &w.other_token,
            reqwest::Method::POST,
            "/security-groups",
            Some(json!({"name": format!("theirs-{round}"), "rules": rules})),
        );
        let (mine, theirs) = tokio::join!(mine, theirs);
        let (mine_status, theirs_status) = (mine.status(), theirs.status());
        let bodies = (json_of(mine).await, json_of(theirs).await);
        assert_eq!(
            (mine_status.as_u16(), theirs_status.as_u16()),
            (201, 201),
            "round {round}: {bodies:?}"
        );
    }
}

for_both_providers!(
    rules_are_stored_and_made_true_in_the_cloud_on_create_and_replace,
    bad_rules_are_422_at_their_field_path_and_reach_no_cloud,
    a_group_used_by_a_server_cannot_be_deleted_and_an_unused_one_can,
    groups_created_at_the_same_moment_in_two_projects_all_succeed,
);
