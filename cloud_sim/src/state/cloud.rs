//! One simulated region: every compute, network, block storage and image record, and its clock.
use std::collections::{BTreeMap, BTreeSet};

use super::ipam;
use super::model::*;
use super::rng::SimRng;
use super::transitions::Event;
use crate::config::Quotas;
use crate::http::error::{ApiError, ApiResult};
use crate::time_fmt::Ts;

pub struct Cloud {
    pub key: String,
    pub nhn: bool,
    pub region: String,
    pub rng: SimRng,
    pub now: Ts,
    pub delay: chrono::Duration,
    pub quotas: Quotas,
    pub max_limit: usize,
    pub azs: Vec<String>,
    pub default_volume_type: String,
    pub flavors: BTreeMap<String, Flavor>,
    pub images: BTreeMap<String, Image>,
    pub volume_types: BTreeMap<String, VolumeType>,
    pub keypairs: BTreeMap<(String, String), Keypair>,
    pub servers: BTreeMap<String, Server>,
    pub volumes: BTreeMap<String, Volume>,
    pub networks: BTreeMap<String, Network>,
    pub subnets: BTreeMap<String, Subnet>,
    pub ports: BTreeMap<String, Port>,
    pub security_groups: BTreeMap<String, SecurityGroup>,
    pub sg_rules: BTreeMap<String, SgRule>,
    pub floating_ips: BTreeMap<String, FloatingIp>,
    pub external_network_id: String,
    pub events: BTreeMap<(Ts, u64), Event>,
    pub counters: BTreeMap<String, u64>,
    pub provisioned_projects: BTreeSet<String>,
    seq: u64,
}

pub struct NewPort<'a> {
    pub project_id: &'a str,
    pub network_id: &'a str,
    pub name: String,
    pub security_groups: Option<Vec<String>>,
    pub fixed_ips: Vec<(Option<String>, Option<String>)>,
    pub admin_state_up: bool,
    pub description: String,
}

