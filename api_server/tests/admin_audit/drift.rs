//! `GET /admin/drift` and the three resolutions, each audited once.

use common::infrastructure::db::drift_findings::{self, DriftKind, NewFinding};
use serde_json::{Value, json};
use sqlx::MySqlPool;

use crate::helpers::*;
use crate::support::*;

async fn record(pool: &MySqlPool, f: NewFinding<'_>) -> i64 {
    drift_findings::record(pool, &f).await.unwrap();
    sqlx::query_scalar("SELECT MAX(id) FROM drift_finding")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn unmanaged<'a>(openstack_id: &'a str, name: &'a str) -> NewFinding<'a> {
    NewFinding {
        kind: DriftKind::UnmanagedInCloud,
        resource_type: "server",
        resource_id: None,
        project_id: None,
        openstack_id: Some(openstack_id),
        field: "",
        our_value: None,
        cloud_value: Some(name),
    }
}

fn flavor_mismatch<'a>(server_id: i64, project_id: i64, ours: &'a str, cloud: &'a str) -> NewFinding<'a> {
    NewFinding {
        kind: DriftKind::FieldMismatch,
        resource_type: "server",
        resource_id: Some(server_id),
        project_id: Some(project_id),
        openstack_id: Some("os-known"),
        field: "flavor_id",
        our_value: Some(ours),
        cloud_value: Some(cloud),
    }
}

async fn resolve(app: &TestApp, token: &str, id: i64, body: Value) -> reqwest::Response {
    app.post(&format!("/admin/drift/{id}/resolve"), Some(token), body).await
}

async fn resolution_events(pool: &MySqlPool, finding: i64) -> Vec<(i64, Option<i64>, Value)> {
    let rows: Vec<(i64, Option<i64>, sqlx::types::Json<Value>)> = sqlx::query_as(
        "SELECT id, project_id, detail FROM audit_event WHERE action = 'drift.resolve' AND resource_id = ?",
    )
    .bind(finding)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter().map(|(id, p, d)| (id, p, d.0)).collect()
}

#[tokio::test]
async fn adopting_an_unmanaged_server_puts_it_in_the_named_project_once_and_audits_it() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let project = add_project(pool, "team-a").await;
    let finding = record(pool, unmanaged("os-stray", "stray-vm")).await;

    let res = resolve(&app, &admin, finding, json!({"action": "adopt"})).await;
    assert_eq!(res.status(), 422, "the finding names no project");
    assert_eq!(field_of(&json_of(res).await), ["body.project_id"]);
    let res = resolve(&app, &admin, finding, json!({"action": "adopt", "project_id": 9999})).await;
    assert_eq!(field_of(&json_of(res).await), ["body.project_id"]);
    assert!(
        resolution_events(pool, finding).await.is_empty(),
        "refusals change nothing"
    );

    let res = resolve(&app, &admin, finding, json!({"action": "adopt", "project_id": project})).await;
    let body = ok_json(res).await;
    assert_eq!(body["status"], "resolved");
    assert_eq!(body["resolution"], "adopted");
    let (server_id, server_project, name): (i64, i64, String) = sqlx::query_as(
        "SELECT id, project_id, name FROM server WHERE openstack_id = 'os-stray' AND deleted_at IS NULL",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((server_project, name.as_str()), (project, "stray-vm"));
    let events = resolution_events(pool, finding).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].1, Some(project));
    assert_eq!(events[0].2["adopted_resource_id"], server_id);
    let (queued,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reconcile_request WHERE job = 'servers'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(queued, 1, "a servers pass is queued to fill in the adopted row");

    let res = resolve(&app, &admin, finding, json!({"action": "adopt", "project_id": project})).await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "DRIFT_FINDING_ALREADY_RESOLVED");
    let (servers,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM server")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(servers, 1);
    assert_eq!(resolution_events(pool, finding).await.len(), 1);
}

#[tokio::test]
async fn adopting_a_cloud_id_that_is_already_managed_is_409_and_leaves_the_finding_open() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let project = add_project(pool, "team-a").await;
    let existing = add_server(pool, project, "known", "ACTIVE").await;
    sqlx::query("UPDATE server SET openstack_id = 'os-dup' WHERE id = ?")
        .bind(existing)
        .execute(pool)
        .await
        .unwrap();
    let finding = record(pool, unmanaged("os-dup", "dup")).await;
    let res = resolve(&app, &admin, finding, json!({"action": "adopt", "project_id": project})).await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "DRIFT_RESOURCE_ALREADY_MANAGED");
    let open = ok_json(app.get("/admin/drift?status=open", &admin).await).await;
    assert_eq!(open["drift_findings"][0]["id"], finding);
}

#[tokio::test]
async fn ignoring_a_finding_closes_it_and_changes_no_inventory() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let finding = record(pool, unmanaged("os-noise", "noise")).await;
    let body = ok_json(resolve(&app, &admin, finding, json!({"action": "ignore"})).await).await;
    assert_eq!(body["resolution"], "ignored");
    assert!(body["resolved_by_user_id"].is_i64());
    let (servers,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM server")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(servers, 0);
    assert_eq!(resolution_events(pool, finding).await.len(), 1);
    let res = resolve(&app, &admin, finding, json!({"action": "ignore"})).await;
    assert_eq!(res.status(), 409);
}

