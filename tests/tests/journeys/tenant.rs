//! A tenant's whole journey over HTTP, the same on both provider protocols:
//! sign-up, membership, a scoped login, a security group, a volume, a server
//! the batch server brings to ACTIVE, power, attach/detach, resize, a
//! floating IP, and everything deleted again until the cloud is as before.

use e2e::Stack;
use e2e::api::{Api, id_of, ids_in};
use e2e::catalog::Choices;
use e2e::sim::Sim;
use e2e::tenancy::{self, Project, Provider};
use e2e::wait::{CONVERGE, until};
use serde_json::{Value, json};

use crate::converge::{get_until, gone};

pub const ACCOUNT: &str = "tenant.one";
pub const PASSWORD: &str = "tenant-password-1";

/// What the journey made, for the admin's look at it afterwards.
pub struct Journey {
    pub project: Project,
    pub user_id: i64,
    pub tenant: Api,
    pub security_group_id: i64,
    pub volume_id: i64,
    pub server_id: i64,
    pub root_volume_id: i64,
    pub network_interface_id: i64,
    pub floating_ip_id: i64,
}

fn rule(port: u16, prefix: &str) -> Value {
    json!({"protocol": "tcp", "ether_type": "IPv4", "direction": "ingress",
           "port_range_min": port, "port_range_max": port, "remote_ip_prefix": prefix})
}

pub async fn run(stack: &Stack, provider: Provider) -> Journey {
    let admin = tenancy::admin(&stack.api_url).await;
    let sim = Sim::new(&stack.sim_url);
    let project = tenancy::create_project(&admin, &sim, provider, "journey").await;
    let (tenant, user_id) = join(stack, &admin, &project).await;
    let choices = Choices::read(&tenant).await;
    let cloud_before = sim.census(&project.cloud).await;

    let security_group_id = security_group(&tenant, &project).await;
    let volume_id = volume(&tenant, &choices).await;
    let server = server(&tenant, &choices, security_group_id).await;
    let server_id = id_of(&server);
    power(&tenant, server_id).await;
    attach_and_detach(&tenant, server_id, volume_id).await;
    resize(&tenant, volume_id).await;
    let network_interface_id = server["network_interface_ids"][0].as_i64().unwrap();
    let floating_ip_id = floating_ip(&tenant, &choices, server_id, network_interface_id).await;
    action_log(
        &tenant,
        server_id,
        user_id,
        &["create", "stop", "start", "attach_volume", "detach_volume"],
    )
    .await;

    let root_volume_id = root_volume_of(&server);
    delete_everything(
        &tenant,
        server_id,
        root_volume_id,
        network_interface_id,
        volume_id,
        floating_ip_id,
        security_group_id,
    )
    .await;
    action_log(
        &tenant,
        server_id,
        user_id,
        &["create", "stop", "start", "attach_volume", "detach_volume", "delete"],
    )
    .await;
    nothing_left(&tenant, &sim, &project, &cloud_before).await;
    for (kind, op) in [
        ("server", "create"),
        ("server", "delete"),
        ("server", "stop"),
        ("server", "start"),
        ("volume", "extend"),
        ("floatingip", "create"),
        ("floatingip", "associate"),
        ("floatingip", "disassociate"),
        ("floatingip", "delete"),
    ] {
        let name = format!("{kind}.{op}");
        assert_eq!(
            sim.counter(&project.cloud, &name).await,
            1,
            "{name} reached the cloud exactly once"
        );
    }
    for process in [&stack.api, &stack.batch] {
        let logs = process.logs();
        assert!(
            !logs.contains(PASSWORD),
            "{} logged the tenant's password",
            process.name
        );
        assert!(
            !logs.contains("nhn-api-password-1"),
            "{} logged the NHN API password",
            process.name
        );
    }
    Journey {
        project,
        user_id,
        tenant,
        security_group_id,
        volume_id,
        server_id,
        root_volume_id,
        network_interface_id,
        floating_ip_id,
    }
}

