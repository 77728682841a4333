//! The cloud port: what the application may ask of a cloud. Both adapters
//! implement these traits; callers hold `Arc<dyn CloudProject>` and never
//! learn which provider is behind it.
//!
//! Every listing is complete or an error: pages are followed to the end and
//! a failed page fails the whole listing.

use async_trait::async_trait;

use super::error::CloudResult;
use super::model::*;

/// Users, projects and role assignments (OpenStack Keystone). NHN Cloud has
/// no identity API for this: its methods return `CloudError::Unsupported`.
#[async_trait]
pub trait IdentityApi: Send + Sync {
    /// Creates the project in the service user's domain and gives the service
    /// user the configured member role on it.
    async fn create_project(&self, request: &CreateProjectRequest) -> CloudResult<CloudProjectRecord>;
    /// The project of that name in the service user's domain (adopting a
    /// create whose answer was lost).
    async fn find_project_by_name(&self, name: &str) -> CloudResult<Option<CloudProjectRecord>>;
    /// Gives the service user the member role on a project (idempotent);
    /// `create_project` does this already.
    async fn grant_service_access(&self, project_id: &str) -> CloudResult<()>;
    async fn rename_project(&self, project_id: &str, name: &str) -> CloudResult<()>;
    async fn delete_project(&self, project_id: &str) -> CloudResult<()>;
    async fn create_user(&self, request: &CreateUserRequest) -> CloudResult<CloudUserRecord>;
    async fn delete_user(&self, user_id: &str) -> CloudResult<()>;
    /// Idempotent.
    async fn assign_role(&self, project_id: &str, user_id: &str, role_name: &str) -> CloudResult<()>;
    async fn unassign_role(&self, project_id: &str, user_id: &str, role_name: &str) -> CloudResult<()>;
}

/// Nova (and NHN Instance).
#[async_trait]
pub trait ComputeApi: Send + Sync {
    async fn create_server(&self, request: &CreateServerRequest) -> CloudResult<CreatedServer>;
    async fn get_server(&self, server_id: &str) -> CloudResult<CloudServer>;
    /// Finds a server by our inventory id (adopting a lost create).
    async fn find_server_by_inventory_id(&self, inventory_id: &str) -> CloudResult<Option<CloudServer>>;
    async fn list_servers(&self, query: &ServerListQuery) -> CloudResult<Vec<CloudServer>>;
    async fn update_server(&self, server_id: &str, request: &UpdateServerRequest) -> CloudResult<()>;
    async fn delete_server(&self, server_id: &str) -> CloudResult<()>;
    async fn start_server(&self, server_id: &str) -> CloudResult<()>;
    async fn stop_server(&self, server_id: &str) -> CloudResult<()>;
    async fn reboot_server(&self, server_id: &str, kind: RebootKind) -> CloudResult<()>;
    /// noVNC console URL (short-lived; do not cache).
    async fn console_url(&self, server_id: &str) -> CloudResult<String>;
    async fn attach_volume(&self, server_id: &str, volume_id: &str) -> CloudResult<()>;
    async fn detach_volume(&self, server_id: &str, volume_id: &str) -> CloudResult<()>;
    async fn list_volume_attachments(&self, server_id: &str) -> CloudResult<Vec<CloudVolumeAttachment>>;
    async fn list_interfaces(&self, server_id: &str) -> CloudResult<Vec<CloudInterface>>;
    async fn list_flavors(&self) -> CloudResult<Vec<CloudFlavor>>;
    async fn get_flavor(&self, flavor_id: &str) -> CloudResult<CloudFlavor>;
    async fn list_availability_zones(&self) -> CloudResult<Vec<CloudAvailabilityZone>>;
}

/// Neutron (and NHN VPC / Security Groups / Floating IP).
#[async_trait]
pub trait NetworkApi: Send + Sync {
    async fn list_networks(&self, query: &NetworkListQuery) -> CloudResult<Vec<CloudNetwork>>;
    async fn get_network(&self, network_id: &str) -> CloudResult<CloudNetwork>;
    async fn list_subnets(&self, network_id: Option<&str>) -> CloudResult<Vec<CloudSubnet>>;

