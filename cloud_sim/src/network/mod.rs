//! Neutron v2.0 (and NHN's network API, which adds VPC resources and makes networks/subnets read-only).
pub mod floating_ips;
pub mod list;
pub mod networks;
pub mod ports;
pub mod security_groups;
pub mod view;

use serde_json::json;

use crate::http::auth::{Ctx, authenticate};
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::Req;
use crate::http::response::Resp;
use crate::http::route::Route;
use crate::nhn::vpcs;
use crate::state::State;
use crate::state::cloud::Cloud;

pub fn handle(st: &mut State, route: &Route, req: &Req) -> ApiResult<Resp> {
    if route.versionless {
        return Ok(Resp::ok(json!({"versions": [{
            "id": "v2.0", "status": "CURRENT",
            "links": [{"rel": "self", "href": format!("{}/v2.0/", route.root)}]
        }]})));
    }
    let ctx = authenticate(st, route, req)?;
    let cloud = st.clouds.get_mut(&ctx.cloud).ok_or_else(ApiError::route_not_found)?;
    route_request(cloud, &ctx, req)
}

fn read_only() -> ApiError {
    ApiError::not_found("HTTPNotFound", "The resource could not be found.")
}

fn route_request(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let segs: Vec<&str> = req.segs.iter().map(|s| s.strip_suffix(".json").unwrap_or(s)).collect();
    let nhn = cloud.nhn;
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", []) => Ok(resources(req)),
        ("GET", ["extensions"]) => Ok(extensions()),
        ("GET", ["networks"]) => networks::list_networks(cloud, ctx, req),
        ("GET", ["networks", id]) => networks::show_network(cloud, ctx, req, id),
        ("POST" | "PUT" | "DELETE", ["networks", ..]) if nhn => Err(read_only()),
        ("POST", ["networks"]) => networks::create_network(cloud, ctx, req),
        ("PUT", ["networks", id]) => networks::update_network(cloud, ctx, req, id),
        ("DELETE", ["networks", id]) => networks::delete_network(cloud, ctx, id),
        ("GET", ["subnets"]) => networks::list_subnets(cloud, ctx, req),
        ("GET", ["subnets", id]) => networks::show_subnet(cloud, ctx, req, id),
        ("POST" | "PUT" | "DELETE", ["subnets", ..]) if nhn => Err(read_only()),
        ("POST", ["subnets"]) => networks::create_subnet(cloud, ctx, req),
        ("PUT", ["subnets", id]) => networks::update_subnet(cloud, ctx, req, id),
        ("DELETE", ["subnets", id]) => networks::delete_subnet(cloud, ctx, id),
        ("GET", ["routers"]) if !nhn => networks::list_routers(cloud, ctx, req),
        ("GET", ["ports"]) => ports::list(cloud, ctx, req),
        ("POST", ["ports"]) => ports::create(cloud, ctx, req),
        ("GET", ["ports", id]) => ports::show(cloud, ctx, req, id),
        ("PUT", ["ports", id]) => ports::update(cloud, ctx, req, id),
        ("DELETE", ["ports", id]) => ports::delete(cloud, ctx, id),
        ("GET", ["security-groups"]) => security_groups::list(cloud, ctx, req),
        ("POST", ["security-groups"]) => security_groups::create(cloud, ctx, req),
        ("GET", ["security-groups", id]) => security_groups::show(cloud, ctx, req, id),
        ("PUT", ["security-groups", id]) => security_groups::update(cloud, ctx, req, id),
        ("DELETE", ["security-groups", id]) => security_groups::delete(cloud, ctx, id),
        ("GET", ["security-group-rules"]) => security_groups::list_rules(cloud, ctx, req),
        ("POST", ["security-group-rules"]) => security_groups::create_rules(cloud, ctx, req),
        ("GET", ["security-group-rules", id]) => security_groups::show_rule(cloud, ctx, req, id),
        ("DELETE", ["security-group-rules", id]) => security_groups::delete_rule(cloud, ctx, id),
        ("GET", ["floatingips"]) => floating_ips::list(cloud, ctx, req),
        ("POST", ["floatingips"]) => floating_ips::create(cloud, ctx, req),
        ("GET", ["floatingips", id]) => floating_ips::show(cloud, ctx, req, id),
        ("PUT", ["floatingips", id]) => floating_ips::update(cloud, ctx, req, id),
        ("DELETE", ["floatingips", id]) => floating_ips::delete(cloud, ctx, id),
        ("GET", ["vpcs"]) if nhn => vpcs::list_vpcs(cloud, ctx, req),
        ("POST", ["vpcs"]) if nhn => vpcs::create_vpc(cloud, ctx, req),
        ("GET", ["vpcs", id]) if nhn => vpcs::show_vpc(cloud, ctx, id),
        ("PUT", ["vpcs", id]) if nhn => vpcs::update_vpc(cloud, ctx, req, id),
        ("DELETE", ["vpcs", id]) if nhn => vpcs::delete_vpc(cloud, ctx, id),
        ("GET", ["vpcsubnets"]) if nhn => vpcs::list_subnets(cloud, ctx, req),
        ("POST", ["vpcsubnets"]) if nhn => vpcs::create_subnet(cloud, ctx, req),
        ("GET", ["vpcsubnets", id]) if nhn => vpcs::show_subnet(cloud, ctx, id),
        ("PUT", ["vpcsubnets", id]) if nhn => vpcs::update_subnet(cloud, ctx, req, id),
        ("DELETE", ["vpcsubnets", id]) if nhn => vpcs::delete_subnet(cloud, ctx, id),
        _ => Err(read_only()),
    }
}