/// Sign-up, refused login before any membership, the admin's membership,
/// then a login scoped to the project.
async fn join(stack: &Stack, admin: &Api, project: &Project) -> (Api, i64) {
    let anonymous = Api::new(&stack.api_url);
    let user_id = anonymous.sign_up(ACCOUNT, "Tenant One", PASSWORD).await;
    let code = anonymous
        .post("/auth/login", json!({"account_id": ACCOUNT, "password": PASSWORD}))
        .await
        .expect_error(400);
    assert_eq!(code, "USER_NOT_JOINED_ANY_PROJECT");
    let code = anonymous
        .post(
            "/auth/login",
            json!({"account_id": ACCOUNT, "password": "not-the-password"}),
        )
        .await
        .expect_error(401);
    assert_eq!(code, "INVALID_AUTH");

    tenancy::add_member(admin, project.id, user_id).await;
    let (tenant, login) = anonymous.login(ACCOUNT, PASSWORD, Some(project.id)).await;
    assert_eq!(login["user"]["id"], user_id);
    assert_eq!(login["user"]["role"], "member");

    let detail = tenant.get(&format!("/projects/{}", project.id)).await.expect(200);
    assert_eq!(detail["name"], project.name.as_str());
    assert!(
        ids_in(&detail["accounts"]).contains(&user_id),
        "the tenant is among the project's accounts: {detail}"
    );
    let mine = tenant.get("/projects").await.expect(200);
    assert_eq!(
        ids_in(&mine["projects"]),
        [project.id],
        "a member sees its own projects only"
    );
    (tenant, user_id)
}

