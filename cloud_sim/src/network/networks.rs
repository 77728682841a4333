//! Networks, subnets and (read-only) routers.
use serde_json::{Value, json};

use super::{list, owner, view, visible};
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, bool_field, str_field, string_field};
use crate::http::response::Resp;
use crate::state::cloud::Cloud;
use crate::state::ipam;

pub fn network_not_found(id: &str) -> ApiError {
    ApiError::not_found("NetworkNotFound", &format!("Network {id} could not be found."))
}

fn subnet_not_found(id: &str) -> ApiError {
    ApiError::not_found("SubnetNotFound", &format!("Subnet {id} could not be found."))
}

pub fn list_networks(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let az = cloud.default_az();
    let items: Vec<Value> = cloud
        .networks
        .values()
        .filter(|n| visible(ctx, &n.project_id, n.shared || n.external))
        .map(|n| view::network(n, &az))
        .collect();
    list::respond(items, req, "networks", "networks")
}

pub fn show_network(cloud: &mut Cloud, ctx: &Ctx, _req: &Req, id: &str) -> ApiResult<Resp> {
    let az = cloud.default_az();
    let n = cloud
        .networks
        .get(id)
        .filter(|n| visible(ctx, &n.project_id, n.shared || n.external))
        .ok_or_else(|| network_not_found(id))?;
    Ok(Resp::ok(json!({"network": view::network(n, &az)})))
}

pub fn create_network(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("network")?;
    let project = owner(ctx, &body)?;
    let shared = bool_field(&body, "shared").unwrap_or(false);
    let external = bool_field(&body, "router:external").unwrap_or(false);
    if (shared || external) && !ctx.is_admin {
        return Err(ApiError::forbidden(
            "(rule:create_network and rule:create_network:shared) is disallowed by policy",
        ));
    }
    let name = string_field(&body, "name").unwrap_or_default();
    let id = cloud.insert_network(&project, &name, shared, external, None);
    if let Some(n) = cloud.networks.get_mut(&id) {
        n.admin_state_up = bool_field(&body, "admin_state_up").unwrap_or(true);
        n.description = string_field(&body, "description").unwrap_or_default();
        if let Some(mtu) = crate::http::request::int_field(&body, "mtu") {
            n.mtu = mtu.clamp(68, 9000) as u32;
        }
    }
    let rid = cloud.uuid();
    if let Some(n) = cloud.networks.get_mut(&id) {
        n.router_id = Some(rid);
    }
    cloud.ensure_default_sg(&project);
    cloud.count("network.create");
    let az = cloud.default_az();
    let n = cloud.networks.get(&id).ok_or_else(|| network_not_found(&id))?;
    Ok(Resp::json(201, json!({"network": view::network(n, &az)})))
}

pub fn update_network(cloud: &mut Cloud, ctx: &Ctx, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("network")?;
    let now = cloud.now;
    let n = cloud
        .networks
        .get_mut(id)
        .filter(|n| ctx.is_admin || n.project_id == ctx.project_id)
        .ok_or_else(|| network_not_found(id))?;
    if let Some(name) = string_field(&body, "name") {
        n.name = name;
    }
    if let Some(d) = string_field(&body, "description") {
        n.description = d;
    }
    if let Some(a) = bool_field(&body, "admin_state_up") {
        n.admin_state_up = a;
    }
    n.updated = now;
    n.revision += 1;
    let az = cloud.default_az();
    let n = cloud.networks.get(id).ok_or_else(|| network_not_found(id))?;
    Ok(Resp::ok(json!({"network": view::network(n, &az)})))
}

pub fn delete_network(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    cloud
        .networks
        .get(id)
        .filter(|n| ctx.is_admin || n.project_id == ctx.project_id)
        .ok_or_else(|| network_not_found(id))?;
    if cloud.ports.values().any(|p| p.network_id == id) {
        return Err(ApiError::conflict(
            "NetworkInUse",
            &format!(
                "Unable to complete operation on network {id}. There are one or more ports still in use on the network."
            ),
        ));
    }
    if let Some(n) = cloud.networks.remove(id) {
        for s in n.subnets {
            cloud.subnets.remove(&s);
        }
    }
    cloud.count("network.delete");
    Ok(Resp::empty(204))
}

pub fn list_subnets(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let items: Vec<Value> = cloud
        .subnets
        .values()
        .filter(|s| {
            let shared = cloud
                .networks
                .get(&s.network_id)
                .is_some_and(|n| n.shared || n.external);
            visible(ctx, &s.project_id, shared)
        })
        .map(view::subnet)
        .collect();
    list::respond(items, req, "subnets", "subnets")
}

pub fn show_subnet(cloud: &mut Cloud, ctx: &Ctx, _req: &Req, id: &str) -> ApiResult<Resp> {
    let s = cloud.subnets.get(id).ok_or_else(|| subnet_not_found(id))?;
    let shared = cloud
        .networks
        .get(&s.network_id)
        .is_some_and(|n| n.shared || n.external);
    if !visible(ctx, &s.project_id, shared) {
        return Err(subnet_not_found(id));
    }
    Ok(Resp::ok(json!({"subnet": view::subnet(s)})))
}