#[tokio::test]
async fn accepting_the_cloud_value_writes_it_into_our_row_with_a_version_bump() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let project = add_project(pool, "team-a").await;
    let server = add_server(pool, project, "vm", "ACTIVE").await;
    let finding = record(pool, flavor_mismatch(server, project, "m1.small", "m1.large")).await;

    let body = ok_json(resolve(&app, &admin, finding, json!({"action": "accept_cloud"})).await).await;
    assert_eq!(body["resolution"], "accepted_cloud");
    let (flavor, version): (String, i64) = sqlx::query_as("SELECT flavor_id, version FROM server WHERE id = ?")
        .bind(server)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!((flavor.as_str(), version), ("m1.large", 2));
    let events = resolution_events(pool, finding).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].2["cloud_value"], "m1.large");
}

#[tokio::test]
async fn accepting_a_stale_cloud_value_is_409_and_overwrites_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let project = add_project(pool, "team-a").await;
    let server = add_server(pool, project, "vm", "ACTIVE").await;
    let finding = record(pool, flavor_mismatch(server, project, "m1.small", "m1.large")).await;
    sqlx::query("UPDATE server SET flavor_id = 'm1.xlarge', version = version + 1 WHERE id = ?")
        .bind(server)
        .execute(pool)
        .await
        .unwrap();

    let res = resolve(&app, &admin, finding, json!({"action": "accept_cloud"})).await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_of(res).await["code"], "DRIFT_FINDING_STALE");
    let (flavor,): (String,) = sqlx::query_as("SELECT flavor_id FROM server WHERE id = ?")
        .bind(server)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(flavor, "m1.xlarge");
    assert!(resolution_events(pool, finding).await.is_empty());
}

#[tokio::test]
async fn an_action_that_does_not_fit_the_finding_or_a_bad_body_is_422_and_a_missing_finding_404() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let project = add_project(pool, "team-a").await;
    let server = add_server(pool, project, "vm", "ACTIVE").await;
    let mismatch = record(pool, flavor_mismatch(server, project, "m1.small", "m1.large")).await;
    let unmanaged_id = record(pool, unmanaged("os-x", "x")).await;
    for (id, body) in [
        (mismatch, json!({"action": "adopt", "project_id": project})),
        (unmanaged_id, json!({"action": "accept_cloud"})),
        (mismatch, json!({"action": "delete_everything"})),
        (mismatch, json!({})),
        (mismatch, json!({"action": 3})),
    ] {
        let res = resolve(&app, &admin, id, body.clone()).await;
        assert_eq!(res.status(), 422, "{body}");
        assert_eq!(field_of(&json_of(res).await), ["body.action"], "{body}");
    }
    let res = app
        .client
        .post(app.url(&format!("/admin/drift/{mismatch}/resolve")))
        .bearer_auth(&admin)
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let res = app
        .post("/admin/drift/abc/resolve", Some(&admin), json!({"action": "ignore"}))
        .await;
    assert_eq!(res.status(), 422);
    let res = resolve(&app, &admin, 99_999, json!({"action": "ignore"})).await;
    assert_eq!(res.status(), 404);
    assert_eq!(json_of(res).await["code"], "DRIFT_FINDING_NOT_FOUND");
    let open = ok_json(app.get("/admin/drift?status=open", &admin).await).await;
    assert_eq!(
        open["drift_findings"].as_array().unwrap().len(),
        2,
        "nothing was resolved"
    );
}

#[tokio::test]
async fn drift_lists_filter_by_kind_resource_type_and_status_with_both_values() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let project = add_project(pool, "team-a").await;
    let server = add_server(pool, project, "vm", "ACTIVE").await;
    let mismatch = record(pool, flavor_mismatch(server, project, "m1.small", "m1.large")).await;
    let stray = record(pool, unmanaged("os-a", "a")).await;
    let mut volume = unmanaged("os-v", "v");
    volume.resource_type = "volume";
    let ignored = record(pool, volume).await;
    ok_json(resolve(&app, &admin, ignored, json!({"action": "ignore"})).await).await;

    let cases = [
        ("", vec![ignored, stray, mismatch]),
        ("status=open", vec![stray, mismatch]),
        ("status=resolved", vec![ignored]),
        ("kind=field_mismatch", vec![mismatch]),
        ("resource_type=volume", vec![ignored]),
        ("kind=unmanaged_in_cloud&status=open", vec![stray]),
    ];
    for (query, expected) in cases {
        let body = ok_json(app.get(&format!("/admin/drift?{query}"), &admin).await).await;
        assert_eq!(ids(body["drift_findings"].as_array().unwrap()), expected, "?{query}");
    }
    let body = ok_json(app.get("/admin/drift?kind=field_mismatch", &admin).await).await;
    let f = &body["drift_findings"][0];
    assert_eq!(
        (f["our_value"].as_str(), f["cloud_value"].as_str()),
        (Some("m1.small"), Some("m1.large"))
    );
    let res = app.get("/admin/drift?status=closed&kind=weird", &admin).await;
    let mut fields = field_of(&json_of(res).await);
    fields.sort();
    assert_eq!(fields, ["query.kind", "query.status"]);
}

#[tokio::test]
async fn two_concurrent_resolutions_of_one_finding_resolve_it_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let project = add_project(pool, "team-a").await;
    let finding = record(pool, unmanaged("os-race", "race")).await;
    let adopt = json!({"action": "adopt", "project_id": project});
    let (first, second) = tokio::join!(
        resolve(&app, &admin, finding, adopt.clone()),
        resolve(&app, &admin, finding, adopt.clone())
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409]);
    let (servers,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM server WHERE openstack_id = 'os-race'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(servers, 1);
    assert_eq!(resolution_events(pool, finding).await.len(), 1);
}
