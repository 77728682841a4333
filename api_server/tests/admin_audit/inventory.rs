//! `GET /admin/inventory/{kind}`: filters, keyset pages, CSV.

use std::collections::HashSet;

use reqwest::header::ACCEPT;

use crate::helpers::*;
use crate::support::*;

#[tokio::test]
async fn pages_through_1200_servers_without_duplicates_or_gaps_even_when_rows_arrive_between_pages() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    for (i, name) in ["p1", "p2", "p3"].into_iter().enumerate() {
        let project = add_project(pool, name).await;
        add_servers(pool, project, &format!("vm{i}"), "ACTIVE", 400).await;
    }
    let first = ok_json(app.get("/admin/inventory/servers?limit=500", &admin).await).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 500);
    let late_project = add_project(pool, "late").await;
    add_servers(pool, late_project, "late", "ACTIVE", 7).await;

    let cursor = first["next_cursor"].as_str().map(str::to_owned);
    let (rest, pages) = walk_from(&app, &admin, "/admin/inventory/servers?limit=500", "items", cursor).await;
    let mut seen = ids(first["items"].as_array().unwrap());
    seen.extend(ids(&rest));
    assert_eq!(pages, 2, "700 more rows + 7 late in pages of 500");
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "a row appeared twice");
    let all: Vec<i64> = sqlx::query_scalar("SELECT id FROM server ORDER BY created_at, id")
        .fetch_all(pool)
        .await
        .unwrap();
    assert_eq!(seen, all, "every row once, in keyset order");
    assert_eq!(all.len(), 1207);
}

#[tokio::test]
async fn default_page_is_100_and_limit_above_1000_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let project = add_project(&app.db.pool, "p").await;
    add_servers(&app.db.pool, project, "vm", "ACTIVE", 150).await;
    let page = ok_json(app.get("/admin/inventory/servers", &admin).await).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 100);
    assert!(page["next_cursor"].is_string());
    let res = app.get("/admin/inventory/servers?limit=1001", &admin).await;
    assert_eq!(res.status(), 422);
    assert_eq!(field_of(&json_of(res).await), ["query.limit"]);
}

#[tokio::test]
async fn filters_by_project_status_name_deletion_and_update_time() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let a = add_project(pool, "team-a").await;
    let b = add_project(pool, "team-b").await;
    let web_a = add_server(pool, a, "web-a", "ACTIVE").await;
    let db_a = add_server(pool, a, "db_a", "ERROR").await;
    let web_b = add_server(pool, b, "web-b", "SHUTOFF").await;
    let gone = add_server(pool, a, "web-gone", "ACTIVE").await;
    sqlx::query("UPDATE server SET deleted_at = UTC_TIMESTAMP(6) WHERE id = ?")
        .bind(gone)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE server SET updated_at = '2020-01-01 00:00:00' WHERE id IN (?, ?)")
        .bind(web_a)
        .bind(db_a)
        .execute(pool)
        .await
        .unwrap();

    let cases: [(&str, Vec<i64>); 8] = [
        ("", vec![web_a, db_a, web_b]),
        ("project_id={a}", vec![web_a, db_a]),
        ("status=ERROR", vec![db_a]),
        ("q=web", vec![web_a, web_b]),
        ("q=_", vec![db_a]),
        ("include_deleted=true", vec![web_a, db_a, web_b, gone]),
        ("include_deleted=true&project_id={a}&q=gone", vec![gone]),
        ("updated_since=2024-01-01T00:00:00Z", vec![web_b]),
    ];
    for (query, expected) in cases {
        let query = query.replace("{a}", &a.to_string());
        let body = ok_json(app.get(&format!("/admin/inventory/servers?{query}"), &admin).await).await;
        assert_eq!(ids(body["items"].as_array().unwrap()), expected, "?{query}");
    }
    let body = ok_json(
        app.get("/admin/inventory/servers?include_deleted=true&q=gone", &admin)
            .await,
    )
    .await;
    assert!(body["items"][0]["deleted_at"].is_string());
}

