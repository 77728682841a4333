//! Floating IPs: allocate from the external network, associate via port_id, disassociate, release.
use serde_json::{Value, json};

use super::ports::port_not_found;
use super::{list, owner, view, visible};
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, bool_field, str_field, string_field};
use crate::http::response::Resp;
use crate::state::cloud::Cloud;
use crate::state::model::FloatingIp;
use crate::state::transitions::Event;

fn fip_not_found(id: &str) -> ApiError {
    ApiError::not_found("FloatingIPNotFound", &format!("Floating IP {id} could not be found"))
}

pub fn list(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let items: Vec<Value> = cloud
        .floating_ips
        .values()
        .filter(|f| visible(ctx, &f.project_id, false))
        .map(|f| view::floating_ip(cloud, f))
        .collect();
    list::respond(items, req, "floatingips", "floatingips")
}

pub fn show(cloud: &mut Cloud, ctx: &Ctx, _req: &Req, id: &str) -> ApiResult<Resp> {
    let f = cloud
        .floating_ips
        .get(id)
        .filter(|f| visible(ctx, &f.project_id, false))
        .ok_or_else(|| fip_not_found(id))?;
    Ok(Resp::ok(json!({"floatingip": view::floating_ip(cloud, f)})))
}

/// The (port, fixed ip, router) an association would produce, or the error neutron gives.
fn association_target(
    cloud: &Cloud,
    ctx: &Ctx,
    fip_id: Option<&str>,
    port_id: &str,
    fixed_ip: Option<&str>,
) -> ApiResult<(String, String, String)> {
    let port = cloud
        .ports
        .get(port_id)
        .filter(|p| visible(ctx, &p.project_id, false))
        .ok_or_else(|| port_not_found(port_id))?;
    let ip = match fixed_ip {
        Some(want) => port
            .fixed_ips
            .iter()
            .find(|f| f.ip_address == want)
            .ok_or_else(|| ApiError::bad_request(&format!("Port {port_id} does not have fixed ip {want}")))?,
        None => port.fixed_ips.first().ok_or_else(|| {
            ApiError::bad_request(&format!(
                "Bad floatingip request: Port {port_id} does not have any fixed IP addresses."
            ))
        })?,
    };
    let router = cloud
        .networks
        .get(&port.network_id)
        .and_then(|n| n.router_id.clone())
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            ApiError::not_found(
                "ExternalGatewayForFloatingIPNotFound",
                &format!(
                    "External network {} is not reachable from subnet {}. Therefore, cannot associate Port {port_id} with a Floating IP.",
                    cloud.external_network_id, ip.subnet_id
                ),
            )
        })?;
    if let Some(other) = cloud.floating_ips.values().find(|f| {
        Some(f.id.as_str()) != fip_id
            && f.fixed_ip.as_deref() == Some(ip.ip_address.as_str())
            && f.port_id.as_deref() == Some(port_id)
    }) {
        return Err(ApiError::conflict(
            "FloatingIPPortAlreadyAssociated",
            &format!(
                "Cannot associate floating IP {} ({}) with port {port_id} using fixed IP {}, as that fixed IP already has a floating IP on external network {}.",
                other.address, other.id, ip.ip_address, other.floating_network_id
            ),
        ));
    }
    Ok((port.id.clone(), ip.ip_address.clone(), router))
}

