//! Network: Neutron v2.0 (also NHN's OpenStack-compatible network API).

use serde_json::{Map, Value, json};

use super::wire::*;
use crate::infrastructure::cloud::error::{CloudError, CloudResult, CloudService};
use crate::infrastructure::cloud::model::*;
use crate::infrastructure::cloud::pager::{Collection, collect_all};
use crate::infrastructure::cloud::session::{Dialect, Req, Session};
use crate::infrastructure::cloud::timestamp::{format_filter_time, parse_timestamp};

const S: CloudService = CloudService::Network;
const NETWORKS: Collection = Collection::linked("networks", "networks_links");
const SUBNETS: Collection = Collection::linked("subnets", "subnets_links");
const PORTS: Collection = Collection::linked("ports", "ports_links");
const GROUPS: Collection = Collection::linked("security_groups", "security_groups_links");
const RULES: Collection = Collection::linked("security_group_rules", "security_group_rules_links");
const FIPS: Collection = Collection::linked("floatingips", "floatingips_links");

/// Restricts a listing to one project, or (admin inventory) lists them all.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    Project(&'a str),
    AllProjects,
}

fn scoped(req: Req, scope: Scope<'_>, dialect: Dialect) -> Req {
    let key = match dialect {
        Dialect::OpenStack => "project_id",
        // NHN documents only the older spelling of the filter.
        Dialect::Nhn => "tenant_id",
    };
    match scope {
        Scope::Project(p) => req.query(key, p),
        Scope::AllProjects => req,
    }
}

fn project_of(v: &Value) -> Option<String> {
    str_field(v, "project_id").or_else(|| str_field(v, "tenant_id"))
}

fn updated(v: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    str_field(v, "updated_at").and_then(|t| parse_timestamp(&t))
}

fn fixed_ips(v: &Value) -> Vec<CloudFixedIp> {
    array(v, "fixed_ips")
        .iter()
        .filter_map(|f| {
            Some(CloudFixedIp {
                subnet_id: str_field(f, "subnet_id"),
                ip_address: str_field(f, "ip_address")?,
            })
        })
        .collect()
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.is_empty())
}

pub(crate) fn network_from_wire(v: &Value) -> CloudResult<CloudNetwork> {
    Ok(CloudNetwork {
        id: required_str(S, v, "id")?,
        name: str_field(v, "name").unwrap_or_default(),
        project_id: project_of(v),
        status: str_field(v, "status"),
        external: bool_field(v, "router:external").unwrap_or(false),
        shared: bool_field(v, "shared").unwrap_or(false),
        subnet_ids: array(v, "subnets")
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        mtu: u64_field(v, "mtu").map(|m| m as u32),
    })
}

pub(crate) fn subnet_from_wire(v: &Value) -> CloudResult<CloudSubnet> {
    Ok(CloudSubnet {
        id: required_str(S, v, "id")?,
        name: str_field(v, "name").unwrap_or_default(),
        network_id: str_field(v, "network_id").unwrap_or_default(),
        cidr: str_field(v, "cidr").unwrap_or_default(),
        ip_version: u64_field(v, "ip_version").map(|n| n as u8),
        gateway_ip: str_field(v, "gateway_ip"),
        enable_dhcp: bool_field(v, "enable_dhcp"),
    })
}

pub(crate) fn port_from_wire(v: &Value) -> CloudResult<CloudPort> {
    Ok(CloudPort {
        id: required_str(S, v, "id")?,
        name: str_field(v, "name").unwrap_or_default(),
        network_id: str_field(v, "network_id").unwrap_or_default(),
        project_id: project_of(v),
        status: str_field(v, "status").unwrap_or_default(),
        mac_address: str_field(v, "mac_address"),
        device_id: non_empty(str_field(v, "device_id")),
        device_owner: non_empty(str_field(v, "device_owner")),
        fixed_ips: fixed_ips(v),
        security_group_ids: array(v, "security_groups")
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        description: non_empty(str_field(v, "description")),
        updated_at: updated(v),
    })
}

