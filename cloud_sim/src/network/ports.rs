//! Ports: CRUD, fixed IPs, security groups, device binding.
use serde_json::{Value, json};

use super::{list, owner, view, visible};
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, bool_field, str_field, string_field};
use crate::http::response::Resp;
use crate::state::cloud::{Cloud, NewPort};

pub fn port_not_found(id: &str) -> ApiError {
    ApiError::not_found("PortNotFound", &format!("Port {id} could not be found."))
}

pub fn list(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let items: Vec<Value> = cloud
        .ports
        .values()
        .filter(|p| visible(ctx, &p.project_id, false))
        .map(view::port)
        .collect();
    list::respond(items, req, "ports", "ports")
}

pub fn show(cloud: &mut Cloud, ctx: &Ctx, _req: &Req, id: &str) -> ApiResult<Resp> {
    let p = cloud
        .ports
        .get(id)
        .filter(|p| visible(ctx, &p.project_id, false))
        .ok_or_else(|| port_not_found(id))?;
    Ok(Resp::ok(json!({"port": view::port(p)})))
}

fn sg_list(cloud: &Cloud, ctx: &Ctx, body: &Value) -> ApiResult<Option<Vec<String>>> {
    let Some(v) = body.get("security_groups") else {
        return Ok(None);
    };
    let ids: Vec<String> = match v {
        Value::Null => Vec::new(),
        Value::Array(a) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => return Err(ApiError::bad_request("Invalid input for security_groups.")),
    };
    for id in &ids {
        if !cloud
            .security_groups
            .get(id)
            .is_some_and(|g| visible(ctx, &g.project_id, false))
        {
            return Err(ApiError::not_found(
                "SecurityGroupNotFound",
                &format!("Security group {id} does not exist"),
            ));
        }
    }
    Ok(Some(ids))
}

pub fn create(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("port")?;
    let project = owner(ctx, &body)?;
    let network_id = str_field(&body, "network_id")
        .ok_or_else(|| ApiError::bad_request("Failed to parse request. Required attribute 'network_id' not specified"))?
        .to_string();
    if !cloud
        .networks
        .get(&network_id)
        .is_some_and(|n| visible(ctx, &n.project_id, n.shared))
    {
        return Err(super::networks::network_not_found(&network_id));
    }
    let used = cloud.ports.values().filter(|p| p.project_id == project).count();
    if used >= cloud.quotas.ports {
        return Err(ApiError::conflict(
            "OverQuota",
            "Quota exceeded for resources: ['port'].",
        ));
    }
    let sgs = sg_list(cloud, ctx, &body)?;
    let fixed_ips: Vec<(Option<String>, Option<String>)> = body
        .get("fixed_ips")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|f| (string_field(f, "subnet_id"), string_field(f, "ip_address")))
                .collect()
        })
        .unwrap_or_default();
    let id = cloud.create_port(NewPort {
        project_id: &project,
        network_id: &network_id,
        name: string_field(&body, "name").unwrap_or_default(),
        security_groups: sgs,
        fixed_ips,
        admin_state_up: bool_field(&body, "admin_state_up").unwrap_or(true),
        description: string_field(&body, "description").unwrap_or_default(),
    })?;
    if let Some(p) = cloud.ports.get_mut(&id) {
        p.device_id = string_field(&body, "device_id").unwrap_or_default();
        p.device_owner = string_field(&body, "device_owner").unwrap_or_default();
        if let Some(ps) = bool_field(&body, "port_security_enabled") {
            p.port_security_enabled = ps;
        }
    }
    cloud.count("port.create");
    let p = cloud.ports.get(&id).ok_or_else(|| port_not_found(&id))?;
    Ok(Resp::json(201, json!({"port": view::port(p)})))
}

pub fn update(cloud: &mut Cloud, ctx: &Ctx, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("port")?;
    if !cloud.ports.get(id).is_some_and(|p| visible(ctx, &p.project_id, false)) {
        return Err(port_not_found(id));
    }
    let sgs = sg_list(cloud, ctx, &body)?;
    let now = cloud.now;
    let p = cloud.ports.get_mut(id).ok_or_else(|| port_not_found(id))?;
    if let Some(name) = string_field(&body, "name") {
        p.name = name;
    }
    if let Some(d) = string_field(&body, "description") {
        p.description = d;
    }
    if let Some(a) = bool_field(&body, "admin_state_up") {
        p.admin_state_up = a;
    }
    if let Some(ps) = bool_field(&body, "port_security_enabled") {
        p.port_security_enabled = ps;
    }
    if let Some(s) = sgs {
        p.security_groups = s;
    }
    if let Some(d) = string_field(&body, "device_id") {
        p.device_id = d;
    }
    if let Some(d) = string_field(&body, "device_owner") {
        p.device_owner = d;
    }
    p.updated = now;
    p.revision += 1;
    cloud.count("port.update");
    let p = cloud.ports.get(id).ok_or_else(|| port_not_found(id))?;
    Ok(Resp::ok(json!({"port": view::port(p)})))
}

pub fn delete(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    if !cloud.ports.get(id).is_some_and(|p| visible(ctx, &p.project_id, false)) {
        return Err(port_not_found(id));
    }
    cloud.remove_port(id);
    cloud.count("port.delete");
    Ok(Resp::empty(204))
}
