//! Network bookkeeping of a cloud: default security groups, tenant networks, IP allocation, ports.
use std::collections::BTreeSet;

use super::cloud::Cloud;
use super::ipam;
use super::model::*;
use crate::http::error::{ApiError, ApiResult};

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
