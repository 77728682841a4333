//! Changes behind the control plane's back: delete, modify, or create unmanaged resources.
use std::sync::Arc;

use serde_json::Value;

use crate::http::error::ApiError;
use crate::http::request::{int_field, str_field, string_field, string_map};
use crate::server::{Shared, lock};
use crate::state::cloud::Cloud;
use crate::state::model::{Server, ServerFault, Volume};
use crate::state::networking::NewPort;

/// Resource kinds that can be changed behind the control plane's back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Server,
    Volume,
    Port,
    FloatingIp,
    SecurityGroup,
    Network,
    Subnet,
}

impl ResourceKind {
    pub fn from_path(s: &str) -> Option<Self> {
        Some(match s {
            "servers" | "server" => ResourceKind::Server,
            "volumes" | "volume" => ResourceKind::Volume,
            "ports" | "port" => ResourceKind::Port,
            "floatingips" | "floating_ips" | "floatingip" | "floating_ip" => ResourceKind::FloatingIp,
            "security_groups" | "security-groups" | "security_group" => ResourceKind::SecurityGroup,
            "networks" | "network" => ResourceKind::Network,
            "subnets" | "subnet" => ResourceKind::Subnet,
            _ => return None,
        })
    }
}

/// Changes made directly to a cloud's state, as an operator or another tool would.
pub struct OutOfBand {
    shared: Arc<Shared>,
    cloud: String,
}

impl OutOfBand {
    pub(crate) fn new(shared: Arc<Shared>, cloud: &str) -> Self {
        OutOfBand {
            shared,
            cloud: cloud.to_string(),
        }
    }

    pub(super) fn with_cloud<T>(&self, f: impl FnOnce(&mut Cloud) -> Result<T, String>) -> Result<T, String> {
        let mut st = lock(&self.shared.state);
        st.advance_all();
        let cloud = st
            .clouds
            .get_mut(&self.cloud)
            .ok_or_else(|| format!("unknown cloud {}", self.cloud))?;
        f(cloud)
    }

    /// Removes the resource (servers become `DELETED` tombstones, visible to changes-since).
    pub fn delete(&self, kind: ResourceKind, id: &str) -> bool {
        self.with_cloud(|c| Ok(oob_delete(c, kind, id))).unwrap_or(false)
    }

    /// Applies field changes: servers `name`/`status`/`metadata`; volumes `status`/`size`/`name`;
    /// ports `name`/`device_id`/`status`/`security_groups`; floating IPs `port_id`/`status`; ...
    pub fn modify(&self, kind: ResourceKind, id: &str, changes: &Value) -> Result<(), String> {
        self.with_cloud(|c| oob_modify(c, kind, id, changes))
    }

    /// Creates a resource nobody asked the control plane for; returns its id.
    pub fn create(&self, kind: ResourceKind, project_id: &str, spec: &Value) -> Result<String, String> {
        self.with_cloud(|c| oob_create(c, kind, project_id, spec))
    }

    pub fn count(&self, kind: ResourceKind) -> usize {
        self.with_cloud(|c| Ok(ids(c, kind).len())).unwrap_or(0)
    }

    pub fn ids(&self, kind: ResourceKind) -> Vec<String> {
        self.with_cloud(|c| Ok(ids(c, kind))).unwrap_or_default()
    }

    pub fn delete_server(&self, id: &str) -> bool {
        self.delete(ResourceKind::Server, id)
    }

    pub fn delete_volume(&self, id: &str) -> bool {
        self.delete(ResourceKind::Volume, id)
    }

    pub fn delete_port(&self, id: &str) -> bool {
        self.delete(ResourceKind::Port, id)
    }

    pub fn delete_floating_ip(&self, id: &str) -> bool {
        self.delete(ResourceKind::FloatingIp, id)
    }
}

fn ids(c: &Cloud, kind: ResourceKind) -> Vec<String> {
    match kind {
        ResourceKind::Server => c
            .servers
            .values()
            .filter(|s| !s.deleted)
            .map(|s| s.id.clone())
            .collect(),
        ResourceKind::Volume => c.volumes.keys().cloned().collect(),
        ResourceKind::Port => c.ports.keys().cloned().collect(),
        ResourceKind::FloatingIp => c.floating_ips.keys().cloned().collect(),
        ResourceKind::SecurityGroup => c.security_groups.keys().cloned().collect(),
        ResourceKind::Network => c.networks.keys().cloned().collect(),
        ResourceKind::Subnet => c.subnets.keys().cloned().collect(),
    }
}

