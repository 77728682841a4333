//! Security groups (with the per-project `default` group) and their rules.
use serde_json::{Value, json};

use super::{list, owner, view, visible};
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, int_field, str_field, string_field};
use crate::http::response::Resp;
use crate::state::cloud::Cloud;
use crate::state::ipam;
use crate::state::model::SgRuleSpec;

fn sg_not_found(id: &str) -> ApiError {
    ApiError::not_found("SecurityGroupNotFound", &format!("Security group {id} does not exist"))
}

fn rule_not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "SecurityGroupRuleNotFound",
        &format!("Security group rule {id} does not exist"),
    )
}

pub fn list(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    cloud.ensure_default_sg(&ctx.project_id);
    let items: Vec<Value> = cloud
        .security_groups
        .values()
        .filter(|g| visible(ctx, &g.project_id, false))
        .map(|g| view::security_group(cloud, g))
        .collect();
    list::respond(items, req, "security-groups", "security_groups")
}

pub fn show(cloud: &mut Cloud, ctx: &Ctx, _req: &Req, id: &str) -> ApiResult<Resp> {
    let g = cloud
        .security_groups
        .get(id)
        .filter(|g| visible(ctx, &g.project_id, false))
        .ok_or_else(|| sg_not_found(id))?;
    Ok(Resp::ok(json!({"security_group": view::security_group(cloud, g)})))
}

pub fn create(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("security_group")?;
    let project = owner(ctx, &body)?;
    cloud.ensure_default_sg(&project);
    let name = string_field(&body, "name").unwrap_or_default();
    if name == "default" {
        return Err(ApiError::conflict(
            "SecurityGroupDefaultAlreadyExists",
            "Default security group already exists.",
        ));
    }
    let used = cloud
        .security_groups
        .values()
        .filter(|g| g.project_id == project)
        .count();
    if used >= cloud.quotas.security_groups {
        return Err(ApiError::conflict(
            "OverQuota",
            "Quota exceeded for resources: ['security_group'].",
        ));
    }
    let description = string_field(&body, "description").unwrap_or_default();
    let id = cloud.insert_security_group(&project, &name, &description, false);
    cloud.count("security_group.create");
    let g = cloud.security_groups.get(&id).ok_or_else(|| sg_not_found(&id))?;
    Ok(Resp::json(
        201,
        json!({"security_group": view::security_group(cloud, g)}),
    ))
}

pub fn update(cloud: &mut Cloud, ctx: &Ctx, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("security_group")?;
    let now = cloud.now;
    let g = cloud
        .security_groups
        .get_mut(id)
        .filter(|g| visible(ctx, &g.project_id, false))
        .ok_or_else(|| sg_not_found(id))?;
    if let Some(name) = str_field(&body, "name") {
        if g.name == "default" && name != "default" {
            return Err(ApiError::conflict(
                "SecurityGroupCannotUpdateDefault",
                "Updating default security group not allowed.",
            ));
        }
        g.name = name.to_string();
    }
    if let Some(d) = string_field(&body, "description") {
        g.description = d;
    }
    g.updated = now;
    g.revision += 1;
    cloud.count("security_group.update");
    let g = cloud.security_groups.get(id).ok_or_else(|| sg_not_found(id))?;
    Ok(Resp::ok(json!({"security_group": view::security_group(cloud, g)})))
}

pub fn delete(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let g = cloud
        .security_groups
        .get(id)
        .filter(|g| visible(ctx, &g.project_id, false))
        .ok_or_else(|| sg_not_found(id))?;
    if g.name == "default" && !ctx.is_admin {
        return Err(ApiError::conflict(
            "SecurityGroupCannotRemoveDefault",
            "Removing default security group not allowed.",
        ));
    }
    if cloud.ports.values().any(|p| p.security_groups.iter().any(|s| s == id)) {
        return Err(ApiError::conflict(
            "SecurityGroupInUse",
            &format!("Security Group {id} in use."),
        ));
    }
    cloud.security_groups.remove(id);
    cloud.sg_rules.retain(|_, r| r.security_group_id != id);
    cloud.count("security_group.delete");
    Ok(Resp::empty(204))
}

