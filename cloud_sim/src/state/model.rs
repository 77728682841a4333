//! Resource records of one cloud region. Views (JSON shapes) live with each service.
use std::collections::BTreeMap;

use crate::time_fmt::Ts;

#[derive(Debug, Clone)]
pub struct Flavor {
    pub id: String,
    pub name: String,
    pub vcpus: u32,
    pub ram: u32,
    pub disk: u32,
    pub ephemeral: u32,
    pub swap: u32,
    pub is_public: bool,
    /// NHN "U2" style flavors boot from a local disk and may omit block_device_mapping_v2.
    pub local_disk: bool,
}

#[derive(Debug, Clone)]
pub struct Image {
    pub id: String,
    pub name: String,
    pub status: String,
    pub visibility: String,
    pub owner: String,
    pub min_disk: u32,
    pub min_ram: u32,
    pub size: u64,
    pub disk_format: String,
    pub container_format: String,
    pub created: Ts,
    pub properties: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct VolumeType {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub backend: String,
}

#[derive(Debug, Clone)]
pub struct Keypair {
    pub name: String,
    pub user_id: String,
    pub public_key: String,
    pub fingerprint: String,
    pub created: Ts,
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub struct ServerVolume {
    pub volume_id: String,
    pub device: String,
    pub delete_on_termination: bool,
    pub attachment_id: String,
    pub bdm_uuid: String,
}

#[derive(Debug, Clone)]
pub struct ServerFault {
    pub code: u16,
    pub message: String,
    pub created: Ts,
}

#[derive(Debug, Clone)]
pub struct PendingResize {
    pub old_flavor: String,
    pub new_flavor: String,
    pub prev_vm_state: String,
}

#[derive(Debug, Clone)]
pub struct Server {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub project_id: String,
    pub user_id: String,
    pub flavor_id: String,
    pub image_id: Option<String>,
    pub key_name: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub vm_state: String,
    pub task_state: Option<String>,
    pub power_state: u8,
    pub az: String,
    pub created: Ts,
    pub updated: Ts,
    pub launched_at: Option<Ts>,
    pub terminated_at: Option<Ts>,
    pub port_ids: Vec<String>,
    /// Ports nova created for `networks: [{uuid}]`; deleted with the server.
    pub owned_port_ids: Vec<String>,
    pub volumes: Vec<ServerVolume>,
    pub security_groups: Vec<String>,
    pub fault: Option<ServerFault>,
    pub host_id: String,
    pub deleted: bool,
    pub addresses_visible: bool,
    pub resize: Option<PendingResize>,
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub struct VolumeAttachment {
    pub attachment_id: String,
    pub server_id: String,
    pub device: String,
    pub attached_at: Ts,
}

#[derive(Debug, Clone)]
pub struct Volume {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub project_id: String,
    pub user_id: String,
    pub size: u64,
    pub status: String,
    pub volume_type: String,
    pub image_id: Option<String>,
    pub az: String,
    pub attachments: Vec<VolumeAttachment>,
    pub metadata: BTreeMap<String, String>,
    pub created: Ts,
    pub updated: Option<Ts>,
    pub seq: u64,
}

#[derive(Debug, Clone)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub project_id: String,
    pub shared: bool,
    pub external: bool,
    pub admin_state_up: bool,
    pub mtu: u32,
    pub subnets: Vec<String>,
    pub description: String,
    /// NHN VPC range (`cidrv4`).
    pub cidr: Option<String>,
    pub router_id: Option<String>,
    pub created: Ts,
    pub updated: Ts,
    pub revision: u64,
}

#[derive(Debug, Clone)]
pub struct Subnet {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub project_id: String,
    pub cidr: String,
    pub gateway_ip: Option<String>,
    pub enable_dhcp: bool,
    pub dns_nameservers: Vec<String>,
    pub net_base: u32,
    pub prefix_len: u8,
    pub allocated: std::collections::BTreeSet<u32>,
    /// Where the next automatic allocation starts looking (wraps around).
    pub cursor: u32,
    pub created: Ts,
    pub updated: Ts,
    pub revision: u64,
}

#[derive(Debug, Clone)]
pub struct FixedIp {
    pub subnet_id: String,
    pub ip_address: String,
}

#[derive(Debug, Clone)]
pub struct Port {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub project_id: String,
    pub mac: String,
    pub fixed_ips: Vec<FixedIp>,
    pub device_id: String,
    pub device_owner: String,
    pub status: String,
    pub admin_state_up: bool,
    pub security_groups: Vec<String>,
    pub port_security_enabled: bool,
    pub host_id: String,
    pub description: String,
    pub created: Ts,
    pub updated: Ts,
    pub revision: u64,
}

#[derive(Debug, Clone)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub description: String,
    pub project_id: String,
    pub stateful: bool,
    pub created: Ts,
    pub updated: Ts,
    pub revision: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SgRuleSpec {
    pub direction: String,
    pub ethertype: String,
    pub protocol: Option<String>,
    pub port_range_min: Option<i64>,
    pub port_range_max: Option<i64>,
    pub remote_ip_prefix: Option<String>,
    pub remote_group_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SgRule {
    pub id: String,
    pub security_group_id: String,
    pub project_id: String,
    pub spec: SgRuleSpec,
    pub description: String,
    pub belongs_to_default_sg: bool,
    pub created: Ts,
    pub updated: Ts,
    pub revision: u64,
}

#[derive(Debug, Clone)]
pub struct FloatingIp {
    pub id: String,
    pub address: String,
    pub floating_network_id: String,
    pub port_id: Option<String>,
    pub fixed_ip: Option<String>,
    pub router_id: Option<String>,
    pub status: String,
    pub project_id: String,
    pub description: String,
    pub label: Option<String>,
    pub delete_protection: bool,
    pub created: Ts,
    pub updated: Ts,
    pub revision: u64,
}