fn oob_delete(c: &mut Cloud, kind: ResourceKind, id: &str) -> bool {
    match kind {
        ResourceKind::Server => {
            let exists = c.servers.get(id).is_some_and(|s| !s.deleted);
            c.destroy_server(id);
            exists
        }
        ResourceKind::Volume => {
            for s in c.servers.values_mut() {
                s.volumes.retain(|v| v.volume_id != id);
            }
            c.volumes.remove(id).is_some()
        }
        ResourceKind::Port => c.remove_port(id).is_some(),
        ResourceKind::FloatingIp => {
            let Some(f) = c.floating_ips.remove(id) else {
                return false;
            };
            if let Some(sub) = c
                .networks
                .get(&f.floating_network_id)
                .and_then(|n| n.subnets.first().cloned())
            {
                c.release_ip(&sub, &f.address);
            }
            true
        }
        ResourceKind::SecurityGroup => {
            let existed = c.security_groups.remove(id).is_some();
            c.sg_rules.retain(|_, r| r.security_group_id != id);
            for p in c.ports.values_mut() {
                p.security_groups.retain(|s| s != id);
            }
            existed
        }
        ResourceKind::Network => {
            let Some(n) = c.networks.remove(id) else {
                return false;
            };
            let ports: Vec<String> = c
                .ports
                .values()
                .filter(|p| p.network_id == id)
                .map(|p| p.id.clone())
                .collect();
            for p in ports {
                c.remove_port(&p);
            }
            for s in n.subnets {
                c.subnets.remove(&s);
            }
            true
        }
        ResourceKind::Subnet => {
            let Some(s) = c.subnets.remove(id) else {
                return false;
            };
            if let Some(n) = c.networks.get_mut(&s.network_id) {
                n.subnets.retain(|x| x != id);
            }
            true
        }
    }
}

fn server_state_for(status: &str) -> Option<(&'static str, u8)> {
    Some(match status.to_ascii_uppercase().as_str() {
        "ACTIVE" => ("active", 1),
        "SHUTOFF" => ("stopped", 4),
        "ERROR" => ("error", 0),
        "PAUSED" => ("paused", 3),
        "SUSPENDED" => ("suspended", 7),
        "BUILD" => ("building", 0),
        "SHELVED_OFFLOADED" => ("shelved_offloaded", 4),
        _ => return None,
    })
}

