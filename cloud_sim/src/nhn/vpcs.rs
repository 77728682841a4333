//! NHN VPC resources: a VPC is a Neutron network with a `cidrv4`; a VPC subnet is a subnet.
use serde_json::{Value, json};

use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::paging::filter_by_attributes;
use crate::http::request::{Req, str_field, string_field};
use crate::http::response::Resp;
use crate::network::visible;
use crate::state::cloud::Cloud;
use crate::state::ipam;
use crate::state::model::{Network, Subnet};
use crate::time_fmt::micros_space;

fn vpc_not_found(id: &str) -> ApiError {
    ApiError::not_found("NetworkNotFound", &format!("Network {id} could not be found."))
}

fn subnet_not_found(id: &str) -> ApiError {
    ApiError::not_found("SubnetNotFound", &format!("Subnet {id} could not be found."))
}

fn routing_table(n: &Network) -> Value {
    let id = n.router_id.clone().unwrap_or_default();
    let short: String = n.id.chars().take(13).collect();
    json!({"id": id, "name": format!("vpc-{short}"), "default_table": true, "explicit": false, "gateway_id": id})
}

fn vpc_brief(n: &Network) -> Value {
    json!({
        "id": n.id, "name": n.name, "cidrv4": n.cidr, "state": "available",
        "create_time": micros_space(&n.created), "tenant_id": n.project_id,
        "shared": n.shared, "router:external": n.external
    })
}

fn subnet_view(cloud: &Cloud, s: &Subnet) -> Value {
    let net = cloud.networks.get(&s.network_id);
    let size = 1u64 << (32 - u32::from(s.prefix_len));
    let available = size
        .saturating_sub(5)
        .saturating_sub(s.allocated.len().saturating_sub(1) as u64);
    json!({
        "id": s.id, "name": s.name, "vpc_id": s.network_id, "cidr": s.cidr, "gateway": s.gateway_ip,
        "state": "available", "create_time": micros_space(&s.created), "available_ip_count": available,
        "enable_dhcp": s.enable_dhcp, "shared": net.is_some_and(|n| n.shared),
        "router:external": net.is_some_and(|n| n.external), "tenant_id": s.project_id,
        "routingtable": net.map(routing_table), "routes": [], "vpc": net.map(vpc_brief)
    })
}

fn vpc_detail(cloud: &Cloud, n: &Network) -> Value {
    let mut v = vpc_brief(n);
    v["routingtables"] = json!([routing_table(n)]);
    let subnets: Vec<Value> = n
        .subnets
        .iter()
        .filter_map(|s| cloud.subnets.get(s))
        .map(|s| subnet_view(cloud, s))
        .collect();
    v["subnets"] = json!(subnets);
    v
}

const NOT_FILTERS: &[&str] = &["limit", "marker", "fields", "sort_key", "sort_dir"];

pub fn list_vpcs(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let items: Vec<Value> = cloud
        .networks
        .values()
        .filter(|n| visible(ctx, &n.project_id, n.shared || n.external))
        .map(vpc_brief)
        .collect();
    let items = filter_by_attributes(
        items,
        req,
        NOT_FILTERS,
        &[
            "id",
            "name",
            "tenant_id",
            "shared",
            "router:external",
            "vpc_id",
            "cidr",
            "cidrv4",
            "state",
        ],
    )?;
    Ok(Resp::ok(json!({"vpcs": items})))
}

pub fn show_vpc(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let n = cloud
        .networks
        .get(id)
        .filter(|n| visible(ctx, &n.project_id, n.shared || n.external))
        .ok_or_else(|| vpc_not_found(id))?;
    Ok(Resp::ok(json!({"vpc": vpc_detail(cloud, n)})))
}

pub fn create_vpc(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("vpc")?;
    let name = string_field(&body, "name").ok_or_else(|| ApiError::bad_request("'name' is required"))?;
    let cidr = str_field(&body, "cidrv4").ok_or_else(|| ApiError::bad_request("'cidrv4' is required"))?;
    let (base, len) = ipam::parse_cidr(cidr).ok_or_else(|| {
        ApiError::bad_request(&format!("Invalid input for cidrv4: '{cidr}' is not a valid IP subnet."))
    })?;
    let id = cloud.insert_network(
        &ctx.project_id,
        &name,
        false,
        false,
        Some(format!("{}/{len}", ipam::format_ipv4(base))),
    );
    let rt = cloud.uuid();
    if let Some(n) = cloud.networks.get_mut(&id) {
        n.router_id = Some(rt);
    }
    cloud.count("vpc.create");
    let n = cloud.networks.get(&id).ok_or_else(|| vpc_not_found(&id))?;
    Ok(Resp::json(201, json!({"vpc": vpc_brief(n)})))
}

