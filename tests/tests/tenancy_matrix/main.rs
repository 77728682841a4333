//! Tenancy matrix generated from the OpenAPI document: every project-scoped
//! route, called by a member of another project with (a) a resource id of
//! the owner's project and (b) an id nobody has, answers the same, and
//! nothing changes anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod routes;
mod snapshot;

use std::collections::BTreeMap;
use std::time::Duration;

use e2e::Stack;
use e2e::stack::client;
use e2e::tenant::{self, Caller};
use e2e::tenant_resources::{self, TenantResources};
use reqwest::Method;
use routes::{Kind, Route};
use serde_json::Value;

/// An id no row of the fresh database has.
const MISSING_ID: i64 = 987_654_321;

/// Reconcile every second (so the resources settle quickly); the batch
/// server is stopped before the probing starts.
const FAST_RECONCILE: &[(&str, &str)] = &[
    ("BATCH_SERVERS_CRON", "* * * * * *"),
    ("BATCH_VOLUMES_CRON", "* * * * * *"),
    ("BATCH_FLOATING_IPS_CRON", "* * * * * *"),
    ("BATCH_NETWORK_INTERFACES_CRON", "* * * * * *"),
    ("BATCH_SECURITY_GROUPS_CRON", "* * * * * *"),
    ("BATCH_JITTER_MS", "0"),
];

/// GET routes whose answer is new on every call by design (a console URL
/// carries a fresh console token): checked for 200, not for an equal body.
const FRESH_EACH_CALL: &[&str] = &["/servers/{server_id}/vnc-url"];

fn ids_of(r: &TenantResources, kind: Kind) -> Vec<i64> {
    match kind {
        Kind::Server => vec![r.server_id],
        Kind::Volume => vec![r.volume_id, r.root_volume_id],
        Kind::SecurityGroup => vec![r.security_group_id],
        Kind::FloatingIp => vec![r.floating_ip_id],
        Kind::NetworkInterface => vec![r.network_interface_id],
    }
}

/// Status and error body of an answer, without the request id and with the
/// ids asked for written `{id}` (the message names the id it was given).
#[derive(Debug, PartialEq)]
struct Answer {
    status: u16,
    body: Value,
}