fn resources(req: &Req) -> Resp {
    let items: Vec<serde_json::Value> = [
        "network",
        "subnet",
        "port",
        "security_group",
        "security_group_rule",
        "floatingip",
    ]
    .iter()
    .map(|r| {
        let coll = format!("{}s", r.replace('_', "-"));
        json!({"name": r, "collection": coll, "links": [{"rel": "self", "href": format!("{}/{coll}", req.root)}]})
    })
    .collect();
    Resp::ok(json!({"resources": items}))
}

fn extensions() -> Resp {
    let items: Vec<serde_json::Value> = [
        ("external-net", "Neutron external network"),
        ("router", "Neutron L3 Router"),
        ("security-group", "security-group"),
        ("standard-attr-timestamp", "Resource timestamps"),
        ("standard-attr-revisions", "Resource revision numbers"),
        ("filter-validation", "Filter parameters validation"),
        ("empty-string-filtering", "Empty String Filtering Extension"),
        ("pagination", "Pagination support"),
        ("sorting", "Sorting support"),
        ("project-id", "project_id field enabled"),
        ("fip-port-details", "Floating IP Port Details Extension"),
        ("port-security", "Port Security"),
        ("binding", "Port Binding"),
    ]
    .iter()
    .map(|(alias, name)| json!({"alias": alias, "name": name, "description": name, "updated": "2018-01-01T00:00:00-00:00", "links": []}))
    .collect();
    Resp::ok(json!({"extensions": items}))
}

/// Neutron hides other projects' objects behind a 404; shared objects are visible to all.
pub fn visible(ctx: &Ctx, project_id: &str, shared: bool) -> bool {
    ctx.is_admin || shared || project_id == ctx.project_id
}

/// Owner of a new object: the caller's project, or `project_id`/`tenant_id` from the body for admins.
pub fn owner(ctx: &Ctx, body: &serde_json::Value) -> ApiResult<String> {
    let requested = crate::http::request::str_field(body, "project_id")
        .or_else(|| crate::http::request::str_field(body, "tenant_id"));
    match requested {
        Some(p) if p != ctx.project_id => {
            if ctx.is_admin {
                Ok(p.to_string())
            } else {
                Err(ApiError::forbidden(
                    "Only admins can create resources in another project",
                ))
            }
        }
        _ => Ok(ctx.project_id.clone()),
    }
}