#[tokio::test]
async fn every_kind_lists_rows_of_all_projects() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let a = add_project(pool, "team-a").await;
    let b = add_project(pool, "team-b").await;
    add_server(pool, a, "vm", "ACTIVE").await;
    for project in [a, b] {
        sqlx::query("INSERT INTO volume (project_id, name, size_gb, status) VALUES (?, 'disk', 10, 'available')")
            .bind(project)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO security_group (project_id, name) VALUES (?, 'default')")
            .bind(project)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO floating_ip (project_id, floating_network_id, address, status) VALUES (?, 'ext', '203.0.113.9', 'DOWN')")
            .bind(project)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO network_interface (project_id, network_id, fixed_ip, status) VALUES (?, 'net', '10.0.0.5', 'ACTIVE')")
            .bind(project)
            .execute(pool)
            .await
            .unwrap();
    }
    app.sign_up("carol").await;
    for (kind, expected, name) in [
        ("servers", 1, "vm"),
        ("volumes", 2, "disk"),
        ("security-groups", 2, "default"),
        ("floating-ips", 2, "203.0.113.9"),
        ("network-interfaces", 2, "10.0.0.5"),
        ("projects", 2, "team-a"),
        ("users", 2, "admin"),
    ] {
        let body = ok_json(app.get(&format!("/admin/inventory/{kind}"), &admin).await).await;
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), expected, "{kind}: {body}");
        assert_eq!(body["kind"], kind);
        assert_eq!(items[0]["name"], name, "{kind}");
    }
    let users = ok_json(app.get("/admin/inventory/users?q=carol&status=ACTIVE", &admin).await).await;
    assert_eq!(users["items"].as_array().unwrap().len(), 1);
    assert!(users["items"][0]["project_id"].is_null());
}

#[tokio::test]
async fn csv_has_a_header_row_quotes_what_needs_it_and_keeps_the_filters() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let pool = &app.db.pool;
    let a = add_project(pool, "team-a").await;
    let b = add_project(pool, "team-b").await;
    let tricky = add_server(pool, a, "web, \"prod\"", "ACTIVE").await;
    add_server(pool, a, "=cmd", "ACTIVE").await;
    add_server(pool, a, "plain", "ACTIVE").await;
    add_server(pool, b, "other", "ACTIVE").await;

    let res = app
        .client
        .get(app.url(&format!("/admin/inventory/servers?project_id={a}&limit=2")))
        .bearer_auth(&admin)
        .header(ACCEPT, "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let next = res
        .headers()
        .get("x-next-cursor")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = res.text().await.unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "id,project_id,name,status,openstack_id,pending_action,pending_since,created_at,updated_at,deleted_at,version"
    );
    assert_eq!(lines.len(), 3, "header + a page of 2: {text}");
    assert!(
        lines[1].starts_with(&format!("{tricky},{a},\"web, \"\"prod\"\"\",ACTIVE,,,,")),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",'=cmd,"), "{}", lines[2]);
    assert!(!text.contains("other"), "the project filter holds for CSV");

    let rest = app
        .client
        .get(app.url(&format!(
            "/admin/inventory/servers?project_id={a}&limit=2&cursor={}",
            next.unwrap()
        )))
        .bearer_auth(&admin)
        .header(ACCEPT, "text/csv")
        .send()
        .await
        .unwrap();
    assert!(rest.headers().get("x-next-cursor").is_none());
    let text = rest.text().await.unwrap();
    assert!(text.contains(",plain,"), "{text}");
}

#[tokio::test]
async fn an_unknown_kind_or_bad_filter_answers_422_at_its_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app.get("/admin/inventory/gadgets", &admin).await;
    assert_eq!(res.status(), 422);
    let body = json_of(res).await;
    assert_eq!(field_of(&body), ["path.kind"]);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("network-interfaces")
    );

    let res = app
        .get(
            "/admin/inventory/servers?project_id=x&include_deleted=maybe&updated_since=yesterday&cursor=junk",
            &admin,
        )
        .await;
    assert_eq!(res.status(), 422);
    let mut fields = field_of(&json_of(res).await);
    fields.sort();
    assert_eq!(
        fields,
        [
            "query.cursor",
            "query.include_deleted",
            "query.project_id",
            "query.updated_since"
        ]
    );
}