pub(crate) fn rule_from_wire(v: &Value) -> CloudResult<CloudSecurityGroupRule> {
    let direction = str_field(v, "direction")
        .as_deref()
        .and_then(RuleDirection::parse)
        .ok_or_else(|| CloudError::invalid_response(S, "rule without a valid direction"))?;
    Ok(CloudSecurityGroupRule {
        id: required_str(S, v, "id")?,
        security_group_id: str_field(v, "security_group_id").unwrap_or_default(),
        direction,
        ether_type: str_field(v, "ethertype")
            .as_deref()
            .and_then(EtherType::parse)
            .unwrap_or(EtherType::IPv4),
        protocol: str_field(v, "protocol"),
        port_range_min: u64_field(v, "port_range_min").map(|p| p as u32),
        port_range_max: u64_field(v, "port_range_max").map(|p| p as u32),
        remote_ip_prefix: str_field(v, "remote_ip_prefix"),
        remote_group_id: str_field(v, "remote_group_id"),
    })
}

pub(crate) fn group_from_wire(v: &Value) -> CloudResult<CloudSecurityGroup> {
    Ok(CloudSecurityGroup {
        id: required_str(S, v, "id")?,
        name: str_field(v, "name").unwrap_or_default(),
        description: non_empty(str_field(v, "description")),
        project_id: project_of(v),
        rules: array(v, "security_group_rules")
            .iter()
            .map(rule_from_wire)
            .collect::<CloudResult<_>>()?,
        updated_at: updated(v),
    })
}

pub(crate) fn floating_ip_from_wire(v: &Value) -> CloudResult<CloudFloatingIp> {
    Ok(CloudFloatingIp {
        id: required_str(S, v, "id")?,
        floating_ip_address: str_field(v, "floating_ip_address").unwrap_or_default(),
        floating_network_id: str_field(v, "floating_network_id").unwrap_or_default(),
        port_id: str_field(v, "port_id"),
        fixed_ip_address: str_field(v, "fixed_ip_address"),
        status: str_field(v, "status").unwrap_or_default(),
        project_id: project_of(v),
        description: non_empty(str_field(v, "description")),
        updated_at: updated(v),
    })
}

fn changed_since(req: Req, q: &InventoryQuery) -> Req {
    req.query_opt("changed_since", q.changes_since.map(format_filter_time))
}

pub(crate) async fn list_networks(s: &Session, q: &NetworkListQuery) -> CloudResult<Vec<CloudNetwork>> {
    let req =
        Req::get(S, "/networks", "/networks".into()).query_opt("router:external", q.external.map(|e| e.to_string()));
    collect_all(s, &req, NETWORKS, None)
        .await?
        .iter()
        .map(network_from_wire)
        .collect()
}

pub(crate) async fn get_network(s: &Session, id: &str) -> CloudResult<CloudNetwork> {
    let v: Value = s
        .json(&Req::get(S, "/networks/{id}", format!("/networks/{}", seg(id))))
        .await?;
    network_from_wire(&unwrap_key(S, v, "network")?)
}

pub(crate) async fn list_subnets(s: &Session, network_id: Option<&str>) -> CloudResult<Vec<CloudSubnet>> {
    let req = Req::get(S, "/subnets", "/subnets".into()).query_opt("network_id", network_id);
    collect_all(s, &req, SUBNETS, None)
        .await?
        .iter()
        .map(subnet_from_wire)
        .collect()
}

pub(crate) async fn create_port(s: &Session, r: &CreatePortRequest) -> CloudResult<CloudPort> {
    let mut port = Map::new();
    port.insert("network_id".into(), json!(r.network_id));
    if let Some(n) = &r.name {
        port.insert("name".into(), json!(n));
    }
    if let Some(d) = &r.description {
        port.insert("description".into(), json!(d));
    }
    if let Some(groups) = &r.security_group_ids {
        port.insert("security_groups".into(), json!(groups));
    }
    if r.subnet_id.is_some() || r.fixed_ip.is_some() {
        let mut ip = Map::new();
        if let Some(sub) = &r.subnet_id {
            ip.insert("subnet_id".into(), json!(sub));
        }
        if let Some(addr) = &r.fixed_ip {
            ip.insert("ip_address".into(), json!(addr));
        }
        port.insert("fixed_ips".into(), json!([ip]));
    }
    let v: Value = s
        .json(&Req::post(S, "/ports", "/ports".into(), json!({ "port": port })))
        .await?;
    port_from_wire(&unwrap_key(S, v, "port")?)
}

pub(crate) async fn get_port(s: &Session, id: &str) -> CloudResult<CloudPort> {
    let v: Value = s
        .json(&Req::get(S, "/ports/{id}", format!("/ports/{}", seg(id))))
        .await?;
    port_from_wire(&unwrap_key(S, v, "port")?)
}