async fn security_group(tenant: &Api, project: &Project) -> i64 {
    let group = tenant
        .post(
            "/security-groups",
            json!({"name": "web", "description": "ssh and https",
                   "rules": [rule(22, "10.0.0.0/8"), rule(443, "0.0.0.0/0")]}),
        )
        .await
        .expect(201);
    assert_eq!(group["status"], "ACTIVE", "{group}");
    assert_eq!(group["project_id"], project.id);
    let rules = group["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "{group}");
    assert!(rules.iter().all(|r| r["openstack_id"].is_string()), "{group}");
    let ports: Vec<i64> = rules.iter().map(|r| r["port_range_min"].as_i64().unwrap()).collect();
    assert!(ports.contains(&22) && ports.contains(&443), "{group}");
    let dup = tenant.post("/security-groups", json!({"name": "web"})).await;
    assert_eq!(dup.expect_error(409), "SECURITY_GROUP_NAME_DUPLICATED");
    id_of(&group)
}

async fn volume(tenant: &Api, choices: &Choices) -> i64 {
    let created = tenant
        .post(
            "/volumes",
            json!({"name": "data", "description": "app data", "size": 2,
                   "volume_type_id": choices.volume_type_id}),
        )
        .await
        .expect(202);
    assert_eq!(created["status"], "CREATING", "{created}");
    assert_eq!(created["size"], 2);
    let id = id_of(&created);
    let ready = get_until(tenant, &format!("/volumes/{id}"), "the volume becomes AVAILABLE", |v| {
        v["status"] == "AVAILABLE"
    })
    .await;
    assert!(ready["openstack_id"].is_string(), "{ready}");
    assert_eq!(ready["server"], Value::Null);
    assert!(ready["version"].as_i64().unwrap() > created["version"].as_i64().unwrap());
    id
}

async fn server(tenant: &Api, choices: &Choices, security_group_id: i64) -> Value {
    let created = tenant
        .post(
            "/servers",
            json!({"name": "web-1", "description": "web tier", "flavor_id": choices.flavor_id,
                   "network_id": choices.network_id,
                   "root_volume": {"size": choices.root_size, "image_id": choices.image_id},
                   "security_group_ids": [security_group_id]}),
        )
        .await
        .expect(202);
    assert_eq!(created["status"], "BUILD", "{created}");
    assert_eq!(created["task_state"], "creating");
    assert_eq!(created["security_groups"][0]["id"], security_group_id);
    assert_eq!(created["network_interface_ids"].as_array().unwrap().len(), 1);
    assert_eq!(created["volumes"][0]["is_root_volume"], true);
    let id = id_of(&created);
    let active = get_until(
        tenant,
        &format!("/servers/{id}"),
        "the server becomes ACTIVE with its root volume in use",
        |s| s["status"] == "ACTIVE" && s["task_state"].is_null() && s["volumes"][0]["status"] == "IN_USE",
    )
    .await;
    assert!(active["openstack_id"].is_string(), "{active}");
    assert!(active["last_synced_at"].is_string(), "{active}");
    assert_eq!(active["fixed_ip_addresses"].as_array().unwrap().len(), 1, "{active}");
    let in_list = tenant.get("/servers?name_eq=web-1").await.expect(200);
    assert_eq!(ids_in(&in_list["servers"]), [id]);
    active
}

async fn power(tenant: &Api, id: i64) {
    let path = format!("/servers/{id}");
    let refused = tenant.put(&format!("{path}/status?status=ACTIVE"), json!({})).await;
    assert_eq!(refused.expect_error(409), "SERVER_STATUS_INVALID_TO_START");

    let stopping = tenant
        .put(&format!("{path}/status?status=SHUTOFF"), json!({}))
        .await
        .expect(202);
    assert_eq!(stopping["task_state"], "stopping", "{stopping}");
    let busy = tenant.put(&format!("{path}/status?status=SHUTOFF"), json!({})).await;
    assert_eq!(busy.expect_error(409), "SERVER_BUSY");
    get_until(tenant, &path, "the server is SHUTOFF", |s| {
        s["status"] == "SHUTOFF" && s["task_state"].is_null()
    })
    .await;

    let starting = tenant
        .put(&format!("{path}/status?status=ACTIVE"), json!({}))
        .await
        .expect(202);
    assert_eq!(starting["task_state"], "starting", "{starting}");
    get_until(tenant, &path, "the server is ACTIVE again", |s| {
        s["status"] == "ACTIVE" && s["task_state"].is_null()
    })
    .await;
}

async fn attach_and_detach(tenant: &Api, server_id: i64, volume_id: i64) {
    let link = format!("/servers/{server_id}/volumes/{volume_id}");
    let volume = format!("/volumes/{volume_id}");
    let accepted = tenant.post(&link, json!({})).await.expect(202);
    assert_eq!(id_of(&accepted), server_id, "the answer is the server's detail");
    let shown = tenant.get(&volume).await.expect(200);
    assert!(shown["status"] == "ATTACHING" || shown["status"] == "IN_USE", "{shown}");
    let attached = get_until(tenant, &volume, "the volume is IN_USE on the server", |v| {
        v["status"] == "IN_USE" && v["server"]["id"] == server_id && v["task_state"].is_null()
    })
    .await;
    assert_eq!(attached["server"]["name"], "web-1");
    let server = tenant.get(&format!("/servers/{server_id}")).await.expect(200);
    assert!(ids_in(&server["volumes"]).contains(&volume_id), "{server}");
    let in_use = tenant.delete(&volume).await;
    assert_eq!(in_use.expect_error(409), "ATTACHED_VOLUME_DELETION");

    tenant.delete(&link).await.expect(202);
    let detached = get_until(tenant, &volume, "the volume is AVAILABLE with no server", |v| {
        v["status"] == "AVAILABLE" && v["task_state"].is_null()
    })
    .await;
    assert_eq!(detached["server"], Value::Null, "{detached}");
    let server = tenant.get(&format!("/servers/{server_id}")).await.expect(200);
    assert!(!ids_in(&server["volumes"]).contains(&volume_id), "{server}");
}

async fn resize(tenant: &Api, volume_id: i64) {
    let path = format!("/volumes/{volume_id}");
    let shrink = tenant.put(&format!("{path}/size"), json!({"size": 1})).await;
    assert_eq!(shrink.expect_error(400), "VOLUME_RESIZE_NOT_ALLOWED");
    let extending = tenant
        .put(&format!("{path}/size"), json!({"size": 4}))
        .await
        .expect(202);
    assert_eq!(extending["status"], "EXTENDING", "{extending}");
    assert_eq!(extending["size"], 2, "the size changes once the cloud confirms");
    assert_eq!(extending["requested_size"], 4);
    let grown = get_until(tenant, &path, "the volume is 4 GiB and AVAILABLE", |v| {
        v["size"] == 4 && v["status"] == "AVAILABLE"
    })
    .await;
    assert_eq!(grown["requested_size"], Value::Null, "{grown}");
}

async fn floating_ip(tenant: &Api, choices: &Choices, server_id: i64, nic: i64) -> i64 {
    let created = tenant
        .post(
            "/floating-ips",
            json!({"floating_network_id": choices.external_network_id}),
        )
        .await
        .expect(201);
    assert!(created["address"].is_string(), "{created}");
    assert_eq!(created["server"], Value::Null);
    let id = id_of(&created);
    let link = format!("/network-interfaces/{nic}/floating-ips/{id}");
    let path = format!("/floating-ips/{id}");

    tenant.post(&link, json!({})).await.expect(204);
    let attached = tenant.get(&path).await.expect(200);
    assert_eq!(attached["server"]["id"], server_id, "{attached}");
    assert_eq!(attached["network_interface_id"], nic);
    let server = tenant.get(&format!("/servers/{server_id}")).await.expect(200);
    assert_eq!(ids_in(&server["floating_ips"]), [id], "{server}");
    let interface = tenant.get(&format!("/network-interfaces/{nic}")).await.expect(200);
    assert_eq!(interface["floating_ip"]["id"], id, "{interface}");
    let twice = tenant.post(&link, json!({})).await;
    assert_eq!(
        twice.expect_error(409),
        "FLOATING_IP_ALREADY_ATTACHED_TO_NETWORK_INTERFACE"
    );
    let in_use = tenant.delete(&path).await;
    assert_eq!(in_use.expect_error(409), "ATTACHED_FLOATING_IP_DELETION");

    tenant.delete(&link).await.expect(204);
    let detached = tenant.get(&path).await.expect(200);
    assert_eq!(detached["server"], Value::Null, "{detached}");
    assert_eq!(detached["network_interface_id"], Value::Null);
    id
}

/// `GET /servers/{id}/actions`: exactly `expected`, in order, each finished
/// with success by the tenant.
async fn action_log(tenant: &Api, server_id: i64, user_id: i64, expected: &[&str]) {
    let body = tenant.get(&format!("/servers/{server_id}/actions")).await.expect(200);
    let actions = body["actions"].as_array().unwrap();
    let names: Vec<&str> = actions.iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert_eq!(names, expected, "{body}");
    for a in actions {
        assert_eq!(a["result"], "success", "{a}");
        assert_eq!(a["user_id"], user_id, "{a}");
        assert!(a["request_id"].is_string() && a["finished_at"].is_string(), "{a}");
    }
}

fn root_volume_of(server: &Value) -> i64 {
    let volumes = server["volumes"].as_array().unwrap();
    let root = volumes
        .iter()
        .find(|v| v["is_root_volume"] == true)
        .unwrap_or_else(|| panic!("no root volume in {server}"));
    id_of(root)
}

async fn delete_everything(
    tenant: &Api,
    server_id: i64,
    root_volume_id: i64,
    nic: i64,
    volume_id: i64,
    floating_ip_id: i64,
    security_group_id: i64,
) {
    tenant
        .delete(&format!("/floating-ips/{floating_ip_id}"))
        .await
        .expect(204);
    gone(
        tenant,
        &format!("/floating-ips/{floating_ip_id}"),
        "FLOATING_IP_NOT_FOUND",
    )
    .await;

    tenant.delete(&format!("/volumes/{volume_id}")).await.expect(202);
    let deleting = tenant.get(&format!("/volumes/{volume_id}")).await;
    assert!(
        deleting.status == 404 || deleting.body["status"] == "DELETING",
        "a volume being deleted shows DELETING until it is gone: {deleting:?}"
    );
    gone(tenant, &format!("/volumes/{volume_id}"), "VOLUME_NOT_FOUND").await;

    let in_use = tenant.delete(&format!("/security-groups/{security_group_id}")).await;
    assert_eq!(in_use.expect_error(409), "ATTACHED_SECURITY_GROUP_DELETION");

    let deleted = tenant.delete(&format!("/servers/{server_id}")).await.expect(202);
    assert_eq!(deleted["server_id"], server_id);
    assert_eq!(deleted["volume_id"], root_volume_id);
    assert_eq!(deleted["network_interface_ids"], json!([nic]));
    gone(tenant, &format!("/servers/{server_id}"), "SERVER_NOT_FOUND").await;
    gone(tenant, &format!("/volumes/{root_volume_id}"), "VOLUME_NOT_FOUND").await;
    gone(
        tenant,
        &format!("/network-interfaces/{nic}"),
        "NETWORK_INTERFACE_NOT_FOUND",
    )
    .await;

    let reply = tenant.delete(&format!("/security-groups/{security_group_id}")).await;
    assert_eq!(reply.status, 204, "{reply:?}");
    gone(
        tenant,
        &format!("/security-groups/{security_group_id}"),
        "SECURITY_GROUP_NOT_FOUND",
    )
    .await;
}

/// The project's lists are empty and the cloud holds what it held before
/// the journey (its own default group and ports), and no server, volume or
/// floating IP.
async fn nothing_left(tenant: &Api, sim: &Sim, project: &Project, before: &[(&'static str, usize)]) {
    for (path, key) in [
        ("/servers", "servers"),
        ("/volumes", "volumes"),
        ("/security-groups", "security_groups"),
        ("/floating-ips", "floating_ips"),
        ("/network-interfaces", "network_interfaces"),
    ] {
        let body = tenant.get(path).await.expect(200);
        assert_eq!(body[key], json!([]), "{path} is empty");
    }
    let cloud = until("the cloud is back to how it was", CONVERGE, || async {
        let now = sim.census(&project.cloud).await;
        if now == before {
            Ok(now)
        } else {
            Err(format!("{now:?}, before {before:?}"))
        }
    })
    .await;
    for (kind, count) in cloud {
        if ["servers", "volumes", "floatingips"].contains(&kind) {
            assert_eq!(count, 0, "no {kind} left in {}", project.cloud);
        }
    }
}