async fn call(caller: &Caller, route: &Route, ids: &[i64], if_match: Option<i64>) -> Answer {
    let mut req = caller.request(route.method.clone(), &route.path(ids));
    if let (true, Some(version)) = (route.if_match, if_match) {
        req = req.header("If-Match", format!("\"{version}\""));
    }
    if route.idempotency_key {
        req = req.header("Idempotency-Key", uuid::Uuid::new_v4().to_string());
    }
    if let Some(body) = &route.body {
        req = req.json(body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let mut body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
    if let Some(obj) = body.as_object_mut() {
        obj.remove("request_id");
        if let Some(Value::String(m)) = obj.get_mut("message") {
            *m = without_ids(m, ids);
        }
    }
    Answer { status, body }
}

fn without_ids(message: &str, ids: &[i64]) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        if digits.parse::<i64>().is_ok_and(|n| ids.contains(&n)) {
            out.push_str("{id}");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in message.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// The owner's GETs of its own resources: every one must answer 200.
async fn owner_reads(owner: &Caller, routes: &[Route], own: &TenantResources) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for route in routes.iter().filter(|r| r.method == Method::GET) {
        for ids in combinations(route, own) {
            let path = route.path(&ids);
            let body = owner.get_json(&path).await;
            if !FRESH_EACH_CALL.contains(&route.template.as_str()) {
                out.insert(path, body);
            }
        }
    }
    out
}

/// Every way to fill the route's path parameters with `own`'s ids.
fn combinations(route: &Route, own: &TenantResources) -> Vec<Vec<i64>> {
    let mut all = vec![Vec::new()];
    for (_, kind) in &route.params {
        all = all
            .into_iter()
            .flat_map(|prefix| {
                ids_of(own, *kind).into_iter().map(move |id| {
                    let mut next = prefix.clone();
                    next.push(id);
                    next
                })
            })
            .collect();
    }
    all
}

/// (foreign ids, missing ids) pairs for one route: each path parameter in
/// turn gets the owner's id or a missing one while the others name the
/// prober's own resources; with several parameters, also all foreign
/// against all missing.
fn cases(route: &Route, owner: &TenantResources, prober: &TenantResources) -> Vec<(Vec<i64>, Vec<i64>)> {
    let own: Vec<i64> = route.params.iter().map(|(_, k)| ids_of(prober, *k)[0]).collect();
    let mut out = Vec::new();
    for (i, (_, kind)) in route.params.iter().enumerate() {
        for foreign in ids_of(owner, *kind) {
            let (mut f, mut m) = (own.clone(), own.clone());
            f[i] = foreign;
            m[i] = MISSING_ID;
            out.push((f, m));
        }
    }
    if route.params.len() > 1 {
        let f: Vec<i64> = route.params.iter().map(|(_, k)| ids_of(owner, *k)[0]).collect();
        out.push((f, vec![MISSING_ID; route.params.len()]));
    }
    out
}

/// Versions of every resource, for `If-Match` headers.
async fn versions(member: &Caller, r: &TenantResources, into: &mut BTreeMap<(Kind, i64), i64>) {
    for kind in [
        Kind::Server,
        Kind::Volume,
        Kind::SecurityGroup,
        Kind::FloatingIp,
        Kind::NetworkInterface,
    ] {
        for id in ids_of(r, kind) {
            let body = member.get_json(&kind.detail_path(id)).await;
            into.insert((kind, id), body["version"].as_i64().unwrap());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_projects_ids_answer_like_missing_ones_on_every_project_route_and_change_nothing() {
    let mut stack = Stack::start_with(FAST_RECONCILE).await;
    let http = client();
    let doc: Value = http
        .get(format!("{}/openapi.json", stack.api_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let routes = routes::scoped_routes(&doc)
        .unwrap_or_else(|p| panic!("routes the tenancy matrix cannot cover:\n{}", p.join("\n")));
    for kind in [
        Kind::Server,
        Kind::Volume,
        Kind::SecurityGroup,
        Kind::FloatingIp,
        Kind::NetworkInterface,
    ] {
        assert!(
            routes.iter().any(|r| r.params.iter().any(|(_, k)| *k == kind)),
            "the document has no route for {kind:?}"
        );
    }

    let admin = tenant::admin(&stack, None).await;
    let owner = tenant::tenant(&stack, &admin, "tenancy-owner", "owner-a").await;
    let prober = tenant::tenant(&stack, &admin, "tenancy-prober", "prober-b").await;
    let (owner_catalog, prober_catalog) = tokio::join!(
        tenant_resources::catalog(&owner.member),
        tenant_resources::catalog(&prober.member)
    );
    let own = tenant_resources::create_all(&owner.member, &owner_catalog, "a").await;
    let probers = tenant_resources::create_all(&prober.member, &prober_catalog, "b").await;
    let status = stack.batch.stop_with("TERM", Duration::from_secs(30));
    assert!(status.is_some_and(|s| s.success()), "batch_server did not stop cleanly");

    let mut version = BTreeMap::new();
    versions(&owner.member, &own, &mut version).await;
    versions(&prober.member, &probers, &mut version).await;
    let reads_before = owner_reads(&owner.member, &routes, &own).await;
    let before = snapshot::take(&stack.db.pool, &stack.sim_url, &http).await;

    let mut mismatches = Vec::new();
    let mut compared = 0;
    for route in &routes {
        for (foreign, missing) in cases(route, &own, &probers) {
            let if_match = version.get(&(route.params[0].1, foreign[0])).copied();
            let a = call(&prober.member, route, &foreign, if_match).await;
            let m = call(&prober.member, route, &missing, if_match).await;
            compared += 1;
            if a != m || !(400..500).contains(&a.status) {
                mismatches.push(format!(
                    "{} {}: foreign {a:?} but missing {} {m:?}",
                    route.method,
                    route.path(&foreign),
                    route.path(&missing)
                ));
            }
        }
    }

    let after = snapshot::take(&stack.db.pool, &stack.sim_url, &http).await;
    let reads_after = owner_reads(&owner.member, &routes, &own).await;
    println!(
        "tenancy matrix: {} project-scoped routes, {compared} foreign/missing pairs, {} mismatches",
        routes.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "answers that tell another project's ids from missing ones:\n{}",
        mismatches.join("\n")
    );
    let changed = snapshot::differences(&before, &after);
    assert!(changed.is_empty(), "the probing changed state:\n{}", changed.join("\n"));
    assert_eq!(reads_before, reads_after, "the owner reads its resources differently");
    assert!(!before.tables["server"].is_empty(), "the snapshot holds the servers");
}
