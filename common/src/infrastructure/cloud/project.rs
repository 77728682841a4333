//! The port implemented once over the shared wire clients; the session's
//! dialect carries the few OpenStack / NHN differences.

use async_trait::async_trait;
use serde_json::json;

use super::error::{CloudError, CloudResult, CloudService};
use super::model::*;
use super::port::*;
use super::services::neutron::Scope;
use super::services::{cinder, glance, neutron, nova};
use super::session::{Dialect, Session};

pub(crate) struct ProjectClient {
    pub session: Session,
    pub provider: Provider,
    pub project_id: String,
}

impl ProjectClient {
    fn scope(&self) -> Scope<'_> {
        Scope::Project(&self.project_id)
    }
}

#[async_trait]
impl ComputeApi for ProjectClient {
    async fn create_server(&self, request: &CreateServerRequest) -> CloudResult<CreatedServer> {
        nova::create_server(&self.session, request).await
    }

    async fn get_server(&self, server_id: &str) -> CloudResult<CloudServer> {
        nova::get_server(&self.session, server_id).await
    }

    async fn find_server_by_inventory_id(&self, inventory_id: &str) -> CloudResult<Option<CloudServer>> {
        let servers = nova::list_servers(&self.session, &ServerListQuery::default(), false).await?;
        Ok(servers
            .into_iter()
            .find(|s| s.inventory_id.as_deref() == Some(inventory_id) && s.status != "DELETED"))
    }

    async fn list_servers(&self, query: &ServerListQuery) -> CloudResult<Vec<CloudServer>> {
        nova::list_servers(&self.session, query, false).await
    }

    async fn update_server(&self, server_id: &str, request: &UpdateServerRequest) -> CloudResult<()> {
        nova::update_server(&self.session, server_id, request).await
    }

    async fn delete_server(&self, server_id: &str) -> CloudResult<()> {
        nova::delete_server(&self.session, server_id).await
    }

    async fn start_server(&self, server_id: &str) -> CloudResult<()> {
        nova::server_action(&self.session, server_id, json!({ "os-start": null })).await
    }

    async fn stop_server(&self, server_id: &str) -> CloudResult<()> {
        nova::server_action(&self.session, server_id, json!({ "os-stop": null })).await
    }

    async fn reboot_server(&self, server_id: &str, kind: RebootKind) -> CloudResult<()> {
        nova::server_action(&self.session, server_id, nova::reboot_body(kind)).await
    }

    async fn console_url(&self, server_id: &str) -> CloudResult<String> {
        match nova::console_url(&self.session, server_id).await {
            // NHN documents no console API; the legacy action may be missing.
            // Tell "no such server" from "no console here".
            Err(CloudError::NotFound(detail)) if self.session.dialect == Dialect::Nhn => {
                match nova::get_server(&self.session, server_id).await {
                    Ok(_) => Err(CloudError::Unsupported {
                        provider: "nhn",
                        operation: "console_url",
                    }),
                    Err(CloudError::NotFound(_)) => Err(CloudError::NotFound(detail)),
                    Err(other) => Err(other),
                }
            }
            other => other,
        }
    }

    async fn attach_volume(&self, server_id: &str, volume_id: &str) -> CloudResult<()> {
        nova::attach_volume(&self.session, server_id, volume_id).await
    }

    async fn detach_volume(&self, server_id: &str, volume_id: &str) -> CloudResult<()> {
        nova::detach_volume(&self.session, server_id, volume_id).await
    }

    async fn list_volume_attachments(&self, server_id: &str) -> CloudResult<Vec<CloudVolumeAttachment>> {
        nova::list_volume_attachments(&self.session, server_id).await
    }

    async fn list_interfaces(&self, server_id: &str) -> CloudResult<Vec<CloudInterface>> {
        nova::list_interfaces(&self.session, server_id).await
    }

    async fn list_flavors(&self) -> CloudResult<Vec<CloudFlavor>> {
        nova::list_flavors(&self.session).await
    }

    async fn get_flavor(&self, flavor_id: &str) -> CloudResult<CloudFlavor> {
        nova::get_flavor(&self.session, flavor_id).await
    }

    async fn list_availability_zones(&self) -> CloudResult<Vec<CloudAvailabilityZone>> {
        nova::list_availability_zones(&self.session).await
    }
}

#[async_trait]
impl NetworkApi for ProjectClient {
    async fn list_networks(&self, query: &NetworkListQuery) -> CloudResult<Vec<CloudNetwork>> {
        neutron::list_networks(&self.session, query).await
    }

    async fn get_network(&self, network_id: &str) -> CloudResult<CloudNetwork> {
        neutron::get_network(&self.session, network_id).await
    }

    async fn list_subnets(&self, network_id: Option<&str>) -> CloudResult<Vec<CloudSubnet>> {
        neutron::list_subnets(&self.session, network_id).await
    }

    async fn create_port(&self, request: &CreatePortRequest) -> CloudResult<CloudPort> {
        neutron::create_port(&self.session, request).await
    }

    async fn get_port(&self, port_id: &str) -> CloudResult<CloudPort> {
        neutron::get_port(&self.session, port_id).await
    }

    async fn list_ports(&self, query: &PortListQuery) -> CloudResult<Vec<CloudPort>> {
        neutron::list_ports(&self.session, query, self.scope(), &InventoryQuery::default()).await
    }

