//! An admin's journey on the stack a tenant has just used: the inventory of
//! what the tenant made (deleted rows included), the audit trail of the
//! tenant's actions, drift made behind the control plane's back and resolved,
//! and reconcile runs, one of them asked for over the API.

use e2e::Stack;
use e2e::api::{Api, id_of, ids_in};
use e2e::catalog::Choices;
use e2e::sim::Sim;
use e2e::tenancy;
use e2e::wait::{CONVERGE, until};
use serde_json::{Value, json};

use crate::converge::{get_until, gone};
use crate::tenant::Journey;

pub async fn run(stack: &Stack, journey: &Journey) {
    let admin = tenancy::admin(&stack.api_url).await;
    let sim = Sim::new(&stack.sim_url);

    let refused = journey.tenant.get("/admin/inventory/servers").await;
    assert_eq!(refused.expect_error(403), "ADMIN_ROLE_REQUIRED");

    inventory(&admin, journey).await;
    audit_trail(&admin, journey).await;
    let open = admin.get("/admin/drift?status=open").await.expect(200);
    assert_eq!(
        open["drift_findings"],
        json!([]),
        "the tenant's journey left no drift behind"
    );
    adopt_an_unmanaged_volume(&admin, &sim, journey).await;
    accept_a_size_changed_in_the_cloud(&admin, &sim, journey).await;
    reconcile_runs(&admin).await;
}

/// Every row the tenant made is listed with `include_deleted`, deleted;
/// without it the project has none left.
async fn inventory(admin: &Api, j: &Journey) {
    let p = j.project.id;
    for (kind, ids) in [
        ("servers", vec![j.server_id]),
        ("volumes", vec![j.volume_id, j.root_volume_id]),
        ("security-groups", vec![j.security_group_id]),
        ("floating-ips", vec![j.floating_ip_id]),
        ("network-interfaces", vec![j.network_interface_id]),
    ] {
        let all = admin
            .get(&format!("/admin/inventory/{kind}?project_id={p}&include_deleted=true"))
            .await
            .expect(200);
        assert_eq!(all["kind"], kind);
        let items = all["items"].as_array().unwrap();
        let mut listed = ids_in(&all["items"]);
        listed.sort_unstable();
        let mut expected = ids.clone();
        expected.sort_unstable();
        assert_eq!(listed, expected, "{kind}: {all}");
        for item in items {
            assert_eq!(item["project_id"], p, "{item}");
            assert!(item["deleted_at"].is_string(), "{kind} {item} is deleted");
            assert!(item["openstack_id"].is_string(), "{kind} {item} reached the cloud");
        }
        let live = admin
            .get(&format!("/admin/inventory/{kind}?project_id={p}"))
            .await
            .expect(200);
        assert_eq!(live["items"], json!([]), "{kind}: no live rows left");
    }
    let projects = admin
        .get(&format!("/admin/inventory/projects?q={}", j.project.name))
        .await
        .expect(200);
    assert_eq!(ids_in(&projects["items"]), [p]);
    assert_eq!(
        projects["items"][0]["openstack_id"],
        j.project.cloud_project_id.as_str()
    );
    let users = admin
        .get(&format!("/admin/inventory/users?q={}", crate::tenant::ACCOUNT))
        .await
        .expect(200);
    assert_eq!(ids_in(&users["items"]), [j.user_id]);
    assert_eq!(users["items"][0]["status"], "ACTIVE");

    let summary = admin.get("/admin/summary").await.expect(200);
    let counted_here = summary["counts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["project_id"] == p && c["kind"] != "projects")
        .count();
    assert_eq!(counted_here, 0, "no live resources counted in the project: {summary}");
}

/// The tenant's audit trail, oldest first, is the journey's mutations in
/// order, each in the project, accepted or successful, with a request id.
async fn audit_trail(admin: &Api, j: &Journey) {
    let body = admin
        .get(&format!("/admin/audit-events?actor_user_id={}&limit=1000", j.user_id))
        .await
        .expect(200);
    assert_eq!(body["next_cursor"], Value::Null);
    let mut events = body["audit_events"].as_array().unwrap().clone();
    events.reverse();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| *a != "auth.login")
        .collect();
    assert_eq!(
        actions,
        [
            "security_group.create",
            "volume.create",
            "server.create",
            "server.stop",
            "server.start",
            "server.attach_volume",
            "server.detach_volume",
            "volume.extend",
            "floating_ip.create",
            "floating_ip.associate",
            "floating_ip.disassociate",
            "floating_ip.delete",
            "volume.delete",
            "server.delete",
            "security_group.delete",
        ],
        "{body}"
    );
    for e in &events {
        assert_eq!(e["actor_user_id"], j.user_id, "{e}");
        assert!(e["request_id"].is_string(), "{e}");
        assert!(
            ["success", "accepted", "failure"].contains(&e["outcome"].as_str().unwrap()),
            "{e}"
        );
        if e["action"] != "auth.login" {
            assert_eq!(e["project_id"], j.project.id, "{e}");
            assert_ne!(e["outcome"], "failure", "{e}");
        }
    }
    let logins = events.iter().filter(|e| e["action"] == "auth.login").count();
    assert!(logins >= 1, "the scoped login is audited");

    let server = admin
        .get(&format!(
            "/admin/audit-events?resource_type=server&resource_id={}",
            j.server_id
        ))
        .await
        .expect(200);
    let server_events = server["audit_events"].as_array().unwrap();
    assert!(
        server_events.iter().all(|e| e["resource_id"] == j.server_id),
        "{server}"
    );
    let oldest = server_events.last().unwrap();
    assert_eq!(oldest["action"], "server.create");
    assert_eq!(server_events.first().unwrap()["action"], "server.delete");

    let membership = admin
        .get(&format!(
            "/admin/audit-events?project_id={}&action=project.member_add",
            j.project.id
        ))
        .await
        .expect(200);
    let added = &membership["audit_events"][0];
    assert_ne!(added["actor_user_id"], j.user_id, "the admin added the member: {added}");
    assert_eq!(added["outcome"], "success");
}