fn oob_modify(c: &mut Cloud, kind: ResourceKind, id: &str, ch: &Value) -> Result<(), String> {
    let now = c.now;
    let missing = || format!("{kind:?} {id} not found");
    match kind {
        ResourceKind::Server => {
            let s = c.servers.get_mut(id).filter(|s| !s.deleted).ok_or_else(missing)?;
            if let Some(n) = string_field(ch, "name") {
                s.name = n;
            }
            if let Some(st) = str_field(ch, "status") {
                let (vm, power) = server_state_for(st).ok_or_else(|| format!("unsupported status {st}"))?;
                s.vm_state = vm.to_string();
                s.power_state = power;
                s.task_state = None;
                if vm == "error" {
                    s.fault = Some(ServerFault {
                        code: 500,
                        message: "Changed out of band".into(),
                        created: now,
                    });
                }
            }
            if ch.get("metadata").is_some() {
                s.metadata = string_map(ch.get("metadata"));
            }
            if ch.get("task_state").is_some() {
                s.task_state = string_field(ch, "task_state");
            }
            s.updated = now;
        }
        ResourceKind::Volume => {
            let v = c.volumes.get_mut(id).ok_or_else(missing)?;
            if let Some(st) = string_field(ch, "status") {
                v.status = st;
            }
            if let Some(size) = int_field(ch, "size") {
                v.size = size.max(1) as u64;
            }
            if ch.get("name").is_some() {
                v.name = string_field(ch, "name");
            }
            if ch.get("metadata").is_some() {
                v.metadata = string_map(ch.get("metadata"));
            }
            v.updated = Some(now);
        }
        ResourceKind::Port => {
            let p = c.ports.get_mut(id).ok_or_else(missing)?;
            if let Some(n) = string_field(ch, "name") {
                p.name = n;
            }
            if let Some(d) = string_field(ch, "device_id") {
                p.device_id = d;
            }
            if let Some(d) = string_field(ch, "device_owner") {
                p.device_owner = d;
            }
            if let Some(s) = string_field(ch, "status") {
                p.status = s;
            }
            if let Some(list) = ch.get("security_groups").and_then(Value::as_array) {
                p.security_groups = list.iter().filter_map(Value::as_str).map(str::to_string).collect();
            }
            p.updated = now;
            p.revision += 1;
        }
        ResourceKind::FloatingIp => {
            let target = match ch.get("port_id") {
                Some(Value::String(pid)) => {
                    let port = c.ports.get(pid).ok_or_else(|| format!("port {pid} not found"))?;
                    let ip = port.fixed_ips.first().map(|f| f.ip_address.clone());
                    let router = c.networks.get(&port.network_id).and_then(|n| n.router_id.clone());
                    Some(Some((pid.clone(), ip, router)))
                }
                Some(Value::Null) => Some(None),
                _ => None,
            };
            let f = c.floating_ips.get_mut(id).ok_or_else(missing)?;
            match target {
                Some(Some((pid, ip, router))) => {
                    f.port_id = Some(pid);
                    f.fixed_ip = ip;
                    f.router_id = router;
                    f.status = "ACTIVE".into();
                }
                Some(None) => {
                    f.port_id = None;
                    f.fixed_ip = None;
                    f.router_id = None;
                    f.status = "DOWN".into();
                }
                None => {}
            }
            if let Some(s) = string_field(ch, "status") {
                f.status = s;
            }
            if let Some(d) = string_field(ch, "description") {
                f.description = d;
            }
            f.updated = now;
            f.revision += 1;
        }
        ResourceKind::SecurityGroup => {
            let g = c.security_groups.get_mut(id).ok_or_else(missing)?;
            if let Some(n) = string_field(ch, "name") {
                g.name = n;
            }
            if let Some(d) = string_field(ch, "description") {
                g.description = d;
            }
            g.updated = now;
            g.revision += 1;
        }
        ResourceKind::Network => {
            let n = c.networks.get_mut(id).ok_or_else(missing)?;
            if let Some(name) = string_field(ch, "name") {
                n.name = name;
            }
            n.updated = now;
            n.revision += 1;
        }
        ResourceKind::Subnet => {
            let s = c.subnets.get_mut(id).ok_or_else(missing)?;
            if let Some(name) = string_field(ch, "name") {
                s.name = name;
            }
            s.updated = now;
            s.revision += 1;
        }
    }
    Ok(())
}

fn project_network(c: &Cloud, project_id: &str) -> Option<String> {
    c.networks
        .values()
        .find(|n| n.project_id == project_id && !n.external)
        .map(|n| n.id.clone())
}