pub fn list_rules(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let items: Vec<Value> = cloud
        .sg_rules
        .values()
        .filter(|r| visible(ctx, &r.project_id, false))
        .map(view::rule)
        .collect();
    list::respond(items, req, "security-group-rules", "security_group_rules")
}

pub fn show_rule(cloud: &mut Cloud, ctx: &Ctx, _req: &Req, id: &str) -> ApiResult<Resp> {
    let r = cloud
        .sg_rules
        .get(id)
        .filter(|r| visible(ctx, &r.project_id, false))
        .ok_or_else(|| rule_not_found(id))?;
    Ok(Resp::ok(json!({"security_group_rule": view::rule(r)})))
}

fn port_value(v: &Value, key: &str) -> ApiResult<Option<i64>> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => int_field(v, key)
            .filter(|p| (0..=65535).contains(p))
            .map(Some)
            .ok_or_else(|| ApiError::bad_request(&format!("Invalid value for {key}"))),
    }
}

fn parse_rule(cloud: &Cloud, ctx: &Ctx, v: &Value) -> ApiResult<(String, String, SgRuleSpec, String)> {
    let sg_id = str_field(v, "security_group_id").ok_or_else(|| {
        ApiError::bad_request("Failed to parse request. Required attribute 'security_group_id' not specified")
    })?;
    let sg = cloud
        .security_groups
        .get(sg_id)
        .filter(|g| visible(ctx, &g.project_id, false))
        .ok_or_else(|| sg_not_found(sg_id))?;
    let direction = str_field(v, "direction").unwrap_or("");
    if direction != "ingress" && direction != "egress" {
        return Err(ApiError::bad_request(&format!(
            "Invalid input for direction. Reason: '{direction}' is not in ['ingress', 'egress']."
        )));
    }
    let ethertype = str_field(v, "ethertype").unwrap_or("IPv4");
    if ethertype != "IPv4" && ethertype != "IPv6" {
        return Err(ApiError::bad_request(&format!(
            "Invalid input for ethertype: {ethertype}"
        )));
    }
    if cloud.nhn && ethertype == "IPv6" {
        return Err(ApiError::bad_request("Only IPv4 security group rules are supported."));
    }
    let protocol = match v.get("protocol") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) if s.is_empty() || s == "any" => None,
        Some(Value::String(s)) => Some(s.to_ascii_lowercase()),
        Some(_) => return Err(ApiError::bad_request("Invalid protocol")),
    };
    if let Some(p) = &protocol {
        let known = [
            "tcp",
            "udp",
            "icmp",
            "icmpv6",
            "ipv6-icmp",
            "sctp",
            "gre",
            "esp",
            "ah",
            "udplite",
            "dccp",
            "vrrp",
        ];
        let numeric = p.parse::<u16>().is_ok_and(|n| n <= 255);
        if !known.contains(&p.as_str()) && !numeric {
            return Err(ApiError::bad_request(&format!(
                "Security group rule protocol {p} not supported."
            )));
        }
    }
    let min = port_value(v, "port_range_min")?;
    let max = port_value(v, "port_range_max")?;
    if (min.is_some() || max.is_some()) && protocol.is_none() {
        return Err(ApiError::bad_request(
            "Must also specify protocol if port range is given.",
        ));
    }
    if matches!(protocol.as_deref(), Some("tcp" | "udp" | "sctp" | "dccp" | "udplite"))
        && let (Some(a), Some(b)) = (min, max)
        && a > b
    {
        return Err(ApiError::bad_request(
            "For TCP/UDP protocols, port_range_min must be <= port_range_max",
        ));
    }
    let prefix = match str_field(v, "remote_ip_prefix") {
        None => None,
        Some(p) => {
            let (base, len) = ipam::parse_cidr(p)
                .or_else(|| ipam::parse_ipv4(p).map(|ip| (ip, 32)))
                .ok_or_else(|| {
                    if p.contains(':') {
                        ApiError::bad_request("IPv6 remote prefixes are not simulated.")
                    } else {
                        ApiError::bad_request(&format!(
                            "Invalid input for remote_ip_prefix: '{p}' is not a valid IP prefix."
                        ))
                    }
                })?;
            if ethertype == "IPv6" {
                return Err(ApiError::bad_request(&format!(
                    "Conflicting value ethertype IPv6 for CIDR {p}"
                )));
            }
            Some(format!("{}/{len}", ipam::format_ipv4(base)))
        }
    };
    let remote_group = string_field(v, "remote_group_id");
    if prefix.is_some() && remote_group.is_some() {
        return Err(ApiError::bad_request(
            "Only remote_ip_prefix or remote_group_id may be provided.",
        ));
    }
    if let Some(g) = &remote_group
        && !cloud.security_groups.contains_key(g)
    {
        return Err(sg_not_found(g));
    }
    let spec = SgRuleSpec {
        direction: direction.to_string(),
        ethertype: ethertype.to_string(),
        protocol,
        port_range_min: min,
        port_range_max: max,
        remote_ip_prefix: prefix,
        remote_group_id: remote_group,
    };
    let description = string_field(v, "description").unwrap_or_default();
    Ok((sg.id.clone(), sg.project_id.clone(), spec, description))
}

