//! Server, flavor and attachment JSON as nova renders them at a given microversion.
use serde_json::{Map, Value, json};

use super::microversion::Microversion;
use crate::state::cloud::Cloud;
use crate::state::model::{Flavor, Server, ServerVolume};
use crate::time_fmt::{micros_naive, seconds_z};

/// `nova/api/openstack/common.py` `_STATE_MAP`.
pub fn status(s: &Server) -> &'static str {
    let task = s.task_state.as_deref().unwrap_or("");
    match s.vm_state.as_str() {
        "building" => "BUILD",
        "active" => match task {
            "rebooting" | "reboot_pending" | "reboot_started" => "REBOOT",
            "rebooting_hard" | "reboot_pending_hard" | "reboot_started_hard" => "HARD_REBOOT",
            "updating_password" => "PASSWORD",
            "rebuilding" | "rebuild_block_device_mapping" | "rebuild_spawning" => "REBUILD",
            "migrating" => "MIGRATING",
            t if t.starts_with("resize_") => "RESIZE",
            _ => "ACTIVE",
        },
        "stopped" => match task {
            t if t.starts_with("resize_") => "RESIZE",
            t if t.starts_with("rebuild") => "REBUILD",
            _ => "SHUTOFF",
        },
        "resized" => {
            if task == "resize_reverting" {
                "REVERT_RESIZE"
            } else {
                "VERIFY_RESIZE"
            }
        }
        "paused" => "PAUSED",
        "suspended" => "SUSPENDED",
        "rescued" => "RESCUE",
        "error" => {
            if task.starts_with("rebuild") {
                "REBUILD"
            } else {
                "ERROR"
            }
        }
        "deleted" => "DELETED",
        "soft-delete" => "SOFT_DELETED",
        "shelved" => "SHELVED",
        "shelved_offloaded" => "SHELVED_OFFLOADED",
        _ => "UNKNOWN",
    }
}

pub const KNOWN_STATUSES: &[&str] = &[
    "ACTIVE",
    "BUILD",
    "DELETED",
    "ERROR",
    "HARD_REBOOT",
    "MIGRATING",
    "PASSWORD",
    "PAUSED",
    "REBOOT",
    "REBUILD",
    "RESCUE",
    "RESIZE",
    "REVERT_RESIZE",
    "SHELVED",
    "SHELVED_OFFLOADED",
    "SHUTOFF",
    "SOFT_DELETED",
    "SUSPENDED",
    "UNKNOWN",
    "VERIFY_RESIZE",
];

fn links(root: &str, base: &str, kind: &str, id: &str) -> Value {
    json!([
        {"rel": "self", "href": format!("{root}/{kind}/{id}")},
        {"rel": "bookmark", "href": format!("{base}/compute/{kind}/{id}")}
    ])
}

pub fn summary(s: &Server, root: &str, base: &str) -> Value {
    json!({"id": s.id, "name": s.name, "links": links(root, base, "servers", &s.id)})
}

/// Floating addresses by port id, built once per response instead of once per server.
pub struct FipIndex(std::collections::HashMap<String, Vec<(String, String)>>);

impl FipIndex {
    pub fn build(cloud: &Cloud) -> Self {
        let mut map: std::collections::HashMap<String, Vec<(String, String)>> = Default::default();
        for f in cloud.floating_ips.values() {
            if let (Some(p), Some(fixed)) = (&f.port_id, &f.fixed_ip) {
                map.entry(p.clone())
                    .or_default()
                    .push((fixed.clone(), f.address.clone()));
            }
        }
        FipIndex(map)
    }
}