pub fn create(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("floatingip")?;
    let project = owner(ctx, &body)?;
    let net_id = str_field(&body, "floating_network_id")
        .ok_or_else(|| {
            ApiError::bad_request("Failed to parse request. Required attribute 'floating_network_id' not specified")
        })?
        .to_string();
    let net = cloud
        .networks
        .get(&net_id)
        .ok_or_else(|| super::networks::network_not_found(&net_id))?;
    if !net.external {
        return Err(ApiError::bad_request(&format!(
            "Bad floatingip request: Network {net_id} is not a valid external network."
        )));
    }
    let subnet = net.subnets.first().cloned().ok_or_else(|| {
        ApiError::conflict(
            "ExternalIpAddressExhausted",
            &format!("Unable to find any IP address on external network {net_id}."),
        )
    })?;
    let used = cloud.floating_ips.values().filter(|f| f.project_id == project).count();
    if used >= cloud.quotas.floating_ips {
        return Err(ApiError::conflict(
            "OverQuota",
            "Quota exceeded for resources: ['floatingip'].",
        ));
    }
    let port_id = string_field(&body, "port_id");
    let target = match &port_id {
        Some(p) => Some(association_target(
            cloud,
            ctx,
            None,
            p,
            str_field(&body, "fixed_ip_address"),
        )?),
        None => None,
    };
    let address = cloud
        .allocate_ip(&subnet, str_field(&body, "floating_ip_address"))
        .map_err(|e| {
            if e.status == 409 && e.kind == "IpAddressAlreadyAllocated" {
                ApiError::conflict("IpAddressInUse", &e.message)
            } else if e.status == 409 {
                ApiError::conflict(
                    "ExternalIpAddressExhausted",
                    &format!("Unable to find any IP address on external network {net_id}."),
                )
            } else {
                e
            }
        })?;
    let id = cloud.uuid();
    let now = cloud.now;
    let (port, fixed, router) = match target {
        Some((p, f, r)) => (Some(p), Some(f), Some(r)),
        None => (None, None, None),
    };
    let associated = port.is_some();
    cloud.floating_ips.insert(
        id.clone(),
        FloatingIp {
            id: id.clone(),
            address,
            floating_network_id: net_id,
            port_id: port,
            fixed_ip: fixed,
            router_id: router,
            status: "DOWN".into(),
            project_id: project,
            description: string_field(&body, "description").unwrap_or_default(),
            label: string_field(&body, "label"),
            delete_protection: bool_field(&body, "delete_protection").unwrap_or(false),
            created: now,
            updated: now,
            revision: 0,
        },
    );
    if associated {
        cloud.schedule(
            1.0,
            Event::FloatingIpStatus {
                fip_id: id.clone(),
                status: "ACTIVE".into(),
            },
        );
    }
    cloud.count("floatingip.create");
    let f = cloud.floating_ips.get(&id).ok_or_else(|| fip_not_found(&id))?;
    Ok(Resp::json(201, json!({"floatingip": view::floating_ip(cloud, f)})))
}

pub fn update(cloud: &mut Cloud, ctx: &Ctx, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("floatingip")?;
    let current = cloud
        .floating_ips
        .get(id)
        .filter(|f| visible(ctx, &f.project_id, false))
        .ok_or_else(|| fip_not_found(id))?
        .clone();
    let now = cloud.now;
    if let Some(port_value) = body.get("port_id") {
        match port_value {
            Value::Null => {
                if current.port_id.is_some() {
                    if let Some(f) = cloud.floating_ips.get_mut(id) {
                        f.port_id = None;
                        f.fixed_ip = None;
                        f.router_id = None;
                    }
                    cloud.schedule(
                        1.0,
                        Event::FloatingIpStatus {
                            fip_id: id.to_string(),
                            status: "DOWN".into(),
                        },
                    );
                    cloud.count("floatingip.disassociate");
                }
            }
            Value::String(pid) => {
                if let Some(existing) = current.port_id.as_deref().filter(|p| *p != pid) {
                    return Err(ApiError::conflict(
                        "FloatingIPPortAlreadyAssociated",
                        &format!("Floating IP {id} is already associated with port {existing}; disassociate it first."),
                    ));
                }
                let (p, fixed, router) =
                    association_target(cloud, ctx, Some(id), pid, str_field(&body, "fixed_ip_address"))?;
                if let Some(f) = cloud.floating_ips.get_mut(id) {
                    f.port_id = Some(p);
                    f.fixed_ip = Some(fixed);
                    f.router_id = Some(router);
                }
                if current.port_id.is_none() {
                    cloud.schedule(
                        1.0,
                        Event::FloatingIpStatus {
                            fip_id: id.to_string(),
                            status: "ACTIVE".into(),
                        },
                    );
                    cloud.count("floatingip.associate");
                }
            }
            _ => return Err(ApiError::bad_request("Invalid input for port_id.")),
        }
    }
    let f = cloud.floating_ips.get_mut(id).ok_or_else(|| fip_not_found(id))?;
    if let Some(d) = string_field(&body, "description") {
        f.description = d;
    }
    if let Some(l) = string_field(&body, "label") {
        f.label = Some(l);
    }
    if let Some(p) = bool_field(&body, "delete_protection") {
        f.delete_protection = p;
    }
    f.updated = now;
    f.revision += 1;
    let f = cloud.floating_ips.get(id).ok_or_else(|| fip_not_found(id))?;
    Ok(Resp::ok(json!({"floatingip": view::floating_ip(cloud, f)})))
}

pub fn delete(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let f = cloud
        .floating_ips
        .get(id)
        .filter(|f| visible(ctx, &f.project_id, false))
        .ok_or_else(|| fip_not_found(id))?;
    if f.delete_protection {
        return Err(ApiError::conflict(
            "FloatingIPDeleteProtected",
            &format!("Floating IP {id} is delete protected."),
        ));
    }
    let (net, addr) = (f.floating_network_id.clone(), f.address.clone());
    cloud.floating_ips.remove(id);
    if let Some(subnet) = cloud.networks.get(&net).and_then(|n| n.subnets.first().cloned()) {
        cloud.release_ip(&subnet, &addr);
    }
    cloud.count("floatingip.delete");
    Ok(Resp::empty(204))
}