/// A volume made in the project's cloud by someone else is found as
/// `unmanaged_in_cloud`, adopted into the project, filled in by the next
/// pass, and then the tenant's to delete.
async fn adopt_an_unmanaged_volume(admin: &Api, sim: &Sim, j: &Journey) {
    let cloud_id = sim
        .create(
            &j.project.cloud,
            "volumes",
            json!({"project_id": j.project.cloud_project_id, "name": "stray-disk", "size": 3, "status": "available"}),
        )
        .await;
    let finding = open_finding(admin, "unmanaged_in_cloud", |f| f["openstack_id"] == cloud_id.as_str()).await;
    assert_eq!(finding["resource_type"], "volume", "{finding}");
    assert_eq!(finding["project_id"], j.project.id, "the cloud project maps to ours");
    assert_eq!(finding["cloud_value"], "stray-disk");
    let fid = id_of(&finding);

    let accept = admin
        .post(
            &format!("/admin/drift/{fid}/resolve"),
            json!({"action": "accept_cloud"}),
        )
        .await;
    assert_eq!(accept.expect(422)["errors"][0]["field"], "body.action");
    let resolved = admin
        .post(&format!("/admin/drift/{fid}/resolve"), json!({"action": "adopt"}))
        .await
        .expect(200);
    assert_eq!(resolved["status"], "resolved", "{resolved}");
    assert_eq!(resolved["resolution"], "adopted");
    let again = admin
        .post(&format!("/admin/drift/{fid}/resolve"), json!({"action": "adopt"}))
        .await;
    assert_eq!(again.expect_error(409), "DRIFT_FINDING_ALREADY_RESOLVED");

    let listed = get_until(
        &j.tenant,
        "/volumes?limit=10",
        "the adopted volume is the tenant's, filled in from the cloud",
        |b| b["volumes"][0]["openstack_id"] == cloud_id.as_str() && b["volumes"][0]["size"] == 3,
    )
    .await;
    let volume = &listed["volumes"][0];
    assert_eq!(volume["name"], "stray-disk");
    assert_eq!(volume["status"], "AVAILABLE", "{volume}");
    let vid = id_of(volume);
    j.tenant.delete(&format!("/volumes/{vid}")).await.expect(202);
    gone(&j.tenant, &format!("/volumes/{vid}"), "VOLUME_NOT_FOUND").await;
    until("the adopted volume is gone from the cloud", CONVERGE, || async {
        let ids = sim.ids(&j.project.cloud, "volumes").await;
        if ids.is_empty() {
            Ok(())
        } else {
            Err(format!("{ids:?}"))
        }
    })
    .await;
    let events = admin
        .get(&format!(
            "/admin/audit-events?action=drift.resolve&resource_id={fid}&resource_type=drift_finding"
        ))
        .await;
    let events = events.expect(200);
    assert_eq!(events["audit_events"].as_array().unwrap().len(), 1, "{events}");
}