    async fn create_port(&self, request: &CreatePortRequest) -> CloudResult<CloudPort>;
    async fn get_port(&self, port_id: &str) -> CloudResult<CloudPort>;
    async fn list_ports(&self, query: &PortListQuery) -> CloudResult<Vec<CloudPort>>;
    async fn delete_port(&self, port_id: &str) -> CloudResult<()>;

    async fn create_security_group(&self, request: &CreateSecurityGroupRequest) -> CloudResult<CloudSecurityGroup>;
    async fn get_security_group(&self, security_group_id: &str) -> CloudResult<CloudSecurityGroup>;
    async fn list_security_groups(&self) -> CloudResult<Vec<CloudSecurityGroup>>;
    async fn update_security_group(
        &self,
        security_group_id: &str,
        request: &UpdateSecurityGroupRequest,
    ) -> CloudResult<CloudSecurityGroup>;
    async fn delete_security_group(&self, security_group_id: &str) -> CloudResult<()>;
    async fn create_security_group_rule(
        &self,
        request: &CreateSecurityGroupRuleRequest,
    ) -> CloudResult<CloudSecurityGroupRule>;
    async fn list_security_group_rules(&self, security_group_id: &str) -> CloudResult<Vec<CloudSecurityGroupRule>>;
    async fn delete_security_group_rule(&self, rule_id: &str) -> CloudResult<()>;

    async fn create_floating_ip(&self, request: &CreateFloatingIpRequest) -> CloudResult<CloudFloatingIp>;
    async fn get_floating_ip(&self, floating_ip_id: &str) -> CloudResult<CloudFloatingIp>;
    async fn list_floating_ips(&self, query: &FloatingIpListQuery) -> CloudResult<Vec<CloudFloatingIp>>;
    async fn associate_floating_ip(&self, floating_ip_id: &str, port_id: &str) -> CloudResult<CloudFloatingIp>;
    async fn disassociate_floating_ip(&self, floating_ip_id: &str) -> CloudResult<CloudFloatingIp>;
    async fn delete_floating_ip(&self, floating_ip_id: &str) -> CloudResult<()>;
}

/// Cinder (and NHN Block Storage).
#[async_trait]
pub trait BlockStorageApi: Send + Sync {
    async fn create_volume(&self, request: &CreateVolumeRequest) -> CloudResult<CloudVolume>;
    async fn get_volume(&self, volume_id: &str) -> CloudResult<CloudVolume>;
    async fn find_volume_by_inventory_id(&self, inventory_id: &str) -> CloudResult<Option<CloudVolume>>;
    async fn list_volumes(&self, query: &VolumeListQuery) -> CloudResult<Vec<CloudVolume>>;
    async fn update_volume(&self, volume_id: &str, request: &UpdateVolumeRequest) -> CloudResult<CloudVolume>;
    async fn extend_volume(&self, volume_id: &str, new_size_gb: u32) -> CloudResult<()>;
    async fn delete_volume(&self, volume_id: &str) -> CloudResult<()>;
    async fn list_volume_types(&self) -> CloudResult<Vec<CloudVolumeType>>;
}

/// Glance (list/get only).
#[async_trait]
pub trait ImageApi: Send + Sync {
    async fn list_images(&self, query: &ImageListQuery) -> CloudResult<Vec<CloudImage>>;
    async fn get_image(&self, image_id: &str) -> CloudResult<CloudImage>;
}

/// Everything one project can do in its cloud.
pub trait CloudProject: ComputeApi + NetworkApi + BlockStorageApi + ImageApi {
    fn provider(&self) -> Provider;
    /// The cloud's id of the project (Keystone project id / NHN tenant id).
    fn project_id(&self) -> &str;
}

/// Listing across every managed project, for the reconcilers. Each item
/// carries its `project_id`.
#[async_trait]
pub trait CloudInventory: Send + Sync {
    async fn list_servers(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudServer>>;
    async fn list_volumes(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudVolume>>;
    async fn list_ports(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudPort>>;
    async fn list_security_groups(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudSecurityGroup>>;
    async fn list_floating_ips(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudFloatingIp>>;
}
