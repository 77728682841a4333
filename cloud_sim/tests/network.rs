#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use serde_json::{Value, json};

const N: &str = "/networking/v2.0";

#[tokio::test]
async fn every_project_gets_a_default_security_group_with_the_standard_rules() {
    let env = common::start().await;
    let admin = env.admin().await;
    let member = env.member_project(&admin, "sg-default").await;
    let v = env
        .get_json(&member, &format!("{N}/security-groups?name=default"))
        .await;
    let groups = v["security_groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    let sg = &groups[0];
    let rules = sg["security_group_rules"].as_array().unwrap();
    assert_eq!(rules.len(), 4);
    let ingress: Vec<&Value> = rules.iter().filter(|r| r["direction"] == "ingress").collect();
    assert_eq!(ingress.len(), 2);
    assert!(ingress.iter().all(|r| r["remote_group_id"] == sg["id"]));
    assert_eq!(
        rules
            .iter()
            .filter(|r| r["direction"] == "egress" && r["protocol"].is_null())
            .count(),
        2
    );
    assert_eq!(sg["project_id"], member.project_id.as_str());
    assert_eq!(sg["tenant_id"], member.project_id.as_str());
}

#[tokio::test]
async fn new_security_group_has_two_egress_rules_and_rules_can_be_added_and_removed() {
    let env = common::start().await;
    let admin = env.admin().await;
    let r = env
        .post(
            &admin,
            &format!("{N}/security-groups"),
            json!({"security_group": {"name": "web", "description": "w"}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let sg: Value = r.json().await.unwrap();
    let sg_id = sg["security_group"]["id"].as_str().unwrap().to_string();
    let rules = sg["security_group"]["security_group_rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert!(rules.iter().all(|r| r["direction"] == "egress"));
    let rule = json!({"security_group_rule": {"security_group_id": sg_id, "direction": "ingress", "ethertype": "IPv4",
        "protocol": "tcp", "port_range_min": "80", "port_range_max": 80, "remote_ip_prefix": "0.0.0.0/0"}});
    let created = env
        .post(&admin, &format!("{N}/security-group-rules"), rule.clone())
        .await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["security_group_rule"]["port_range_min"], 80);
    let dup = env.post(&admin, &format!("{N}/security-group-rules"), rule).await;
    assert_eq!(dup.status(), 409);
    let err: Value = dup.json().await.unwrap();
    assert_eq!(err["NeutronError"]["type"], "SecurityGroupRuleExists");
    let rid = created["security_group_rule"]["id"].as_str().unwrap();
    let listed = env
        .get_json(&admin, &format!("{N}/security-group-rules?security_group_id={sg_id}"))
        .await;
    assert_eq!(listed["security_group_rules"].as_array().unwrap().len(), 3);
    assert_eq!(
        env.delete(&admin, &format!("{N}/security-group-rules/{rid}"))
            .await
            .status(),
        204
    );
    assert_eq!(
        env.get(&admin, &format!("{N}/security-group-rules/{rid}"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn bulk_rule_create_is_atomic() {
    let env = common::start().await;
    let admin = env.admin().await;
    let sg: Value = env
        .post(
            &admin,
            &format!("{N}/security-groups"),
            json!({"security_group": {"name": "bulk"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let sg_id = sg["security_group"]["id"].as_str().unwrap();
    let ok = json!({"security_group_id": sg_id, "direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "10.0.0.0/8", "ethertype": "IPv4"});
    let bad = json!({"security_group_id": sg_id, "direction": "sideways"});
    let r = env
        .post(
            &admin,
            &format!("{N}/security-group-rules"),
            json!({"security_group_rules": [ok.clone(), bad]}),
        )
        .await;
    assert_eq!(r.status(), 400);
    let listed = env
        .get_json(&admin, &format!("{N}/security-group-rules?security_group_id={sg_id}"))
        .await;
    assert_eq!(listed["security_group_rules"].as_array().unwrap().len(), 2);
    let r = env
        .post(
            &admin,
            &format!("{N}/security-group-rules"),
            json!({"security_group_rules": [ok]}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["security_group_rules"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn security_group_in_use_by_a_port_cannot_be_deleted() {
    let env = common::start().await;
    let admin = env.admin().await;
    let sg: Value = env
        .post(
            &admin,
            &format!("{N}/security-groups"),
            json!({"security_group": {"name": "used"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let sg_id = sg["security_group"]["id"].as_str().unwrap();
    let net = env.project_network(&admin).await;
    let port: Value = env
        .post(
            &admin,
            &format!("{N}/ports"),
            json!({"port": {"network_id": net, "security_groups": [sg_id]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = env.delete(&admin, &format!("{N}/security-groups/{sg_id}")).await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["NeutronError"]["type"], "SecurityGroupInUse");
    let pid = port["port"]["id"].as_str().unwrap();
    assert_eq!(env.delete(&admin, &format!("{N}/ports/{pid}")).await.status(), 204);
    assert_eq!(
        env.delete(&admin, &format!("{N}/security-groups/{sg_id}"))
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn port_gets_a_fixed_ip_and_mac_and_another_project_gets_404() {
    let env = common::start().await;
    let admin = env.admin().await;
    let a = env.member_project(&admin, "net-a").await;
    let b = env.member_project(&admin, "net-b").await;
    let port = env.create_port(&a).await;
    assert_eq!(port["status"], "DOWN");
    assert!(
        port["fixed_ips"][0]["ip_address"]
            .as_str()
            .unwrap()
            .starts_with("10.0.0.")
    );
    assert!(port["mac_address"].as_str().unwrap().starts_with("fa:16:3e:"));
    assert_eq!(port["project_id"], a.project_id.as_str());
    let pid = port["id"].as_str().unwrap();
    let r = env.get(&b, &format!("{N}/ports/{pid}")).await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["NeutronError"]["type"], "PortNotFound");
    let listed = env.get_json(&b, &format!("{N}/ports")).await;
    assert!(listed["ports"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn port_list_pages_with_limit_marker_and_links() {
    let env = common::start().await;
    let admin = env.admin().await;
    for _ in 0..5 {
        env.create_port(&admin).await;
    }
    let mut seen = Vec::new();
    let mut url = env.url(&format!("{N}/ports?project_id={}&limit=2", admin.project_id));
    loop {
        let v: Value = env
            .http
            .get(&url)
            .header("x-auth-token", &admin.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let page = v["ports"].as_array().unwrap();
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|p| p["id"].as_str().unwrap().to_string()));
        match v["ports_links"]
            .as_array()
            .and_then(|l| l.iter().find(|x| x["rel"] == "next"))
        {
            Some(next) => url = next["href"].as_str().unwrap().to_string(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 5);
}

#[tokio::test]
async fn floating_ip_associates_goes_active_then_disassociates_down() {
    let env =
        common::start_with(cloud_sim::SimConfig::instant().with_transition_delay(std::time::Duration::from_secs(5)))
            .await;
    let admin = env.admin().await;
    let ext = env
        .get_json(&admin, &format!("{N}/networks?router:external=true"))
        .await;
    let ext_id = ext["networks"][0]["id"].as_str().unwrap().to_string();
    let r = env
        .post(
            &admin,
            &format!("{N}/floatingips"),
            json!({"floatingip": {"floating_network_id": ext_id}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let fip: Value = r.json().await.unwrap();
    assert_eq!(fip["floatingip"]["status"], "DOWN");
    assert!(
        fip["floatingip"]["floating_ip_address"]
            .as_str()
            .unwrap()
            .starts_with("172.24.")
    );
    let fid = fip["floatingip"]["id"].as_str().unwrap().to_string();
    let port = env.create_port(&admin).await;
    let assoc = env
        .put(
            &admin,
            &format!("{N}/floatingips/{fid}"),
            json!({"floatingip": {"port_id": port["id"]}}),
        )
        .await;
    assert_eq!(assoc.status(), 200);
    let assoc: Value = assoc.json().await.unwrap();
    assert_eq!(assoc["floatingip"]["port_id"], port["id"]);
    assert_eq!(
        assoc["floatingip"]["fixed_ip_address"],
        port["fixed_ips"][0]["ip_address"]
    );
    assert!(assoc["floatingip"]["router_id"].is_string());
    assert_eq!(assoc["floatingip"]["status"], "DOWN");
    env.sim.advance_clock(std::time::Duration::from_secs(5));
    let now = env.get_json(&admin, &format!("{N}/floatingips/{fid}")).await;
    assert_eq!(now["floatingip"]["status"], "ACTIVE");
    let off = env
        .put(
            &admin,
            &format!("{N}/floatingips/{fid}"),
            json!({"floatingip": {"port_id": null}}),
        )
        .await;
    assert_eq!(off.status(), 200);
    let off: Value = off.json().await.unwrap();
    assert!(off["floatingip"]["port_id"].is_null());
    env.sim.advance_clock(std::time::Duration::from_secs(5));
    let now = env.get_json(&admin, &format!("{N}/floatingips/{fid}")).await;
    assert_eq!(now["floatingip"]["status"], "DOWN");
    assert_eq!(
        env.delete(&admin, &format!("{N}/floatingips/{fid}")).await.status(),
        204
    );
    assert_eq!(env.get(&admin, &format!("{N}/floatingips/{fid}")).await.status(), 404);
}

#[tokio::test]
async fn associating_an_already_associated_floating_ip_elsewhere_is_409() {
    let env = common::start().await;
    let admin = env.admin().await;
    let ext = env
        .get_json(&admin, &format!("{N}/networks?router:external=true"))
        .await;
    let ext_id = ext["networks"][0]["id"].as_str().unwrap();
    let p1 = env.create_port(&admin).await;
    let p2 = env.create_port(&admin).await;
    let fip: Value = env
        .post(
            &admin,
            &format!("{N}/floatingips"),
            json!({"floatingip": {"floating_network_id": ext_id, "port_id": p1["id"]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let fid = fip["floatingip"]["id"].as_str().unwrap();
    let r = env
        .put(
            &admin,
            &format!("{N}/floatingips/{fid}"),
            json!({"floatingip": {"port_id": p2["id"]}}),
        )
        .await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["NeutronError"]["type"], "FloatingIPPortAlreadyAssociated");
    let second: Value = env
        .post(
            &admin,
            &format!("{N}/floatingips"),
            json!({"floatingip": {"floating_network_id": ext_id}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let sid = second["floatingip"]["id"].as_str().unwrap();
    let r = env
        .put(
            &admin,
            &format!("{N}/floatingips/{sid}"),
            json!({"floatingip": {"port_id": p1["id"]}}),
        )
        .await;
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn floating_ip_shows_up_in_server_addresses_and_is_released_when_the_port_goes() {
    let env = common::start().await;
    let admin = env.admin().await;
    let server = env.boot_server(&admin, "fip").await;
    let ports = env.get_json(&admin, &format!("{N}/ports?device_id={server}")).await;
    let pid = ports["ports"][0]["id"].as_str().unwrap().to_string();
    let ext = env
        .get_json(&admin, &format!("{N}/networks?router:external=true"))
        .await;
    let fip: Value = env
        .post(
            &admin,
            &format!("{N}/floatingips"),
            json!({"floatingip": {"floating_network_id": ext["networks"][0]["id"], "port_id": pid}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let addr = fip["floatingip"]["floating_ip_address"].as_str().unwrap().to_string();
    let s = env.server(&admin, &server).await;
    let entries = s["addresses"]["private"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["addr"] == addr.as_str() && e["OS-EXT-IPS:type"] == "floating")
    );
    env.delete(&admin, &format!("/compute/v2.1/servers/{server}")).await;
    assert_eq!(env.delete(&admin, &format!("{N}/ports/{pid}")).await.status(), 204);
    let f = env
        .get_json(
            &admin,
            &format!("{N}/floatingips/{}", fip["floatingip"]["id"].as_str().unwrap()),
        )
        .await;
    assert!(f["floatingip"]["port_id"].is_null());
}

#[tokio::test]
async fn network_with_ports_cannot_be_deleted_and_subnet_overlap_is_rejected() {
    let env = common::start().await;
    let admin = env.admin().await;
    let net: Value = env
        .post(&admin, &format!("{N}/networks"), json!({"network": {"name": "n1"}}))
        .await
        .json()
        .await
        .unwrap();
    let net_id = net["network"]["id"].as_str().unwrap();
    let sub = env
        .post(
            &admin,
            &format!("{N}/subnets"),
            json!({"subnet": {"network_id": net_id, "cidr": "192.168.10.0/24", "ip_version": 4}}),
        )
        .await;
    assert_eq!(sub.status(), 201);
    let overlap = env
        .post(
            &admin,
            &format!("{N}/subnets"),
            json!({"subnet": {"network_id": net_id, "cidr": "192.168.10.128/25", "ip_version": 4}}),
        )
        .await;
    assert_eq!(overlap.status(), 400);
    let port: Value = env
        .post(&admin, &format!("{N}/ports"), json!({"port": {"network_id": net_id}}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(port["port"]["fixed_ips"][0]["ip_address"], "192.168.10.2");
    let r = env.delete(&admin, &format!("{N}/networks/{net_id}")).await;
    assert_eq!(r.status(), 409);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["NeutronError"]["type"], "NetworkInUse");
}

#[tokio::test]
async fn unknown_filter_attribute_is_400_and_changed_since_filters() {
    let env = common::start().await;
    let admin = env.admin().await;
    assert_eq!(env.get(&admin, &format!("{N}/ports?colour=blue")).await.status(), 400);
    env.create_port(&admin).await;
    env.sim.advance_clock(std::time::Duration::from_secs(120));
    let mark = env.get_json(&admin, "/_sim/clock").await["now"]
        .as_str()
        .unwrap()
        .to_string();
    let newer = env.create_port(&admin).await;
    let v = env.get_json(&admin, &format!("{N}/ports?changed_since={mark}")).await;
    let ids: Vec<&str> = v["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![newer["id"].as_str().unwrap()]);
}
