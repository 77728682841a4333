//! The OpenAPI document and the docs page.

use serde_json::Value;

use crate::helpers::*;

async fn served_document() -> Value {
    let app = spawn_app().await;
    app.client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_describes_every_response() {
    let doc = served_document().await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(!doc["info"]["description"].as_str().unwrap_or_default().is_empty());
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/users",
        "/users/{id}",
        "/auth/login",
        "/projects/{id}/quotas",
        "/projects/{id}/users/{user_id}",
        "/metrics",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                let description = response["description"].as_str().unwrap_or_default();
                assert!(!description.is_empty(), "{method} {path} {status} has no description");
            }
        }
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}

#[tokio::test]
async fn every_operation_has_its_own_id_and_documents_the_unavailable_answers() {
    let doc = served_document().await;
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no id"));
            assert!(ids.insert(id.to_owned()), "{id} ({method} {path}) repeats");
            let responses = op["responses"].as_object().unwrap();
            if op["security"].as_array().is_some_and(|s| !s.is_empty()) {
                assert!(responses.contains_key("503"), "{method} {path} lacks 503");
            }
        }
    }
    assert_eq!(
        doc["paths"]["/servers/{server_id}/actions"]["get"]["operationId"],
        "getServersServerIdActions"
    );
    for (path, method) in [
        ("/servers", "post"),
        ("/volumes/{volume_id}", "delete"),
        ("/catalog/flavors", "get"),
    ] {
        assert!(
            doc["paths"][path][method]["responses"]["502"].is_object(),
            "{method} {path} lacks 502"
        );
    }
    assert!(doc["paths"]["/servers"]["get"]["responses"]["502"].is_null());
}

#[tokio::test]
async fn request_schemas_carry_the_limits_the_server_enforces() {
    let doc = served_document().await;
    let schemas = &doc["components"]["schemas"];
    let server = &schemas["CreateServerRequest"]["properties"];
    assert_eq!(server["name"]["maxLength"], 255);
    assert_eq!(server["flavor_id"]["maxLength"], 64);
    let root = &schemas["RootVolumeRequest"]["properties"]["size"];
    assert_eq!(
        (root["minimum"].clone(), root["maximum"].clone()),
        (1.into(), 16384.into())
    );
    assert_eq!(
        schemas["SignUpRequest"]["properties"]["account_id"]["pattern"],
        "^[a-z0-9_.-]+$"
    );
    assert_eq!(schemas["RuleRequest"]["properties"]["port_range_max"]["maximum"], 65535);
    let limit = doc["paths"]["/servers"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap()
        .clone();
    assert_eq!(limit["schema"]["maximum"], 1000);
}

#[tokio::test]
async fn the_docs_page_is_served_without_external_urls() {
    let app = spawn_app().await;
    let res = app.client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    assert!(!html.contains("https://"), "{html}");
    let init = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
    assert!(!init.contains("https://"), "{init}");
}