pub(crate) async fn list_ports(
    s: &Session,
    q: &PortListQuery,
    scope: Scope<'_>,
    inventory: &InventoryQuery,
) -> CloudResult<Vec<CloudPort>> {
    let req = Req::get(S, "/ports", "/ports".into())
        .query_opt("device_id", q.device_id.as_deref())
        .query_opt("network_id", q.network_id.as_deref());
    let req = changed_since(scoped(req, scope, s.dialect), inventory);
    collect_all(s, &req, PORTS, inventory.page_size)
        .await?
        .iter()
        .map(port_from_wire)
        .collect()
}

pub(crate) async fn delete_port(s: &Session, id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(S, "/ports/{id}", format!("/ports/{}", seg(id))))
        .await
}

pub(crate) async fn create_security_group(
    s: &Session,
    r: &CreateSecurityGroupRequest,
) -> CloudResult<CloudSecurityGroup> {
    let body = json!({ "security_group": {
        "name": r.name,
        "description": r.description.clone().unwrap_or_default(),
    }});
    let v: Value = s
        .json(&Req::post(S, "/security-groups", "/security-groups".into(), body))
        .await?;
    group_from_wire(&unwrap_key(S, v, "security_group")?)
}

pub(crate) async fn get_security_group(s: &Session, id: &str) -> CloudResult<CloudSecurityGroup> {
    let v: Value = s
        .json(&Req::get(
            S,
            "/security-groups/{id}",
            format!("/security-groups/{}", seg(id)),
        ))
        .await?;
    group_from_wire(&unwrap_key(S, v, "security_group")?)
}

pub(crate) async fn list_security_groups(
    s: &Session,
    scope: Scope<'_>,
    inventory: &InventoryQuery,
) -> CloudResult<Vec<CloudSecurityGroup>> {
    let req = changed_since(
        scoped(
            Req::get(S, "/security-groups", "/security-groups".into()),
            scope,
            s.dialect,
        ),
        inventory,
    );
    collect_all(s, &req, GROUPS, inventory.page_size)
        .await?
        .iter()
        .map(group_from_wire)
        .collect()
}

pub(crate) async fn update_security_group(
    s: &Session,
    id: &str,
    r: &UpdateSecurityGroupRequest,
) -> CloudResult<CloudSecurityGroup> {
    let mut group = Map::new();
    if let Some(n) = &r.name {
        group.insert("name".into(), json!(n));
    }
    if let Some(d) = &r.description {
        group.insert("description".into(), json!(d));
    }
    let v: Value = s
        .json(&Req::put(
            S,
            "/security-groups/{id}",
            format!("/security-groups/{}", seg(id)),
            json!({ "security_group": group }),
        ))
        .await?;
    group_from_wire(&unwrap_key(S, v, "security_group")?)
}

pub(crate) async fn delete_security_group(s: &Session, id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(
        S,
        "/security-groups/{id}",
        format!("/security-groups/{}", seg(id)),
    ))
    .await
}

pub(crate) fn rule_body(r: &CreateSecurityGroupRuleRequest) -> Value {
    json!({ "security_group_rule": {
        "security_group_id": r.security_group_id,
        "direction": r.direction.as_str(),
        "ethertype": r.ether_type.as_str(),
        "protocol": r.protocol,
        "port_range_min": r.port_range_min,
        "port_range_max": r.port_range_max,
        "remote_ip_prefix": r.remote_ip_prefix,
        "remote_group_id": r.remote_group_id,
    }})
}

pub(crate) async fn create_security_group_rule(
    s: &Session,
    r: &CreateSecurityGroupRuleRequest,
) -> CloudResult<CloudSecurityGroupRule> {
    let v: Value = s
        .json(&Req::post(
            S,
            "/security-group-rules",
            "/security-group-rules".into(),
            rule_body(r),
        ))
        .await?;
    rule_from_wire(&unwrap_key(S, v, "security_group_rule")?)
}

pub(crate) async fn list_security_group_rules(
    s: &Session,
    security_group_id: &str,
) -> CloudResult<Vec<CloudSecurityGroupRule>> {
    let req = Req::get(S, "/security-group-rules", "/security-group-rules".into())
        .query("security_group_id", security_group_id);
    collect_all(s, &req, RULES, None)
        .await?
        .iter()
        .map(rule_from_wire)
        .collect()
}

pub(crate) async fn delete_security_group_rule(s: &Session, id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(
        S,
        "/security-group-rules/{id}",
        format!("/security-group-rules/{}", seg(id)),
    ))
    .await
}