/// Single (`security_group_rule`) or bulk (`security_group_rules`, all-or-nothing) create.
pub fn create_rules(cloud: &mut Cloud, ctx: &Ctx, req: &Req) -> ApiResult<Resp> {
    let body = req.json()?;
    let (bulk, raw): (bool, Vec<Value>) = if let Some(list) = body.get("security_group_rules").and_then(Value::as_array)
    {
        (true, list.clone())
    } else if let Some(one) = body.get("security_group_rule").filter(|v| v.is_object()) {
        (false, vec![one.clone()])
    } else {
        return Err(ApiError::bad_request("Resource body required"));
    };
    let mut parsed: Vec<(String, String, SgRuleSpec, String)> = Vec::new();
    for v in &raw {
        let rule = parse_rule(cloud, ctx, v)?;
        let duplicate = cloud
            .sg_rules
            .values()
            .find(|r| r.security_group_id == rule.0 && r.spec == rule.2)
            .map(|r| r.id.clone());
        if let Some(existing) = duplicate {
            return Err(ApiError::conflict(
                "SecurityGroupRuleExists",
                &format!("Security group rule already exists. Rule id is {existing}."),
            ));
        }
        if parsed.iter().any(|p| p.0 == rule.0 && p.2 == rule.2) {
            return Err(ApiError::conflict(
                "SecurityGroupRuleExists",
                "Duplicate Security Group Rule in POST.",
            ));
        }
        parsed.push(rule);
    }
    let mut views = Vec::new();
    for (sg_id, project, spec, description) in parsed {
        let id = cloud.insert_rule(&sg_id, &project, spec, false);
        if let Some(r) = cloud.sg_rules.get_mut(&id) {
            r.description = description;
        }
        let now = cloud.now;
        if let Some(g) = cloud.security_groups.get_mut(&sg_id) {
            g.revision += 1;
            g.updated = now;
        }
        cloud.count("security_group_rule.create");
        if let Some(r) = cloud.sg_rules.get(&id) {
            views.push(view::rule(r));
        }
    }
    if bulk {
        Ok(Resp::json(201, json!({"security_group_rules": views})))
    } else {
        let one = views.into_iter().next().unwrap_or(Value::Null);
        Ok(Resp::json(201, json!({"security_group_rule": one})))
    }
}

pub fn delete_rule(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let r = cloud
        .sg_rules
        .get(id)
        .filter(|r| visible(ctx, &r.project_id, false))
        .ok_or_else(|| rule_not_found(id))?;
    let sg_id = r.security_group_id.clone();
    cloud.sg_rules.remove(id);
    let now = cloud.now;
    if let Some(g) = cloud.security_groups.get_mut(&sg_id) {
        g.revision += 1;
        g.updated = now;
    }
    cloud.count("security_group_rule.delete");
    Ok(Resp::empty(204))
}
