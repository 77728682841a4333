//! `/openapi.json` (OpenAPI 3.1 generated from the handlers) and `/docs`
//! (Swagger UI served from the binary; no network needed).

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::{
    admin, auth, catalog, floating_ips, network_interfaces, operations, projects, resource, security_groups, servers,
    users, volumes,
};
use crate::error::{ErrorBody, FieldErrorBody};

#[derive(OpenApi)]
#[openapi(
    info(title = "cloudplane API", description = "Accounts, projects and project resources of the control plane"),
    paths(
        operations::health, operations::ready, operations::metrics,
        auth::login::handle, auth::logout::handle,
        users::create::handle, users::list::handle, users::get::handle,
        users::rename::handle, users::password::handle, users::delete::handle,
        projects::list::handle, projects::get::handle, projects::create::handle,
        projects::rename::handle, projects::delete::handle,
        projects::members::add, projects::members::remove,
        projects::quotas::get, projects::quotas::put,
        servers::read::list, servers::read::get, servers::read::actions, servers::read::vnc_url,
        servers::write::create, servers::write::update_info, servers::write::delete, servers::write::set_status,
        servers::volumes::attach, servers::volumes::detach,
        volumes::list, volumes::get, volumes::create, volumes::update_info, volumes::resize, volumes::delete,
        security_groups::list, security_groups::get, security_groups::create, security_groups::update,
        security_groups::delete,
        floating_ips::list, floating_ips::get, floating_ips::create, floating_ips::delete,
        network_interfaces::list, network_interfaces::get, network_interfaces::attach, network_interfaces::detach,
        catalog::flavors, catalog::images, catalog::networks, catalog::volume_types, catalog::zones,
        admin::inventory::handle, admin::summary::handle, admin::audit_events::handle,
        admin::drift_list::handle, admin::drift_resolve::handle,
        admin::reconcile_runs::handle, admin::reconcile_trigger::handle,
    ),
    components(schemas(ErrorBody, FieldErrorBody)),
    modifiers(&BearerScheme, &CommonResponses),
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Answers every operation can give by the conventions, added where the
/// handler's own list leaves them out: 401 when it takes a token, 422 when
/// it takes path, query or header parameters or a body (all are validated),
/// 503 when it reads the database, 502 when it calls the cloud. Each
/// operation is also given an id made of its method and path, unique in
/// the document (the handlers' function names repeat: `list`, `handle`).
struct CommonResponses;

/// Path roots of the project resources, whose changes are cloud calls.
const CLOUD_BACKED: [&str; 5] = [
    "/servers",
    "/volumes",
    "/security-groups",
    "/floating-ips",
    "/network-interfaces",
];

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("put", &mut item.put),
                ("post", &mut item.post),
                ("delete", &mut item.delete),
                ("patch", &mut item.patch),
            ];
            for (method, op) in operations.into_iter().filter_map(|(m, op)| Some((m, op.as_mut()?))) {
                op.operation_id = Some(operation_id(method, path));
                let takes_token = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let takes_input = op.parameters.as_ref().is_some_and(|p| !p.is_empty()) || op.request_body.is_some();
                let responses = &mut op.responses.responses;
                if takes_token {
                    responses.entry("401".to_string()).or_insert_with(|| {
                        error_response("Missing, invalid, expired or revoked token (INVALID_ACCESS_TOKEN)")
                    });
                }
                if takes_input {
                    responses.entry("422".to_string()).or_insert_with(|| {
                        error_response("Invalid input (VALIDATION_FAILED, with every bad field in errors)")
                    });
                }
                if takes_token || takes_input {
                    responses.entry("503".to_string()).or_insert_with(|| {
                        error_response(
                            "The database or the cloud cannot be reached now (DB_UNAVAILABLE, CLOUD_UNAVAILABLE); retry after Retry-After",
                        )
                    });
                }
                if reaches_cloud(method, path) {
                    responses
                        .entry("502".to_string())
                        .or_insert_with(|| error_response("The cloud answered with an error (CLOUD_ERROR)"));
                }
            }
        }
    }
}

fn reaches_cloud(method: &str, path: &str) -> bool {
    let resource = CLOUD_BACKED
        .iter()
        .any(|root| path == *root || path.starts_with(&format!("{root}/")));
    path.starts_with("/catalog/")
        || path.ends_with("/vnc-url")
        || (resource && method != "get")
        || (path == "/projects" && method == "post")
}

/// `get /servers/{server_id}/actions` -> `getServersServerIdActions`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for word in path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id
}

fn error_response(description: &str) -> RefOr<Response> {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ErrorBody")))
        .build();
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content("application/json", content)
            .build(),
    )
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/openapi.json").route(web::get().to(openapi_json)))
        .service(resource("/docs").route(web::get().to(docs_index)))
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", ApiDoc::openapi()));
}

async fn docs_index() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((LOCATION, "/docs/"))
        .finish()
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