fn addresses(cloud: &Cloud, s: &Server, fips: &FipIndex) -> Value {
    let mut out: Map<String, Value> = Map::new();
    if !s.addresses_visible {
        return Value::Object(out);
    }
    for pid in &s.port_ids {
        let Some(port) = cloud.ports.get(pid) else {
            continue;
        };
        let net_name = cloud
            .networks
            .get(&port.network_id)
            .map(|n| n.name.clone())
            .unwrap_or_default();
        let entry = out.entry(net_name).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            for ip in &port.fixed_ips {
                list.push(json!({"addr": ip.ip_address, "version": 4, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": port.mac}));
                for (fixed, addr) in fips.0.get(pid).map(Vec::as_slice).unwrap_or(&[]) {
                    if *fixed == ip.ip_address {
                        list.push(json!({"addr": addr, "version": 4, "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": port.mac}));
                    }
                }
            }
        }
    }
    Value::Object(out)
}

pub fn flavor_ref(cloud: &Cloud, s: &Server, mv: Microversion, base: &str) -> Value {
    let flavor = cloud.flavors.get(&s.flavor_id);
    if mv.at_least(47) {
        let f = flavor.cloned().unwrap_or_else(|| Flavor {
            id: s.flavor_id.clone(),
            name: String::new(),
            vcpus: 0,
            ram: 0,
            disk: 0,
            ephemeral: 0,
            swap: 0,
            is_public: true,
            local_disk: false,
        });
        json!({"vcpus": f.vcpus, "ram": f.ram, "disk": f.disk, "ephemeral": f.ephemeral, "swap": f.swap,
               "original_name": f.name, "extra_specs": {}})
    } else {
        json!({"id": s.flavor_id, "links": [{"rel": "bookmark", "href": format!("{base}/compute/flavors/{}", s.flavor_id)}]})
    }
}

pub fn detail(cloud: &Cloud, s: &Server, mv: Microversion, root: &str, base: &str, fips: &FipIndex) -> Value {
    let status = status(s);
    let image = match &s.image_id {
        Some(id) => {
            json!({"id": id, "links": [{"rel": "bookmark", "href": format!("{base}/compute/images/{id}")}]})
        }
        None => json!(""),
    };
    let volumes: Vec<Value> = s
        .volumes
        .iter()
        .map(|v| {
            if mv.at_least(3) {
                json!({"id": v.volume_id, "delete_on_termination": v.delete_on_termination})
            } else {
                json!({"id": v.volume_id})
            }
        })
        .collect();
    let sgs: Vec<Value> = s.security_groups.iter().map(|n| json!({"name": n})).collect();
    let progress = if matches!(status, "ACTIVE" | "BUILD") {
        if status == "ACTIVE" { 100 } else { 0 }
    } else {
        0
    };
    let mut v = json!({
        "id": s.id,
        "name": s.name,
        "status": status,
        "tenant_id": s.project_id,
        "user_id": s.user_id,
        "metadata": s.metadata,
        "hostId": s.host_id,
        "image": image,
        "flavor": flavor_ref(cloud, s, mv, base),
        "created": seconds_z(&s.created),
        "updated": seconds_z(&s.updated),
        "addresses": addresses(cloud, s, fips),
        "accessIPv4": "",
        "accessIPv6": "",
        "links": links(root, base, "servers", &s.id),
        "OS-DCF:diskConfig": "MANUAL",
        "progress": progress,
        "OS-EXT-AZ:availability_zone": s.az,
        "config_drive": "",
        "key_name": s.key_name,
        "OS-SRV-USG:launched_at": s.launched_at.as_ref().map(micros_naive),
        "OS-SRV-USG:terminated_at": s.terminated_at.as_ref().map(micros_naive),
        "OS-EXT-STS:task_state": s.task_state,
        "OS-EXT-STS:vm_state": s.vm_state,
        "OS-EXT-STS:power_state": s.power_state,
        "os-extended-volumes:volumes_attached": volumes,
    });
    if !sgs.is_empty() {
        v["security_groups"] = json!(sgs);
    }
    if mv.at_least(9) {
        v["locked"] = json!(false);
    }
    if mv.at_least(19) {
        v["description"] = json!(s.description);
    }
    if mv.at_least(26) {
        v["tags"] = json!([]);
    }
    if mv.at_least(73) {
        v["locked_reason"] = Value::Null;
    }
    if let Some(f) = &s.fault {
        v["fault"] = json!({"code": f.code, "message": f.message, "created": seconds_z(&f.created)});
    }
    if cloud.nhn {
        v["NHN-EXT-ATTR:ephemeral_disk_size"] = json!(0);
        v["NHN-EXT-ATTR:protect"] = json!(false);
    }
    v
}

pub fn flavor_summary(f: &Flavor, root: &str, base: &str, mv: Microversion) -> Value {
    let mut v = json!({"id": f.id, "name": f.name, "links": links(root, base, "flavors", &f.id)});
    if mv.at_least(55) {
        v["description"] = Value::Null;
    }
    v
}

pub fn flavor_detail(f: &Flavor, root: &str, base: &str, mv: Microversion, nhn: bool) -> Value {
    let mut v = flavor_summary(f, root, base, mv);
    v["vcpus"] = json!(f.vcpus);
    v["ram"] = json!(f.ram);
    v["disk"] = json!(f.disk);
    v["swap"] = if mv.at_least(75) {
        json!(f.swap)
    } else if f.swap == 0 {
        json!("")
    } else {
        json!(f.swap)
    };
    v["OS-FLV-EXT-DATA:ephemeral"] = json!(f.ephemeral);
    v["os-flavor-access:is_public"] = json!(f.is_public);
    if !mv.at_least(102) {
        v["rxtx_factor"] = json!(1.0);
        v["OS-FLV-DISABLED:disabled"] = json!(false);
    }
    if mv.at_least(61) || nhn {
        let flavor_type = if f.local_disk { "local" } else { "volume" };
        v["extra_specs"] = json!({"flavor_type": flavor_type});
    }
    v
}

pub fn volume_attachment(server_id: &str, v: &ServerVolume, mv: Microversion) -> Value {
    let mut out = json!({"serverId": server_id, "volumeId": v.volume_id, "device": v.device});
    if mv.at_least(89) {
        out["attachment_id"] = json!(v.attachment_id);
        out["bdm_uuid"] = json!(v.bdm_uuid);
    } else {
        out["id"] = json!(v.volume_id);
    }
    if mv.at_least(70) {
        out["tag"] = Value::Null;
    }
    if mv.at_least(79) {
        out["delete_on_termination"] = json!(v.delete_on_termination);
    }
    out
}
