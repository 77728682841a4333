//! Nova v2.1 (OpenStack) and NHN's v2 compute.
pub mod actions;
pub mod attachments;
pub mod catalog_resources;
pub mod create;
pub mod microversion;
pub mod servers;
pub mod view;

use serde_json::json;

use crate::http::auth::{Ctx, authenticate};
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::Req;
use crate::http::response::Resp;
use crate::http::route::Route;
use crate::state::State;
use crate::state::cloud::Cloud;
use microversion::{MAX_MINOR, Microversion};

pub fn handle(st: &mut State, route: &Route, req: &Req) -> ApiResult<Resp> {
    if route.versionless {
        return Ok(Resp::ok(
            json!({"versions": [version_doc(&format!("{}/v2.1", route.root))]}),
        ));
    }
    let nhn = route.service.is_nhn();
    let mv = if nhn {
        Microversion::legacy()
    } else {
        microversion::parse(req)?
    };
    if req.segs.is_empty() && req.method == "GET" {
        return Ok(echo(Resp::ok(json!({"version": version_doc(&route.root)})), mv, nhn));
    }
    let ctx = authenticate(st, route, req)?;
    let cloud = st.clouds.get_mut(&ctx.cloud).ok_or_else(ApiError::route_not_found)?;
    let resp = route_request(cloud, &ctx, req, mv)?;
    Ok(echo(resp, mv, nhn))
}

fn echo(resp: Resp, mv: Microversion, nhn: bool) -> Resp {
    if nhn {
        return resp;
    }
    let v = format!("2.{}", mv.minor);
    resp.with_header("OpenStack-API-Version", &format!("compute {v}"))
        .with_header("X-OpenStack-Nova-API-Version", &v)
        .with_header("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")
}

fn version_doc(href: &str) -> serde_json::Value {
    json!({
        "id": "v2.1", "status": "CURRENT", "version": format!("2.{MAX_MINOR}"), "min_version": "2.1",
        "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": format!("{}/", href.trim_end_matches('/'))}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2.1"}]
    })
}

fn route_request(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: Microversion) -> ApiResult<Resp> {
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["servers"]) => servers::list(cloud, ctx, req, mv, false),
        ("GET", ["servers", "detail"]) => servers::list(cloud, ctx, req, mv, true),
        ("POST", ["servers"]) => create::create(cloud, ctx, req, mv),
        ("GET", ["servers", id]) => servers::show(cloud, ctx, req, mv, id),
        ("PUT", ["servers", id]) => servers::update(cloud, ctx, req, mv, id),
        ("DELETE", ["servers", id]) => servers::delete(cloud, ctx, id),
        ("POST", ["servers", id, "action"]) => actions::action(cloud, ctx, req, mv, id),
        ("POST", ["servers", id, "remote-consoles"]) => actions::remote_console(cloud, ctx, req, mv, id),
        ("GET", ["servers", id, "os-volume_attachments"]) => attachments::list_volumes(cloud, ctx, mv, id),
        ("POST", ["servers", id, "os-volume_attachments"]) => attachments::attach_volume(cloud, ctx, req, mv, id),
        ("GET", ["servers", id, "os-volume_attachments", vid]) => attachments::show_volume(cloud, ctx, mv, id, vid),
        ("DELETE", ["servers", id, "os-volume_attachments", vid]) => attachments::detach_volume(cloud, ctx, id, vid),
        ("GET", ["servers", id, "os-interface"]) => attachments::list_interfaces(cloud, ctx, id),
        ("POST", ["servers", id, "os-interface"]) => attachments::attach_interface(cloud, ctx, req, id),
        ("GET", ["servers", id, "os-interface", pid]) => attachments::show_interface(cloud, ctx, id, pid),
        ("DELETE", ["servers", id, "os-interface", pid]) => attachments::detach_interface(cloud, ctx, id, pid),
        ("GET", ["servers", id, "metadata"]) => servers::metadata(cloud, ctx, id),
        ("GET", ["flavors"]) => catalog_resources::list_flavors(cloud, req, mv, false),
        ("GET", ["flavors", "detail"]) => catalog_resources::list_flavors(cloud, req, mv, true),
        ("GET", ["flavors", id]) => catalog_resources::show_flavor(cloud, req, mv, id),
        ("GET", ["flavors", id, "os-extra_specs"]) => catalog_resources::flavor_extra_specs(cloud, id),
        ("GET", ["os-availability-zone"]) | ("GET", ["os-availability-zone", "detail"]) => {
            Ok(catalog_resources::availability_zones(cloud))
        }
        ("GET", ["os-keypairs"]) => catalog_resources::list_keypairs(cloud, ctx),
        ("POST", ["os-keypairs"]) => catalog_resources::create_keypair(cloud, ctx, req, mv),
        ("GET", ["os-keypairs", name]) => catalog_resources::show_keypair(cloud, ctx, name),
        ("DELETE", ["os-keypairs", name]) => catalog_resources::delete_keypair(cloud, ctx, mv, name),
        ("GET", ["limits"]) => Ok(catalog_resources::limits(cloud, ctx)),
        _ => Err(ApiError::not_found("NotFound", "The resource could not be found.")),
    }
}

/// A server visible to the caller (own project, or any project for admins); deleted ones are gone.
pub fn visible_server<'a>(cloud: &'a Cloud, ctx: &Ctx, id: &str) -> ApiResult<&'a crate::state::model::Server> {
    cloud
        .servers
        .get(id)
        .filter(|s| !s.deleted && (ctx.is_admin || s.project_id == ctx.project_id))
        .ok_or_else(|| server_not_found(id))
}

pub fn server_not_found(id: &str) -> ApiError {
    ApiError::not_found("InstanceNotFound", &format!("Instance {id} could not be found."))
}