/// A size changed in the cloud is a `field_mismatch` with both values;
/// accepting the cloud's value writes it into our row.
async fn accept_a_size_changed_in_the_cloud(admin: &Api, sim: &Sim, j: &Journey) {
    let choices = Choices::read(&j.tenant).await;
    let created = j
        .tenant
        .post(
            "/volumes",
            json!({"name": "drifting", "size": 1, "volume_type_id": choices.volume_type_id}),
        )
        .await
        .expect(202);
    let vid = id_of(&created);
    let path = format!("/volumes/{vid}");
    let ready = get_until(&j.tenant, &path, "the volume is AVAILABLE", |v| {
        v["status"] == "AVAILABLE"
    })
    .await;
    let cloud_id = ready["openstack_id"].as_str().unwrap().to_owned();

    sim.modify(&j.project.cloud, "volumes", &cloud_id, json!({"size": 5}))
        .await;
    let finding = open_finding(admin, "field_mismatch", |f| f["resource_id"] == vid).await;
    assert_eq!(finding["field"], "size_gb", "{finding}");
    assert_eq!(finding["our_value"], "1");
    assert_eq!(finding["cloud_value"], "5");
    let still_ours = j.tenant.get(&path).await.expect(200);
    assert_eq!(still_ours["size"], 1, "the row keeps our value until an admin decides");

    let fid = id_of(&finding);
    let resolved = admin
        .post(
            &format!("/admin/drift/{fid}/resolve"),
            json!({"action": "accept_cloud"}),
        )
        .await
        .expect(200);
    assert_eq!(resolved["resolution"], "accepted_cloud", "{resolved}");
    let accepted = j.tenant.get(&path).await.expect(200);
    assert_eq!(accepted["size"], 5, "{accepted}");
    assert!(accepted["version"].as_i64() > ready["version"].as_i64());

    j.tenant.delete(&path).await.expect(202);
    gone(&j.tenant, &path, "VOLUME_NOT_FOUND").await;
    let open = admin.get("/admin/drift?status=open").await.expect(200);
    assert_eq!(open["drift_findings"], json!([]), "{open}");
}

/// Scheduled passes are listed; a pass asked for over the API is run by the
/// batch server and listed with trigger `api`.
async fn reconcile_runs(admin: &Api) {
    let scheduled = admin.get("/admin/reconcile-runs?job=servers&limit=5").await.expect(200);
    let runs = scheduled["reconcile_runs"].as_array().unwrap();
    assert!(!runs.is_empty(), "the servers job has run: {scheduled}");
    assert!(runs.iter().all(|r| r["job"] == "servers"), "{scheduled}");
    assert!(
        runs.iter()
            .any(|r| r["outcome"] == "success" && r["trigger_source"] == "schedule"),
        "{scheduled}"
    );

    let before = admin.get("/admin/reconcile-runs?job=security-groups").await.expect(200);
    assert_eq!(
        before["reconcile_runs"],
        json!([]),
        "the security-groups job is not scheduled in this stack"
    );
    let queued = admin
        .post("/admin/reconcile/security-groups", json!({}))
        .await
        .expect(202);
    assert_eq!(queued["job"], "security-groups");
    assert!(queued["reconcile_request_id"].is_i64(), "{queued}");
    let unknown = admin.post("/admin/reconcile/everything", json!({})).await;
    assert_eq!(unknown.expect(422)["errors"][0]["field"], "path.job");

    let ran = get_until(
        admin,
        "/admin/reconcile-runs?job=security-groups",
        "the requested pass ran",
        |b| b["reconcile_runs"][0]["finished_at"].is_string(),
    )
    .await;
    let runs = ran["reconcile_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "one request, one pass: {ran}");
    assert_eq!(runs[0]["trigger_source"], "api");
    assert_eq!(runs[0]["outcome"], "success", "{ran}");

    let summary = admin.get("/admin/summary").await.expect(200);
    let jobs: Vec<&str> = summary["last_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["job"].as_str().unwrap())
        .collect();
    for job in ["servers", "volumes", "security-groups"] {
        assert!(jobs.contains(&job), "{job} in the summary's last runs: {jobs:?}");
    }
}

async fn open_finding(admin: &Api, kind: &str, matches: impl Fn(&Value) -> bool) -> Value {
    let path = format!("/admin/drift?status=open&kind={kind}");
    let body = get_until(admin, &path, &format!("a {kind} finding"), |b| {
        b["drift_findings"].as_array().is_some_and(|f| f.iter().any(&matches))
    })
    .await;
    body["drift_findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| matches(f))
        .unwrap()
        .clone()
}