pub fn update_vpc(cloud: &mut Cloud, ctx: &Ctx, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("vpc")?;
    let now = cloud.now;
    let n = cloud
        .networks
        .get_mut(id)
        .filter(|n| n.project_id == ctx.project_id && !n.external)
        .ok_or_else(|| vpc_not_found(id))?;
    if let Some(name) = string_field(&body, "name") {
        n.name = name;
    }
    if let Some(c) = str_field(&body, "cidrv4") {
        let (base, len) = ipam::parse_cidr(c).ok_or_else(|| ApiError::bad_request("Invalid cidrv4"))?;
        n.cidr = Some(format!("{}/{len}", ipam::format_ipv4(base)));
    }
    n.updated = now;
    let n = cloud.networks.get(id).ok_or_else(|| vpc_not_found(id))?;
    Ok(Resp::ok(json!({"vpc": vpc_brief(n)})))
}

pub fn delete_vpc(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let n = cloud
        .networks
        .get(id)
        .filter(|n| n.project_id == ctx.project_id && !n.external)
        .ok_or_else(|| vpc_not_found(id))?;
    if !n.subnets.is_empty() {
        return Err(ApiError::conflict(
            "NetworkInUse",
            &format!("VPC {id} still has subnets."),
        ));
    }
    cloud.networks.remove(id);
    cloud.count("vpc.delete");
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
        .map(|s| subnet_view(cloud, s))
        .collect();
    let items = filter_by_attributes(
        items,
        req,
        NOT_FILTERS,
        &[
            "id",
            "name",
            "tenant_id",
            "shared",
            "router:external",
            "vpc_id",
            "cidr",
            "cidrv4",
            "state",
        ],
    )?;
    Ok(Resp::ok(json!({"vpcsubnets": items})))
}

pub fn show_subnet(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let s = cloud
        .subnets
        .get(id)
        .filter(|s| visible(ctx, &s.project_id, false))
        .ok_or_else(|| subnet_not_found(id))?;
    Ok(Resp::ok(json!({"vpcsubnet": subnet_view(cloud, s)})))
}

pub fn create_subnet(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("vpcsubnet")?;
    let vpc_id = str_field(&body, "vpc_id")
        .ok_or_else(|| ApiError::bad_request("'vpc_id' is required"))?
        .to_string();
    let cidr = str_field(&body, "cidr").ok_or_else(|| ApiError::bad_request("'cidr' is required"))?;
    let name = string_field(&body, "name").unwrap_or_default();
    let vpc = cloud
        .networks
        .get(&vpc_id)
        .filter(|n| n.project_id == ctx.project_id && !n.external)
        .ok_or_else(|| vpc_not_found(&vpc_id))?;
    let sub = ipam::parse_cidr(cidr).ok_or_else(|| ApiError::bad_request(&format!("Invalid cidr '{cidr}'")))?;
    if let Some(range) = vpc.cidr.as_deref().and_then(ipam::parse_cidr)
        && (sub.1 < range.1 || !ipam::contains(range.0, range.1, sub.0))
    {
        return Err(ApiError::bad_request(&format!(
            "Subnet CIDR {cidr} is not within VPC CIDR {}.",
            vpc.cidr.clone().unwrap_or_default()
        )));
    }
    for sid in &vpc.subnets {
        if let Some(other) = cloud.subnets.get(sid)
            && ipam::overlaps(sub, (other.net_base, other.prefix_len))
        {
            return Err(ApiError::bad_request(&format!(
                "Subnet CIDR {cidr} overlaps with subnet {}.",
                other.id
            )));
        }
    }
    let id = cloud.insert_subnet(&ctx.project_id, &vpc_id, &name, cidr, None)?;
    cloud.count("vpcsubnet.create");
    let s = cloud.subnets.get(&id).ok_or_else(|| subnet_not_found(&id))?;
    Ok(Resp::json(201, json!({"vpcsubnet": subnet_view(cloud, s)})))
}

pub fn update_subnet(cloud: &mut Cloud, ctx: &Ctx, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("vpcsubnet")?;
    let now = cloud.now;
    let s = cloud
        .subnets
        .get_mut(id)
        .filter(|s| s.project_id == ctx.project_id)
        .ok_or_else(|| subnet_not_found(id))?;
    if let Some(name) = string_field(&body, "name") {
        s.name = name;
    }
    s.updated = now;
    let s = cloud.subnets.get(id).ok_or_else(|| subnet_not_found(id))?;
    Ok(Resp::ok(json!({"vpcsubnet": subnet_view(cloud, s)})))
}

pub fn delete_subnet(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let s = cloud
        .subnets
        .get(id)
        .filter(|s| s.project_id == ctx.project_id)
        .ok_or_else(|| subnet_not_found(id))?;
    let network_id = s.network_id.clone();
    if cloud
        .ports
        .values()
        .any(|p| p.fixed_ips.iter().any(|f| f.subnet_id == id))
    {
        return Err(ApiError::conflict("SubnetInUse", &format!("Subnet {id} is in use.")));
    }
    cloud.subnets.remove(id);
    if let Some(n) = cloud.networks.get_mut(&network_id) {
        n.subnets.retain(|s| s != id);
    }
    cloud.count("vpcsubnet.delete");
    Ok(Resp::empty(204))
}
