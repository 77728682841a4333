//! Plain data the port speaks: provider-neutral views of cloud resources and
//! the inputs of the operations.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::secret::Secret;

/// Metadata key (servers, volumes) holding our inventory id, so a lost create
/// can be found and adopted.
pub const INVENTORY_ID_KEY: &str = "inventory_id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    OpenStack,
    Nhn,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::OpenStack => "openstack",
            Provider::Nhn => "nhn",
        }
    }
}

// ----- compute -------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudServerAddress {
    /// Network (NHN: VPC) name the address belongs to.
    pub network_name: String,
    pub address: String,
    pub version: Option<u8>,
    /// `fixed` or `floating`.
    pub kind: Option<String>,
    pub mac_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CloudServer {
    pub id: String,
    pub name: String,
    pub project_id: Option<String>,
    /// Nova status (`BUILD`, `ACTIVE`, `SHUTOFF`, `ERROR`, `DELETED`, ...).
    pub status: String,
    pub task_state: Option<String>,
    pub vm_state: Option<String>,
    pub power_state: Option<i64>,
    pub flavor_id: Option<String>,
    pub flavor_name: Option<String>,
    /// Empty for servers booted from a volume.
    pub image_id: Option<String>,
    pub availability_zone: Option<String>,
    pub addresses: Vec<CloudServerAddress>,
    pub attached_volume_ids: Vec<String>,
    pub security_group_names: Vec<String>,
    pub metadata: BTreeMap<String, String>,
    /// `metadata[INVENTORY_ID_KEY]`.
    pub inventory_id: Option<String>,
    pub description: Option<String>,
    /// `fault.message` of a server in ERROR.
    pub fault_message: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Boot-from-volume server on pre-created ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateServerRequest {
    pub name: String,
    pub description: Option<String>,
    pub flavor_id: String,
    /// Image the root volume is created from.
    pub image_id: String,
    pub root_volume_size_gb: u32,
    pub root_volume_type: Option<String>,
    pub delete_root_volume_on_termination: bool,
    /// NICs; each port must be unbound. Used when non-empty.
    pub port_ids: Vec<String>,
    /// Network to create a NIC on when `port_ids` is empty (NHN: VPC id).
    pub network_id: Option<String>,
    /// Names; not applied by the cloud to pre-created ports.
    pub security_group_names: Vec<String>,
    pub key_name: Option<String>,
    pub availability_zone: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// Our inventory id; stored as `metadata[INVENTORY_ID_KEY]`.
    pub inventory_id: String,
}

/// Fields left `None` are not changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateServerRequest {
    pub name: Option<String>,
    /// NHN keeps it in metadata (`description`).
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedServer {
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerListQuery {
    /// Servers updated at or after this time, including recently deleted ones
    /// (status `DELETED`).
    pub changes_since: Option<DateTime<Utc>>,
    /// Page size used while walking the pages (default 200).
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebootKind {
    Soft,
    Hard,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudVolumeAttachment {
    pub server_id: String,
    pub volume_id: String,
    pub device: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudFixedIp {
    pub subnet_id: Option<String>,
    pub ip_address: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudInterface {
    pub port_id: String,
    pub network_id: Option<String>,
    pub mac_address: Option<String>,
    pub state: Option<String>,
    pub fixed_ips: Vec<CloudFixedIp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudFlavor {
    pub id: String,
    pub name: String,
    pub vcpus: u32,
    pub ram_mb: u64,
    pub disk_gb: u64,
    pub is_public: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudAvailabilityZone {
    pub name: String,
    pub available: bool,
}

// ----- network -------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudNetwork {
    pub id: String,
    pub name: String,
    pub project_id: Option<String>,
    pub status: Option<String>,
    pub external: bool,
    pub shared: bool,
    pub subnet_ids: Vec<String>,
    pub mtu: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkListQuery {
    /// `Some(true)`: only external networks (floating IP pools).
    pub external: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudSubnet {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub cidr: String,
    pub ip_version: Option<u8>,
    pub gateway_ip: Option<String>,
    pub enable_dhcp: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudPort {
    pub id: String,
    pub name: String,
    pub network_id: String,
    pub project_id: Option<String>,
    pub status: String,
    pub mac_address: Option<String>,
    pub device_id: Option<String>,
    pub device_owner: Option<String>,
    pub fixed_ips: Vec<CloudFixedIp>,
    pub security_group_ids: Vec<String>,
    pub description: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreatePortRequest {
    pub network_id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    /// `None` lets the cloud apply the project's `default` group.
    pub security_group_ids: Option<Vec<String>>,
    pub subnet_id: Option<String>,
    pub fixed_ip: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortListQuery {
    pub device_id: Option<String>,
    pub network_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleDirection {
    Ingress,
    Egress,
}

impl RuleDirection {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleDirection::Ingress => "ingress",
            RuleDirection::Egress => "egress",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "ingress" => Some(RuleDirection::Ingress),
            "egress" => Some(RuleDirection::Egress),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EtherType {
    IPv4,
    IPv6,
}

impl EtherType {
    pub fn as_str(self) -> &'static str {
        match self {
            EtherType::IPv4 => "IPv4",
            EtherType::IPv6 => "IPv6",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "IPv4" => Some(EtherType::IPv4),
            "IPv6" => Some(EtherType::IPv6),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudSecurityGroupRule {
    pub id: String,
    pub security_group_id: String,
    pub direction: RuleDirection,
    pub ether_type: EtherType,
    /// `None` = any protocol.
    pub protocol: Option<String>,
    pub port_range_min: Option<u32>,
    pub port_range_max: Option<u32>,
    pub remote_ip_prefix: Option<String>,
    pub remote_group_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudSecurityGroup {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub project_id: Option<String>,
    pub rules: Vec<CloudSecurityGroupRule>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSecurityGroupRequest {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateSecurityGroupRequest {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateSecurityGroupRuleRequest {
    pub security_group_id: String,
    pub direction: RuleDirection,
    pub ether_type: EtherType,
    pub protocol: Option<String>,
    pub port_range_min: Option<u32>,
    pub port_range_max: Option<u32>,
    pub remote_ip_prefix: Option<String>,
    pub remote_group_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudFloatingIp {
    pub id: String,
    pub floating_ip_address: String,
    pub floating_network_id: String,
    pub port_id: Option<String>,
    pub fixed_ip_address: Option<String>,
    /// `ACTIVE`, `DOWN` or `ERROR`.
    pub status: String,
    pub project_id: Option<String>,
    pub description: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreateFloatingIpRequest {
    pub floating_network_id: String,
    pub port_id: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FloatingIpListQuery {
    pub port_id: Option<String>,
}

// ----- block storage -------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub struct CloudVolume {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub project_id: Option<String>,
    /// Cinder status (`creating`, `available`, `in-use`, `error`, ...).
    pub status: String,
    pub size_gb: u64,
    pub volume_type: Option<String>,
    pub bootable: bool,
    pub availability_zone: Option<String>,
    pub attachments: Vec<CloudVolumeAttachment>,
    /// Image the volume was created from.
    pub image_id: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub inventory_id: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateVolumeRequest {
    pub name: String,
    pub description: Option<String>,
    pub size_gb: u32,
    /// Type name (NHN wants the name; OpenStack accepts name or id).
    pub volume_type: Option<String>,
    pub image_id: Option<String>,
    pub availability_zone: Option<String>,
    pub metadata: BTreeMap<String, String>,
    /// Stored as `metadata[INVENTORY_ID_KEY]`.
    pub inventory_id: String,
}

/// Fields left `None` are not changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateVolumeRequest {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VolumeListQuery {
    /// Volumes created or updated at or after this time.
    pub changes_since: Option<DateTime<Utc>>,
    pub page_size: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudVolumeType {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub is_public: Option<bool>,
}

// ----- image ---------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudImage {
    pub id: String,
    pub name: Option<String>,
    pub status: String,
    pub visibility: Option<String>,
    pub min_disk_gb: u64,
    pub min_ram_mb: u64,
    pub size_bytes: Option<u64>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageListQuery {
    /// e.g. `active`.
    pub status: Option<String>,
    pub page_size: Option<u32>,
}

// ----- identity ------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateProjectRequest {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudProjectRecord {
    pub id: String,
    pub name: String,
    pub domain_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUserRequest {
    pub name: String,
    pub password: Secret,
    pub default_project_id: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudUserRecord {
    pub id: String,
    pub name: String,
    pub domain_id: String,
}

// ----- listing across projects ----------------------------------------------

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InventoryQuery {
    /// Incremental listing where the service supports it (Nova
    /// `changes-since`, Neutron `changed_since`, Cinder `updated_at=gte:`).
    pub changes_since: Option<DateTime<Utc>>,
    pub page_size: Option<u32>,
}
