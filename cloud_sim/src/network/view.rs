//! Neutron JSON shapes (both `project_id` and `tenant_id`, whole-second timestamps).
use serde_json::{Value, json};

use crate::state::cloud::Cloud;
use crate::state::model::{FloatingIp, Network, Port, SecurityGroup, SgRule, Subnet};
use crate::time_fmt::seconds_z;

pub fn network(n: &Network, az: &str) -> Value {
    json!({
        "id": n.id, "name": n.name, "status": if n.admin_state_up { "ACTIVE" } else { "DOWN" },
        "admin_state_up": n.admin_state_up, "subnets": n.subnets, "shared": n.shared,
        "router:external": n.external, "mtu": n.mtu, "port_security_enabled": true,
        "availability_zones": [az], "availability_zone_hints": [], "ipv4_address_scope": null, "ipv6_address_scope": null,
        "project_id": n.project_id, "tenant_id": n.project_id, "description": n.description,
        "provider:network_type": if n.external { "flat" } else { "vxlan" },
        "created_at": seconds_z(&n.created), "updated_at": seconds_z(&n.updated),
        "revision_number": n.revision, "tags": []
    })
}

pub fn subnet(s: &Subnet) -> Value {
    let (first, last) = crate::state::ipam::host_range(s.net_base, s.prefix_len);
    json!({
        "id": s.id, "name": s.name, "network_id": s.network_id, "ip_version": 4, "cidr": s.cidr,
        "gateway_ip": s.gateway_ip, "enable_dhcp": s.enable_dhcp, "dns_nameservers": s.dns_nameservers,
        "allocation_pools": [{"start": crate::state::ipam::format_ipv4(first), "end": crate::state::ipam::format_ipv4(last)}],
        "host_routes": [], "ipv6_ra_mode": null, "ipv6_address_mode": null, "subnetpool_id": null,
        "service_types": [], "description": "",
        "project_id": s.project_id, "tenant_id": s.project_id,
        "created_at": seconds_z(&s.created), "updated_at": seconds_z(&s.updated),
        "revision_number": s.revision, "tags": []
    })
}

pub fn port(p: &Port) -> Value {
    let ips: Vec<Value> = p
        .fixed_ips
        .iter()
        .map(|f| json!({"subnet_id": f.subnet_id, "ip_address": f.ip_address}))
        .collect();
    json!({
        "id": p.id, "name": p.name, "network_id": p.network_id, "status": p.status,
        "admin_state_up": p.admin_state_up, "mac_address": p.mac, "fixed_ips": ips,
        "device_id": p.device_id, "device_owner": p.device_owner, "security_groups": p.security_groups,
        "port_security_enabled": p.port_security_enabled,
        "binding:host_id": p.host_id,
        "binding:vif_type": if p.host_id.is_empty() { "unbound" } else { "ovs" },
        "binding:vnic_type": "normal", "binding:profile": {}, "binding:vif_details": {},
        "allowed_address_pairs": [], "extra_dhcp_opts": [],
        "project_id": p.project_id, "tenant_id": p.project_id, "description": p.description,
        "created_at": seconds_z(&p.created), "updated_at": seconds_z(&p.updated),
        "revision_number": p.revision, "tags": []
    })
}

pub fn rule(r: &SgRule) -> Value {
    json!({
        "id": r.id, "security_group_id": r.security_group_id, "direction": r.spec.direction,
        "ethertype": r.spec.ethertype, "protocol": r.spec.protocol,
        "port_range_min": r.spec.port_range_min, "port_range_max": r.spec.port_range_max,
        "remote_ip_prefix": r.spec.remote_ip_prefix, "remote_group_id": r.spec.remote_group_id,
        "remote_address_group_id": null, "normalized_cidr": r.spec.remote_ip_prefix,
        "description": r.description, "belongs_to_default_sg": r.belongs_to_default_sg,
        "project_id": r.project_id, "tenant_id": r.project_id,
        "created_at": seconds_z(&r.created), "updated_at": seconds_z(&r.updated),
        "revision_number": r.revision, "tags": []
    })
}

pub fn security_group(cloud: &Cloud, g: &SecurityGroup) -> Value {
    let rules: Vec<Value> = cloud
        .sg_rules
        .values()
        .filter(|r| r.security_group_id == g.id)
        .map(rule)
        .collect();
    json!({
        "id": g.id, "name": g.name, "description": g.description, "stateful": g.stateful, "shared": false,
        "project_id": g.project_id, "tenant_id": g.project_id, "security_group_rules": rules,
        "created_at": seconds_z(&g.created), "updated_at": seconds_z(&g.updated),
        "revision_number": g.revision, "tags": []
    })
}

pub fn floating_ip(cloud: &Cloud, f: &FloatingIp) -> Value {
    let port_details = f.port_id.as_ref().and_then(|pid| cloud.ports.get(pid)).map(|p| {
        json!({"name": p.name, "network_id": p.network_id, "mac_address": p.mac, "admin_state_up": p.admin_state_up,
               "status": p.status, "device_id": p.device_id, "device_owner": p.device_owner})
    });
    let mut v = json!({
        "id": f.id, "floating_ip_address": f.address, "floating_network_id": f.floating_network_id,
        "port_id": f.port_id, "fixed_ip_address": f.fixed_ip, "router_id": f.router_id, "status": f.status,
        "port_details": port_details, "description": f.description, "dns_domain": "", "dns_name": "",
        "port_forwardings": [], "qos_policy_id": null,
        "project_id": f.project_id, "tenant_id": f.project_id,
        "created_at": seconds_z(&f.created), "updated_at": seconds_z(&f.updated),
        "revision_number": f.revision, "tags": []
    });
    if cloud.nhn {
        v["label"] = json!(f.label.clone().unwrap_or_default());
        v["delete_protection"] = json!(f.delete_protection);
    }
    v
}