pub(super) fn oob_create(c: &mut Cloud, kind: ResourceKind, project_id: &str, spec: &Value) -> Result<String, String> {
    c.ensure_project(project_id);
    let now = c.now;
    let name = string_field(spec, "name").unwrap_or_else(|| "unmanaged".to_string());
    let err = |e: ApiError| e.message;
    match kind {
        ResourceKind::Server => {
            let flavor_id = string_field(spec, "flavor_id")
                .or_else(|| c.flavors.keys().next().cloned())
                .ok_or("no flavor")?;
            let (vm, power) =
                server_state_for(str_field(spec, "status").unwrap_or("ACTIVE")).ok_or("unsupported status")?;
            let id = c.uuid();
            let mut port_ids = Vec::new();
            if let Some(net) = string_field(spec, "network_id").or_else(|| project_network(c, project_id)) {
                let pid = c
                    .create_port(NewPort {
                        project_id,
                        network_id: &net,
                        name: String::new(),
                        security_groups: None,
                        fixed_ips: Vec::new(),
                        admin_state_up: true,
                        description: String::new(),
                    })
                    .map_err(err)?;
                let az = c.default_az();
                if let Some(p) = c.ports.get_mut(&pid) {
                    p.device_id = id.clone();
                    p.device_owner = format!("compute:{az}");
                    p.status = "ACTIVE".into();
                }
                port_ids.push(pid);
            }
            let seq = c.next_seq();
            let host_id = c.rng.hex(56);
            let az = c.default_az();
            c.servers.insert(
                id.clone(),
                Server {
                    id: id.clone(),
                    name,
                    description: None,
                    project_id: project_id.to_string(),
                    user_id: string_field(spec, "user_id").unwrap_or_default(),
                    flavor_id,
                    image_id: string_field(spec, "image_id").or_else(|| c.images.keys().next().cloned()),
                    key_name: None,
                    metadata: string_map(spec.get("metadata")),
                    vm_state: vm.to_string(),
                    task_state: None,
                    power_state: power,
                    az,
                    created: now,
                    updated: now,
                    launched_at: Some(now),
                    terminated_at: None,
                    owned_port_ids: port_ids.clone(),
                    port_ids,
                    volumes: Vec::new(),
                    security_groups: vec!["default".into()],
                    fault: None,
                    host_id,
                    deleted: false,
                    addresses_visible: true,
                    resize: None,
                    seq,
                },
            );
            Ok(id)
        }
        ResourceKind::Volume => {
            let id = c.uuid();
            let seq = c.next_seq();
            let vtype = c.default_volume_type.clone();
            let az = c.default_az();
            c.volumes.insert(
                id.clone(),
                Volume {
                    id: id.clone(),
                    name: Some(name),
                    description: None,
                    project_id: project_id.to_string(),
                    user_id: String::new(),
                    size: int_field(spec, "size").unwrap_or(1).max(1) as u64,
                    status: string_field(spec, "status").unwrap_or_else(|| "available".into()),
                    volume_type: vtype,
                    image_id: None,
                    az,
                    attachments: Vec::new(),
                    metadata: string_map(spec.get("metadata")),
                    created: now,
                    updated: None,
                    seq,
                },
            );
            Ok(id)
        }
        ResourceKind::Port => {
            let net = string_field(spec, "network_id")
                .or_else(|| project_network(c, project_id))
                .ok_or("project has no network")?;
            c.create_port(NewPort {
                project_id,
                network_id: &net,
                name,
                security_groups: None,
                fixed_ips: Vec::new(),
                admin_state_up: true,
                description: String::new(),
            })
            .map_err(err)
        }
        ResourceKind::FloatingIp => {
            let ext = c.external_network_id.clone();
            let subnet = c
                .networks
                .get(&ext)
                .and_then(|n| n.subnets.first().cloned())
                .ok_or("no external subnet")?;
            let address = c.allocate_ip(&subnet, None).map_err(err)?;
            let id = c.uuid();
            c.floating_ips.insert(
                id.clone(),
                crate::state::model::FloatingIp {
                    id: id.clone(),
                    address,
                    floating_network_id: ext,
                    port_id: None,
                    fixed_ip: None,
                    router_id: None,
                    status: "DOWN".into(),
                    project_id: project_id.to_string(),
                    description: String::new(),
                    label: None,
                    delete_protection: false,
                    created: now,
                    updated: now,
                    revision: 0,
                },
            );
            if spec.get("port_id").is_some() {
                oob_modify(c, ResourceKind::FloatingIp, &id, spec)?;
            }
            Ok(id)
        }
        ResourceKind::SecurityGroup => Ok(c.insert_security_group(project_id, &name, "", false)),
        ResourceKind::Network => {
            let id = c.insert_network(project_id, &name, false, false, None);
            if let Some(cidr) = str_field(spec, "cidr") {
                c.insert_subnet(project_id, &id, &format!("{name}-subnet"), cidr, None)
                    .map_err(err)?;
            }
            Ok(id)
        }
        ResourceKind::Subnet => {
            let net = string_field(spec, "network_id").ok_or("network_id is required")?;
            let cidr = str_field(spec, "cidr").ok_or("cidr is required")?;
            c.insert_subnet(project_id, &net, &name, cidr, None).map_err(err)
        }
    }
}