pub fn create_subnet(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("subnet")?;
    let project = owner(ctx, &body)?;
    let network_id = str_field(&body, "network_id")
        .ok_or_else(|| ApiError::bad_request("Invalid input for operation: network_id is required."))?
        .to_string();
    let net = cloud
        .networks
        .get(&network_id)
        .filter(|n| visible(ctx, &n.project_id, n.shared))
        .ok_or_else(|| network_not_found(&network_id))?;
    if net.project_id != project && !ctx.is_admin {
        return Err(ApiError::forbidden(
            "Tenant is not allowed to create subnets on this network",
        ));
    }
    if crate::http::request::int_field(&body, "ip_version").unwrap_or(4) != 4 {
        return Err(ApiError::bad_request(
            "Invalid input for ip_version. Only IPv4 is simulated.",
        ));
    }
    let cidr = str_field(&body, "cidr")
        .ok_or_else(|| ApiError::bad_request("Invalid input for operation: cidr is required."))?;
    let parsed = ipam::parse_cidr(cidr).ok_or_else(|| {
        ApiError::bad_request(&format!(
            "Invalid input for cidr. Reason: '{cidr}' is not a valid IP subnet."
        ))
    })?;
    for sid in &net.subnets {
        if let Some(other) = cloud.subnets.get(sid)
            && ipam::overlaps(parsed, (other.net_base, other.prefix_len))
        {
            return Err(ApiError::bad_request(&format!(
                "Invalid input for operation: Requested subnet with cidr: {cidr} for network: {network_id} overlaps with another subnet."
            )));
        }
    }
    let gateway = if body.get("gateway_ip").is_some() {
        Some(string_field(&body, "gateway_ip"))
    } else {
        None
    };
    let name = string_field(&body, "name").unwrap_or_default();
    let id = cloud.insert_subnet(&project, &network_id, &name, cidr, gateway)?;
    if let Some(s) = cloud.subnets.get_mut(&id) {
        s.enable_dhcp = bool_field(&body, "enable_dhcp").unwrap_or(true);
        if let Some(d) = body.get("dns_nameservers").and_then(Value::as_array) {
            s.dns_nameservers = d.iter().filter_map(Value::as_str).map(str::to_string).collect();
        }
    }
    cloud.count("subnet.create");
    let s = cloud.subnets.get(&id).ok_or_else(|| subnet_not_found(&id))?;
    Ok(Resp::json(201, json!({"subnet": view::subnet(s)})))
}

pub fn update_subnet(cloud: &mut Cloud, ctx: &Ctx, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("subnet")?;
    let now = cloud.now;
    let s = cloud
        .subnets
        .get_mut(id)
        .filter(|s| ctx.is_admin || s.project_id == ctx.project_id)
        .ok_or_else(|| subnet_not_found(id))?;
    if let Some(name) = string_field(&body, "name") {
        s.name = name;
    }
    if let Some(d) = body.get("dns_nameservers").and_then(Value::as_array) {
        s.dns_nameservers = d.iter().filter_map(Value::as_str).map(str::to_string).collect();
    }
    if let Some(e) = bool_field(&body, "enable_dhcp") {
        s.enable_dhcp = e;
    }
    s.updated = now;
    s.revision += 1;
    let s = cloud.subnets.get(id).ok_or_else(|| subnet_not_found(id))?;
    Ok(Resp::ok(json!({"subnet": view::subnet(s)})))
}

pub fn delete_subnet(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let s = cloud
        .subnets
        .get(id)
        .filter(|s| ctx.is_admin || s.project_id == ctx.project_id)
        .ok_or_else(|| subnet_not_found(id))?;
    let network_id = s.network_id.clone();
    if cloud
        .ports
        .values()
        .any(|p| p.fixed_ips.iter().any(|f| f.subnet_id == id))
    {
        return Err(ApiError::conflict(
            "SubnetInUse",
            &format!(
                "Unable to complete operation on subnet {id}: One or more ports have an IP allocation from this subnet."
            ),
        ));
    }
    cloud.subnets.remove(id);
    if let Some(n) = cloud.networks.get_mut(&network_id) {
        n.subnets.retain(|s| s != id);
    }
    cloud.count("subnet.delete");
    Ok(Resp::empty(204))
}

pub fn list_routers(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let ext = cloud.external_network_id.clone();
    let items: Vec<Value> = cloud
        .networks
        .values()
        .filter(|n| !n.external && visible(ctx, &n.project_id, false))
        .filter_map(|n| {
            let rid = n.router_id.clone().filter(|r| !r.is_empty())?;
            Some(json!({
                "id": rid, "name": format!("router-{}", n.name), "status": "ACTIVE", "admin_state_up": true,
                "external_gateway_info": {"network_id": ext, "enable_snat": true, "external_fixed_ips": []},
                "routes": [], "project_id": n.project_id, "tenant_id": n.project_id, "description": "",
                "revision_number": 1, "tags": []
            }))
        })
        .collect();
    list::respond(items, req, "routers", "routers")
}