impl Cloud {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        key: &str,
        nhn: bool,
        region: &str,
        seed: u64,
        now: Ts,
        delay: std::time::Duration,
        quotas: Quotas,
        max_limit: usize,
    ) -> Self {
        Cloud {
            key: key.to_string(),
            nhn,
            region: region.to_string(),
            rng: SimRng::new(seed),
            now,
            delay: chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::zero()),
            quotas,
            max_limit,
            azs: Vec::new(),
            default_volume_type: String::new(),
            flavors: BTreeMap::new(),
            images: BTreeMap::new(),
            volume_types: BTreeMap::new(),
            keypairs: BTreeMap::new(),
            servers: BTreeMap::new(),
            volumes: BTreeMap::new(),
            networks: BTreeMap::new(),
            subnets: BTreeMap::new(),
            ports: BTreeMap::new(),
            security_groups: BTreeMap::new(),
            sg_rules: BTreeMap::new(),
            floating_ips: BTreeMap::new(),
            external_network_id: String::new(),
            events: BTreeMap::new(),
            counters: BTreeMap::new(),
            provisioned_projects: BTreeSet::new(),
            seq: 0,
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn uuid(&mut self) -> String {
        self.rng.uuid()
    }

    pub fn count(&mut self, name: &str) {
        *self.counters.entry(name.to_string()).or_insert(0) += 1;
    }

    /// Schedules `event` after `fraction` of the configured transition delay.
    pub fn schedule(&mut self, fraction: f64, event: Event) {
        let millis = (self.delay.num_milliseconds() as f64 * fraction).round() as i64;
        let due = self.now + chrono::Duration::milliseconds(millis.max(0));
        let seq = self.next_seq();
        self.events.insert((due, seq), event);
    }

    pub fn default_az(&self) -> String {
        self.azs.first().cloned().unwrap_or_else(|| "nova".to_string())
    }

    /// Default security group and a tenant network the first time a project is seen.
    pub fn ensure_project(&mut self, project_id: &str) {
        if project_id.is_empty() || !self.provisioned_projects.insert(project_id.to_string()) {
            return;
        }
        self.ensure_default_sg(project_id);
        let (net_name, net_cidr, subnet_name, subnet_cidr) = if self.nhn {
            (
                "Default Network",
                Some("192.168.0.0/16".to_string()),
                "Default Network",
                "192.168.0.0/24",
            )
        } else {
            ("private", None, "private-subnet", "10.0.0.0/16")
        };
        let net = self.insert_network(project_id, net_name, false, false, net_cidr);
        if let Some(n) = self.networks.get_mut(&net) {
            n.router_id = Some(self.rng.uuid());
        }
        let _ = self.insert_subnet(project_id, &net, subnet_name, subnet_cidr, None);
    }

    pub fn ensure_default_sg(&mut self, project_id: &str) -> String {
        if let Some(sg) = self
            .security_groups
            .values()
            .find(|g| g.project_id == project_id && g.name == "default")
        {
            return sg.id.clone();
        }
        self.insert_security_group(project_id, "default", "Default security group", true)
    }

    pub fn insert_security_group(
        &mut self,
        project_id: &str,
        name: &str,
        description: &str,
        is_default: bool,
    ) -> String {
        let id = self.uuid();
        let now = self.now;
        self.security_groups.insert(
            id.clone(),
            SecurityGroup {
                id: id.clone(),
                name: name.to_string(),
                description: description.to_string(),
                project_id: project_id.to_string(),
                stateful: true,
                created: now,
                updated: now,
                revision: 1,
            },
        );
        for ethertype in ["IPv4", "IPv6"] {
            self.insert_rule(&id, project_id, rule_spec("egress", ethertype, None), is_default);
            if is_default {
                let mut spec = rule_spec("ingress", ethertype, None);
                spec.remote_group_id = Some(id.clone());
                self.insert_rule(&id, project_id, spec, true);
            }
        }
        id
    }

    pub fn insert_rule(&mut self, sg_id: &str, project_id: &str, spec: SgRuleSpec, default_sg: bool) -> String {
        let id = self.uuid();
        let now = self.now;
        self.sg_rules.insert(
            id.clone(),
            SgRule {
                id: id.clone(),
                security_group_id: sg_id.to_string(),
                project_id: project_id.to_string(),
                spec,
                description: String::new(),
                belongs_to_default_sg: default_sg,
                created: now,
                updated: now,
                revision: 0,
            },
        );
        id
    }

    pub fn insert_network(
        &mut self,
        project_id: &str,
        name: &str,
        shared: bool,
        external: bool,
        cidr: Option<String>,
    ) -> String {
        let id = self.uuid();
        let now = self.now;
        self.networks.insert(
            id.clone(),
            Network {
                id: id.clone(),
                name: name.to_string(),
                project_id: project_id.to_string(),
                shared,
                external,
                admin_state_up: true,
                mtu: 1450,
                subnets: Vec::new(),
                description: String::new(),
                cidr,
                router_id: None,
                created: now,
                updated: now,
                revision: 1,
            },
        );
        id
    }

    pub fn insert_subnet(
        &mut self,
        project_id: &str,
        network_id: &str,
        name: &str,
        cidr: &str,
        gateway: Option<Option<String>>,
    ) -> ApiResult<String> {
        let (base, len) = ipam::parse_cidr(cidr).ok_or_else(|| {
            ApiError::bad_request(&format!(
                "Invalid input for cidr. Reason: '{cidr}' is not a valid IP subnet."
            ))
        })?;
        if !self.networks.contains_key(network_id) {
            return Err(ApiError::not_found(
                "NetworkNotFound",
                &format!("Network {network_id} could not be found."),
            ));
        }
        let id = self.uuid();
        let now = self.now;
        let gateway_ip = match gateway {
            None => Some(ipam::format_ipv4(base + 1)),
            Some(g) => g,
        };
        let mut allocated = BTreeSet::new();
        if let Some(g) = gateway_ip.as_deref().and_then(ipam::parse_ipv4) {
            allocated.insert(g);
        }
        self.subnets.insert(
            id.clone(),
            Subnet {
                id: id.clone(),
                name: name.to_string(),
                network_id: network_id.to_string(),
                project_id: project_id.to_string(),
                cidr: format!("{}/{}", ipam::format_ipv4(base), len),
                gateway_ip,
                enable_dhcp: true,
                dns_nameservers: Vec::new(),
                net_base: base,
                prefix_len: len,
                allocated,
                cursor: 0,
                created: now,
                updated: now,
                revision: 0,
            },
        );
        if let Some(n) = self.networks.get_mut(network_id) {
            n.subnets.push(id.clone());
            n.updated = now;
        }
        Ok(id)
    }

    /// Allocates `requested` (or the next free address) on a subnet.
    pub fn allocate_ip(&mut self, subnet_id: &str, requested: Option<&str>) -> ApiResult<String> {
        let subnet = self
            .subnets
            .get_mut(subnet_id)
            .ok_or_else(|| ApiError::not_found("SubnetNotFound", &format!("Subnet {subnet_id} could not be found.")))?;
        let (first, last) = ipam::host_range(subnet.net_base, subnet.prefix_len);
        let ip = match requested {
            Some(r) => {
                let ip = ipam::parse_ipv4(r)
                    .filter(|ip| ipam::contains(subnet.net_base, subnet.prefix_len, *ip))
                    .ok_or_else(|| {
                        ApiError::bad_request(&format!("IP address {r} is not a valid IP for the specified subnet."))
                    })?;
                if subnet.allocated.contains(&ip) {
                    return Err(ApiError::conflict(
                        "IpAddressAlreadyAllocated",
                        &format!("IP address {r} already allocated in subnet {subnet_id}"),
                    ));
                }
                ip
            }
            None => (subnet.cursor.max(first)..=last)
                .chain(first..subnet.cursor.max(first))
                .find(|ip| !subnet.allocated.contains(ip))
                .ok_or_else(|| {
                    ApiError::conflict(
                        "IpAddressGenerationFailure",
                        &format!("No more IP addresses available on network {}.", subnet.network_id),
                    )
                })?,
        };
        subnet.allocated.insert(ip);
        if requested.is_none() {
            subnet.cursor = ip.saturating_add(1);
        }
        Ok(ipam::format_ipv4(ip))
    }

    pub fn release_ip(&mut self, subnet_id: &str, ip: &str) {
        if let (Some(s), Some(v)) = (self.subnets.get_mut(subnet_id), ipam::parse_ipv4(ip)) {
            s.allocated.remove(&v);
        }
    }

    pub fn create_port(&mut self, spec: NewPort<'_>) -> ApiResult<String> {
        let network = self
            .networks
            .get(spec.network_id)
            .ok_or_else(|| {
                ApiError::not_found(
                    "NetworkNotFound",
                    &format!("Network {} could not be found.", spec.network_id),
                )
            })?
            .clone();
        let sgs = match spec.security_groups {
            Some(list) => {
                for sg in &list {
                    if !self.security_groups.contains_key(sg) {
                        return Err(ApiError::not_found(
                            "SecurityGroupNotFound",
                            &format!("Security group {sg} does not exist"),
                        ));
                    }
                }
                list
            }
            None => vec![self.ensure_default_sg(spec.project_id)],
        };
        let mut wanted = spec.fixed_ips;
        if wanted.is_empty()
            && let Some(first) = network.subnets.first()
        {
            wanted.push((Some(first.clone()), None));
        }
        let mut fixed = Vec::new();
        for (subnet_id, ip) in wanted {
            let subnet_id = match subnet_id {
                Some(s) => s,
                None => {
                    let ip_v = ip.as_deref().and_then(ipam::parse_ipv4);
                    network
                        .subnets
                        .iter()
                        .find(|s| {
                            self.subnets.get(*s).is_some_and(|sub| {
                                ip_v.is_some_and(|v| ipam::contains(sub.net_base, sub.prefix_len, v))
                            })
                        })
                        .cloned()
                        .ok_or_else(|| {
                            ApiError::bad_request("Invalid input for fixed_ips: no subnet matches the address")
                        })?
                }
            };
            if self.subnets.get(&subnet_id).map(|s| s.network_id.as_str()) != Some(spec.network_id) {
                for f in &fixed {
                    let FixedIp { subnet_id, ip_address } = f;
                    self.release_ip(subnet_id, ip_address);
                }
                return Err(ApiError::bad_request(&format!(
                    "Invalid input for operation: Failed to create port on network {}, because fixed_ips included invalid subnet {subnet_id}.",
                    spec.network_id
                )));
            }
            match self.allocate_ip(&subnet_id, ip.as_deref()) {
                Ok(addr) => fixed.push(FixedIp {
                    subnet_id,
                    ip_address: addr,
                }),
                Err(e) => {
                    for f in &fixed {
                        let FixedIp { subnet_id, ip_address } = f;
                        self.release_ip(subnet_id, ip_address);
                    }
                    return Err(e);
                }
            }
        }
        let id = self.uuid();
        let mac = self.rng.mac();
        let now = self.now;
        self.ports.insert(
            id.clone(),
            Port {
                id: id.clone(),
                name: spec.name,
                network_id: spec.network_id.to_string(),
                project_id: spec.project_id.to_string(),
                mac,
                fixed_ips: fixed,
                device_id: String::new(),
                device_owner: String::new(),
                status: "DOWN".into(),
                admin_state_up: spec.admin_state_up,
                security_groups: sgs,
                port_security_enabled: true,
                host_id: String::new(),
                description: spec.description,
                created: now,
                updated: now,
                revision: 1,
            },
        );
        Ok(id)
    }

    /// Clears the binding of a port (server gone or interface detached); FIPs stay associated.
    pub fn unbind_port(&mut self, port_id: &str) {
        let now = self.now;
        if let Some(p) = self.ports.get_mut(port_id) {
            p.device_id.clear();
            p.device_owner.clear();
            p.host_id.clear();
            p.status = "DOWN".into();
            p.updated = now;
            p.revision += 1;
        }
    }

    /// Removes a port, releasing its addresses, disassociating floating IPs and unplugging it from its server.
    pub fn remove_port(&mut self, port_id: &str) -> Option<Port> {
        let port = self.ports.remove(port_id)?;
        for f in &port.fixed_ips {
            self.release_ip(&f.subnet_id, &f.ip_address);
        }
        let now = self.now;
        for fip in self.floating_ips.values_mut() {
            if fip.port_id.as_deref() == Some(port_id) {
                fip.port_id = None;
                fip.fixed_ip = None;
                fip.router_id = None;
                fip.status = "DOWN".into();
                fip.updated = now;
                fip.revision += 1;
            }
        }
        if let Some(s) = self.servers.get_mut(&port.device_id) {
            s.port_ids.retain(|p| p != port_id);
            s.owned_port_ids.retain(|p| p != port_id);
            s.updated = now;
        }
        Some(port)
    }

    /// The end of a server delete: tombstone it, release ports and volumes.
    pub fn destroy_server(&mut self, server_id: &str) {
        let now = self.now;
        let Some(s) = self.servers.get_mut(server_id) else {
            return;
        };
        if s.deleted {
            return;
        }
        s.deleted = true;
        s.vm_state = "deleted".into();
        s.task_state = None;
        s.power_state = 0;
        s.updated = now;
        s.terminated_at = Some(now);
        let ports = std::mem::take(&mut s.port_ids);
        let owned = std::mem::take(&mut s.owned_port_ids);
        let volumes = std::mem::take(&mut s.volumes);
        for p in ports {
            if owned.contains(&p) {
                self.remove_port(&p);
            } else {
                self.unbind_port(&p);
            }
        }
        for v in volumes {
            if v.delete_on_termination {
                self.volumes.remove(&v.volume_id);
            } else if let Some(vol) = self.volumes.get_mut(&v.volume_id) {
                vol.status = "available".into();
                vol.attachments.clear();
                vol.updated = Some(now);
            }
        }
        self.events.retain(|_, e| match e {
            Event::ServerBuildStep { server_id: s, .. }
            | Event::ServerBuilt { server_id: s }
            | Event::ServerTaskDone { server_id: s, .. }
            | Event::ServerResized { server_id: s } => s != server_id,
            _ => true,
        });
    }

    pub fn first_free_device(&self, server_id: &str) -> String {
        let used: Vec<String> = self
            .servers
            .get(server_id)
            .map(|s| s.volumes.iter().map(|v| v.device.clone()).collect())
            .unwrap_or_default();
        for c in b'a'..=b'z' {
            let d = format!("/dev/vd{}", c as char);
            if !used.contains(&d) {
                return d;
            }
        }
        "/dev/vdz".to_string()
    }

    pub fn project_gigabytes(&self, project_id: &str) -> u64 {
        self.volumes
            .values()
            .filter(|v| v.project_id == project_id)
            .map(|v| v.size)
            .sum()
    }

    pub fn find_volume_type(&self, name_or_id: &str) -> Option<&VolumeType> {
        self.volume_types
            .get(name_or_id)
            .or_else(|| self.volume_types.values().find(|t| t.name == name_or_id))
    }
}

pub fn rule_spec(direction: &str, ethertype: &str, protocol: Option<&str>) -> SgRuleSpec {
    SgRuleSpec {
        direction: direction.to_string(),
        ethertype: ethertype.to_string(),
        protocol: protocol.map(str::to_string),
        port_range_min: None,
        port_range_max: None,
        remote_ip_prefix: None,
        remote_group_id: None,
    }
}