pub(crate) async fn create_floating_ip(s: &Session, r: &CreateFloatingIpRequest) -> CloudResult<CloudFloatingIp> {
    let mut fip = Map::new();
    fip.insert("floating_network_id".into(), json!(r.floating_network_id));
    if let Some(p) = &r.port_id {
        fip.insert("port_id".into(), json!(p));
    }
    if let Some(d) = &r.description {
        fip.insert("description".into(), json!(d));
    }
    let v: Value = s
        .json(&Req::post(
            S,
            "/floatingips",
            "/floatingips".into(),
            json!({ "floatingip": fip }),
        ))
        .await?;
    floating_ip_from_wire(&unwrap_key(S, v, "floatingip")?)
}

pub(crate) async fn get_floating_ip(s: &Session, id: &str) -> CloudResult<CloudFloatingIp> {
    let v: Value = s
        .json(&Req::get(S, "/floatingips/{id}", format!("/floatingips/{}", seg(id))))
        .await?;
    floating_ip_from_wire(&unwrap_key(S, v, "floatingip")?)
}

pub(crate) async fn list_floating_ips(
    s: &Session,
    q: &FloatingIpListQuery,
    scope: Scope<'_>,
    inventory: &InventoryQuery,
) -> CloudResult<Vec<CloudFloatingIp>> {
    let req = Req::get(S, "/floatingips", "/floatingips".into()).query_opt("port_id", q.port_id.as_deref());
    let req = changed_since(scoped(req, scope, s.dialect), inventory);
    collect_all(s, &req, FIPS, inventory.page_size)
        .await?
        .iter()
        .map(floating_ip_from_wire)
        .collect()
}

pub(crate) async fn set_floating_ip_port(s: &Session, id: &str, port_id: Option<&str>) -> CloudResult<CloudFloatingIp> {
    let v: Value = s
        .json(&Req::put(
            S,
            "/floatingips/{id}",
            format!("/floatingips/{}", seg(id)),
            json!({ "floatingip": { "port_id": port_id } }),
        ))
        .await?;
    floating_ip_from_wire(&unwrap_key(S, v, "floatingip")?)
}

pub(crate) async fn delete_floating_ip(s: &Session, id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(
        S,
        "/floatingips/{id}",
        format!("/floatingips/{}", seg(id)),
    ))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_body_sends_nulls_explicitly() {
        let body = rule_body(&CreateSecurityGroupRuleRequest {
            security_group_id: "sg".into(),
            direction: RuleDirection::Ingress,
            ether_type: EtherType::IPv4,
            protocol: Some("tcp".into()),
            port_range_min: Some(22),
            port_range_max: Some(22),
            remote_ip_prefix: None,
            remote_group_id: None,
        });
        let rule = &body["security_group_rule"];
        assert_eq!(rule["direction"], "ingress");
        assert_eq!(rule["ethertype"], "IPv4");
        assert!(rule["remote_ip_prefix"].is_null());
        assert_eq!(rule["port_range_min"], 22);
    }

    #[test]
    fn port_parsing_treats_empty_device_fields_as_none() {
        let p = port_from_wire(&json!({
            "id": "p1", "network_id": "n1", "status": "DOWN", "device_id": "", "device_owner": "",
            "fixed_ips": [{"subnet_id": "s1", "ip_address": "10.0.0.2"}], "security_groups": ["g1"],
            "project_id": "pr", "tenant_id": "pr"
        }))
        .unwrap();
        assert_eq!(p.device_id, None);
        assert_eq!(p.fixed_ips[0].ip_address, "10.0.0.2");
        assert_eq!(p.security_group_ids, vec!["g1".to_string()]);
    }

    #[test]
    fn group_parsing_includes_embedded_rules() {
        let g = group_from_wire(&json!({
            "id": "g1", "name": "web", "description": "", "tenant_id": "t",
            "security_group_rules": [{"id": "r1", "security_group_id": "g1", "direction": "egress",
                "ethertype": "IPv6", "protocol": null, "port_range_min": null, "port_range_max": null,
                "remote_ip_prefix": null, "remote_group_id": null}]
        }))
        .unwrap();
        assert_eq!(g.project_id.as_deref(), Some("t"));
        assert_eq!(g.rules[0].ether_type, EtherType::IPv6);
        assert_eq!(g.rules[0].protocol, None);
        assert_eq!(g.description, None);
    }
}