    async fn delete_port(&self, port_id: &str) -> CloudResult<()> {
        neutron::delete_port(&self.session, port_id).await
    }

    async fn create_security_group(&self, request: &CreateSecurityGroupRequest) -> CloudResult<CloudSecurityGroup> {
        neutron::create_security_group(&self.session, request).await
    }

    async fn get_security_group(&self, security_group_id: &str) -> CloudResult<CloudSecurityGroup> {
        neutron::get_security_group(&self.session, security_group_id).await
    }

    async fn list_security_groups(&self) -> CloudResult<Vec<CloudSecurityGroup>> {
        neutron::list_security_groups(&self.session, self.scope(), &InventoryQuery::default()).await
    }

    async fn update_security_group(
        &self,
        security_group_id: &str,
        request: &UpdateSecurityGroupRequest,
    ) -> CloudResult<CloudSecurityGroup> {
        neutron::update_security_group(&self.session, security_group_id, request).await
    }

    async fn delete_security_group(&self, security_group_id: &str) -> CloudResult<()> {
        neutron::delete_security_group(&self.session, security_group_id).await
    }

    async fn create_security_group_rule(
        &self,
        request: &CreateSecurityGroupRuleRequest,
    ) -> CloudResult<CloudSecurityGroupRule> {
        if self.session.dialect == Dialect::Nhn && request.ether_type == EtherType::IPv6 {
            return Err(CloudError::bad_request_local(
                CloudService::Network,
                "NHN Cloud security group rules support IPv4 only",
            ));
        }
        neutron::create_security_group_rule(&self.session, request).await
    }

    async fn list_security_group_rules(&self, security_group_id: &str) -> CloudResult<Vec<CloudSecurityGroupRule>> {
        neutron::list_security_group_rules(&self.session, security_group_id).await
    }

    async fn delete_security_group_rule(&self, rule_id: &str) -> CloudResult<()> {
        neutron::delete_security_group_rule(&self.session, rule_id).await
    }

    async fn create_floating_ip(&self, request: &CreateFloatingIpRequest) -> CloudResult<CloudFloatingIp> {
        neutron::create_floating_ip(&self.session, request).await
    }

    async fn get_floating_ip(&self, floating_ip_id: &str) -> CloudResult<CloudFloatingIp> {
        neutron::get_floating_ip(&self.session, floating_ip_id).await
    }

    async fn list_floating_ips(&self, query: &FloatingIpListQuery) -> CloudResult<Vec<CloudFloatingIp>> {
        neutron::list_floating_ips(&self.session, query, self.scope(), &InventoryQuery::default()).await
    }

    async fn associate_floating_ip(&self, floating_ip_id: &str, port_id: &str) -> CloudResult<CloudFloatingIp> {
        neutron::set_floating_ip_port(&self.session, floating_ip_id, Some(port_id)).await
    }

    async fn disassociate_floating_ip(&self, floating_ip_id: &str) -> CloudResult<CloudFloatingIp> {
        neutron::set_floating_ip_port(&self.session, floating_ip_id, None).await
    }

    async fn delete_floating_ip(&self, floating_ip_id: &str) -> CloudResult<()> {
        neutron::delete_floating_ip(&self.session, floating_ip_id).await
    }
}

#[async_trait]
impl BlockStorageApi for ProjectClient {
    async fn create_volume(&self, request: &CreateVolumeRequest) -> CloudResult<CloudVolume> {
        cinder::create_volume(&self.session, request).await
    }

    async fn get_volume(&self, volume_id: &str) -> CloudResult<CloudVolume> {
        cinder::get_volume(&self.session, volume_id).await
    }

    async fn find_volume_by_inventory_id(&self, inventory_id: &str) -> CloudResult<Option<CloudVolume>> {
        let volumes = cinder::list_volumes(&self.session, &VolumeListQuery::default(), false).await?;
        Ok(volumes
            .into_iter()
            .find(|v| v.inventory_id.as_deref() == Some(inventory_id)))
    }

    async fn list_volumes(&self, query: &VolumeListQuery) -> CloudResult<Vec<CloudVolume>> {
        cinder::list_volumes(&self.session, query, false).await
    }

    async fn update_volume(&self, volume_id: &str, request: &UpdateVolumeRequest) -> CloudResult<CloudVolume> {
        cinder::update_volume(&self.session, volume_id, request).await
    }

    async fn extend_volume(&self, volume_id: &str, new_size_gb: u32) -> CloudResult<()> {
        cinder::extend_volume(&self.session, volume_id, new_size_gb).await
    }

    async fn delete_volume(&self, volume_id: &str) -> CloudResult<()> {
        cinder::delete_volume(&self.session, volume_id).await
    }

    async fn list_volume_types(&self) -> CloudResult<Vec<CloudVolumeType>> {
        cinder::list_volume_types(&self.session).await
    }
}

#[async_trait]
impl ImageApi for ProjectClient {
    async fn list_images(&self, query: &ImageListQuery) -> CloudResult<Vec<CloudImage>> {
        glance::list_images(&self.session, query).await
    }

    async fn get_image(&self, image_id: &str) -> CloudResult<CloudImage> {
        glance::get_image(&self.session, image_id).await
    }
}

impl CloudProject for ProjectClient {
    fn provider(&self) -> Provider {
        self.provider
    }

    fn project_id(&self) -> &str {
        &self.project_id
    }
}
