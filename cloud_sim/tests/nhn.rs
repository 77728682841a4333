#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use serde_json::{Value, json};

struct Nhn {
    token: String,
    tenant: String,
    compute: String,
    network: String,
    volume: String,
    image: String,
}

fn public_url(catalog: &Value, kind: &str, region: &str) -> String {
    catalog
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["type"] == kind)
        .and_then(|s| {
            s["endpoints"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["region"] == region)
        })
        .map(|e| e["publicURL"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no {kind} in {region}"))
}

async fn login(env: &common::Env) -> Nhn {
    let tenant = env.sim.register_nhn_tenant("dev@example.com", "api-secret");
    let r = env
        .http
        .post(format!("{}/v2.0/tokens", env.sim.nhn_identity_url()))
        .json(&json!({"auth": {"tenantId": tenant.tenant_id, "passwordCredentials": {"username": "dev@example.com", "password": "api-secret"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let access = &body["access"];
    let catalog = &access["serviceCatalog"];
    Nhn {
        token: access["token"]["id"].as_str().unwrap().to_string(),
        tenant: tenant.tenant_id.clone(),
        compute: public_url(catalog, "compute", "KR1"),
        network: public_url(catalog, "network", "KR1"),
        volume: public_url(catalog, "volumev2", "KR1"),
        image: public_url(catalog, "image", "KR1"),
    }
}

impl Nhn {
    async fn get(&self, env: &common::Env, url: &str) -> Value {
        let r = env
            .http
            .get(url)
            .header("x-auth-token", &self.token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "GET {url} -> {}", r.status());
        r.json().await.unwrap()
    }

    async fn post(&self, env: &common::Env, url: &str, body: Value) -> reqwest::Response {
        env.http
            .post(url)
            .header("x-auth-token", &self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn nhn_token_carries_a_catalog_of_region_endpoints_on_the_simulator() {
    let env = common::start().await;
    let nhn = login(&env).await;
    let base = env.sim.base_url();
    assert_eq!(nhn.compute, format!("{base}/nhn/kr1/compute/v2/{}", nhn.tenant));
    assert_eq!(nhn.volume, format!("{base}/nhn/kr1/block-storage/v2/{}", nhn.tenant));
    assert_eq!(nhn.network, format!("{base}/nhn/kr1/network"));
    assert_eq!(nhn.image, format!("{base}/nhn/kr1/image"));
    assert_eq!(nhn.token.len(), 32);
}

#[tokio::test]
async fn nhn_token_with_wrong_api_password_is_401() {
    let env = common::start().await;
    let tenant = env.sim.register_nhn_tenant("dev@example.com", "right");
    let r = env
        .http
        .post(format!("{}/v2.0/tokens", env.sim.nhn_identity_url()))
        .json(&json!({"auth": {"tenantId": tenant.tenant_id, "passwordCredentials": {"username": "dev@example.com", "password": "wrong"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], 401);
}

#[tokio::test]
async fn nhn_rejects_a_server_without_block_device_mapping() {
    let env = common::start().await;
    let nhn = login(&env).await;
    let flavors = nhn.get(&env, &format!("{}/flavors/detail", nhn.compute)).await;
    let flavor = flavors["flavors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "m2.c2m4")
        .unwrap()["id"]
        .clone();
    let images = nhn.get(&env, &format!("{}/v2/images", nhn.image)).await;
    let image = images["images"][0]["id"].clone();
    let r = nhn
        .post(
            &env,
            &format!("{}/servers", nhn.compute),
            json!({"server": {"name": "no-bdm", "flavorRef": flavor, "imageRef": image}}),
        )
        .await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["badRequest"]["message"], "Missing Block Device Mapping attribute");
}

#[tokio::test]
async fn nhn_boot_from_volume_on_a_subnet_becomes_active_with_vpc_named_addresses() {
    let env = common::start().await;
    let nhn = login(&env).await;
    let flavors = nhn.get(&env, &format!("{}/flavors", nhn.compute)).await;
    let flavor = flavors["flavors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "m2.c2m4")
        .unwrap()["id"]
        .clone();
    let image = nhn.get(&env, &format!("{}/v2/images", nhn.image)).await["images"][0]["id"].clone();
    let subnets = nhn.get(&env, &format!("{}/v2.0/vpcsubnets", nhn.network)).await;
    let subnet = subnets["vpcsubnets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["tenant_id"] == nhn.tenant.as_str())
        .unwrap()["id"]
        .clone();
    let zones = nhn.get(&env, &format!("{}/os-availability-zone", nhn.compute)).await;
    assert_eq!(zones["availabilityZoneInfo"][0]["zoneName"], "kr1-pub-a");
    let r = nhn
        .post(
            &env,
            &format!("{}/servers", nhn.compute),
            json!({"server": {"name": "web", "flavorRef": flavor, "networks": [{"subnet": subnet}],
                "availability_zone": "kr1-pub-a",
                "block_device_mapping_v2": [{"source_type": "image", "uuid": image, "boot_index": 0, "volume_size": 20,
                    "destination_type": "volume", "delete_on_termination": 1, "volume_type": "General SSD"}]}}),
        )
        .await;
    assert_eq!(r.status(), 202);
    assert!(r.headers().get("openstack-api-version").is_none());
    let id = r.json::<Value>().await.unwrap()["server"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let s = nhn.get(&env, &format!("{}/servers/{id}", nhn.compute)).await["server"].clone();
    assert_eq!(s["status"], "ACTIVE");
    assert!(
        s["addresses"]["Default Network"][0]["addr"]
            .as_str()
            .unwrap()
            .starts_with("192.168.0.")
    );
    assert_eq!(s["NHN-EXT-ATTR:protect"], false);
    assert!(s["flavor"]["id"].is_string());
    let root = s["os-extended-volumes:volumes_attached"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let vol = nhn.get(&env, &format!("{}/volumes/{root}", nhn.volume)).await;
    assert_eq!(vol["volume"]["volume_type"], "General SSD");
    assert_eq!(vol["volume"]["status"], "in-use");
}

#[tokio::test]
async fn nhn_vpcs_expose_the_public_network_and_accept_new_vpcs_and_subnets() {
    let env = common::start().await;
    let nhn = login(&env).await;
    let public = nhn
        .get(&env, &format!("{}/v2.0/vpcs?router:external=true", nhn.network))
        .await;
    assert_eq!(public["vpcs"][0]["name"], "public_network");
    assert_eq!(public["vpcs"][0]["cidrv4"], "0.0.0.0/0");
    let r = nhn
        .post(
            &env,
            &format!("{}/v2.0/vpcs", nhn.network),
            json!({"vpc": {"name": "vpc-a", "cidrv4": "10.10.0.0/16"}}),
        )
        .await;
    assert!(r.status().is_success());
    let vpc: Value = r.json().await.unwrap();
    assert_eq!(vpc["vpc"]["state"], "available");
    assert!(vpc["vpc"]["create_time"].as_str().unwrap().contains(' '));
    let vpc_id = vpc["vpc"]["id"].as_str().unwrap();
    let outside = nhn
        .post(
            &env,
            &format!("{}/v2.0/vpcsubnets", nhn.network),
            json!({"vpcsubnet": {"vpc_id": vpc_id, "cidr": "10.20.0.0/24", "name": "x"}}),
        )
        .await;
    assert_eq!(outside.status(), 400);
    let inside = nhn
        .post(
            &env,
            &format!("{}/v2.0/vpcsubnets", nhn.network),
            json!({"vpcsubnet": {"vpc_id": vpc_id, "cidr": "10.10.1.0/24", "name": "s"}}),
        )
        .await;
    assert!(inside.status().is_success());
    let sub: Value = inside.json().await.unwrap();
    assert_eq!(sub["vpcsubnet"]["gateway"], "10.10.1.1");
    let networks = nhn.get(&env, &format!("{}/v2.0/networks", nhn.network)).await;
    assert!(
        networks["networks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["id"] == vpc_id)
    );
    let create_net = nhn
        .post(
            &env,
            &format!("{}/v2.0/networks", nhn.network),
            json!({"network": {"name": "nope"}}),
        )
        .await;
    assert_eq!(create_net.status(), 404);
}

#[tokio::test]
async fn nhn_tenant_in_the_url_must_match_the_token() {
    let env = common::start().await;
    let nhn = login(&env).await;
    let other = nhn.compute.replace(&nhn.tenant, "0123456789abcdef0123456789abcdef");
    let r = env
        .http
        .get(format!("{other}/servers"))
        .header("x-auth-token", &nhn.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn nhn_ignores_microversion_headers() {
    let env = common::start().await;
    let nhn = login(&env).await;
    let r = env
        .http
        .get(format!("{}/servers", nhn.compute))
        .header("x-auth-token", &nhn.token)
        .header("OpenStack-API-Version", "compute 2.999")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn nhn_volume_extend_grows_an_available_volume() {
    let env = common::start().await;
    let nhn = login(&env).await;
    let r = nhn
        .post(
            &env,
            &format!("{}/volumes", nhn.volume),
            json!({"volume": {"size": 10, "volume_type": "General HDD", "availability_zone": "kr1-pub-a"}}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let id = r.json::<Value>().await.unwrap()["volume"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ext = nhn
        .post(
            &env,
            &format!("{}/volumes/{id}/action", nhn.volume),
            json!({"os-extend": {"new_size": 20}}),
        )
        .await;
    assert_eq!(ext.status(), 202);
    let v = nhn.get(&env, &format!("{}/volumes/{id}", nhn.volume)).await;
    assert_eq!(v["volume"]["size"], 20);
}

#[tokio::test]
async fn nhn_tokens_stop_working_after_the_api_password_changes() {
    let env = common::start().await;
    let nhn = login(&env).await;
    env.sim.revoke_nhn_tenant_tokens(&nhn.tenant);
    let r = env
        .http
        .get(format!("{}/servers", nhn.compute))
        .header("x-auth-token", &nhn.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn nhn_floating_ip_from_the_public_vpc_associates_with_a_port_and_carries_nhn_fields() {
    let env = common::start().await;
    let nhn = login(&env).await;
    let public = nhn
        .get(&env, &format!("{}/v2.0/vpcs?router:external=true", nhn.network))
        .await;
    let public_id = public["vpcs"][0]["id"].clone();
    let nets = nhn
        .get(&env, &format!("{}/v2.0/networks?tenant_id={}", nhn.network, nhn.tenant))
        .await;
    let net = nets["networks"][0]["id"].clone();
    let port: Value = nhn
        .post(
            &env,
            &format!("{}/v2.0/ports", nhn.network),
            json!({"port": {"network_id": net}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = nhn
        .post(&env, &format!("{}/v2.0/floatingips", nhn.network), json!({"floatingip": {"floating_network_id": public_id, "port_id": port["port"]["id"], "label": "inv-42", "delete_protection": true}}))
        .await;
    assert_eq!(r.status(), 201);
    let fip: Value = r.json().await.unwrap();
    assert_eq!(fip["floatingip"]["label"], "inv-42");
    assert_eq!(fip["floatingip"]["port_id"], port["port"]["id"]);
    let fid = fip["floatingip"]["id"].as_str().unwrap();
    let del = env
        .http
        .delete(format!("{}/v2.0/floatingips/{fid}", nhn.network))
        .header("x-auth-token", &nhn.token)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 409, "delete protection");
}
