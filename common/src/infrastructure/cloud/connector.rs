//! The provider-agnostic entry point the application holds.

use std::sync::Arc;

use async_trait::async_trait;

use super::error::{CloudError, CloudResult};
use super::model::*;
use super::nhn::NhnCloud;
use super::openstack::OpenStackCloud;
use super::port::{CloudInventory, CloudProject, IdentityApi};
use super::rate::CallRate;
use super::settings::{NhnSettings, NhnTenantCredentials, OpenStackSettings};

/// Where one of our projects lives in the cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectCloudTarget {
    /// A Keystone project the service user has a role on.
    OpenStack { project_id: String },
    /// An NHN Cloud tenant with its own API credentials.
    Nhn(NhnTenantCredentials),
}

impl ProjectCloudTarget {
    pub fn provider(&self) -> Provider {
        match self {
            ProjectCloudTarget::OpenStack { .. } => Provider::OpenStack,
            ProjectCloudTarget::Nhn(_) => Provider::Nhn,
        }
    }
}

/// Holds the configured clouds (either or both) and their token caches.
/// Build one at start-up and share it (`Arc<CloudConnector>`).
pub struct CloudConnector {
    openstack: Option<OpenStackCloud>,
    nhn: Option<NhnCloud>,
}

fn not_configured(provider: &'static str) -> CloudError {
    CloudError::Unsupported {
        provider,
        operation: "provider is not configured",
    }
}

impl CloudConnector {
    pub fn new(openstack: Option<OpenStackSettings>, nhn: Option<NhnSettings>) -> CloudResult<Self> {
        Ok(CloudConnector {
            openstack: openstack.map(OpenStackCloud::new).transpose()?,
            nhn: nhn.map(NhnCloud::new).transpose()?,
        })
    }

    /// As [`CloudConnector::new`], with each cloud's calls, from every task
    /// holding this connector, started at most `per_second` a second (0: no
    /// rate) and all paused by a `Retry-After` from that cloud.
    pub fn with_call_rate(
        openstack: Option<OpenStackSettings>,
        nhn: Option<NhnSettings>,
        per_second: u32,
    ) -> CloudResult<Self> {
        let rate = || Some(Arc::new(CallRate::per_second(per_second)));
        Ok(CloudConnector {
            openstack: openstack
                .map(|s| OpenStackCloud::with_call_rate(s, rate()))
                .transpose()?,
            nhn: nhn.map(|s| NhnCloud::with_call_rate(s, rate())).transpose()?,
        })
    }

    pub fn openstack(&self) -> Option<&OpenStackCloud> {
        self.openstack.as_ref()
    }

    pub fn nhn(&self) -> Option<&NhnCloud> {
        self.nhn.as_ref()
    }

    /// The cloud handle of one project.
    pub fn project(&self, target: &ProjectCloudTarget) -> CloudResult<Arc<dyn CloudProject>> {
        match target {
            ProjectCloudTarget::OpenStack { project_id } => self
                .openstack
                .as_ref()
                .map(|c| c.project(project_id))
                .ok_or_else(|| not_configured("openstack")),
            ProjectCloudTarget::Nhn(credentials) => self
                .nhn
                .as_ref()
                .map(|c| c.project(credentials))
                .ok_or_else(|| not_configured("nhn")),
        }
    }

    /// Identity management of a provider (NHN answers `Unsupported`).
    pub fn identity(&self, provider: Provider) -> CloudResult<Arc<dyn IdentityApi>> {
        match provider {
            Provider::OpenStack => self
                .openstack
                .as_ref()
                .map(OpenStackCloud::identity)
                .ok_or_else(|| not_configured("openstack")),
            Provider::Nhn => self
                .nhn
                .as_ref()
                .map(NhnCloud::identity)
                .ok_or_else(|| not_configured("nhn")),
        }
    }

    /// Lists across the given managed projects: OpenStack ones with one
    /// admin-token `all_tenants` query per kind, NHN ones tenant by tenant.
    pub fn inventory(&self, managed: &[ProjectCloudTarget]) -> CloudResult<Arc<dyn CloudInventory>> {
        let mut parts: Vec<Arc<dyn CloudInventory>> = Vec::new();
        let openstack_ids: Vec<String> = managed
            .iter()
            .filter_map(|t| match t {
                ProjectCloudTarget::OpenStack { project_id } => Some(project_id.clone()),
                ProjectCloudTarget::Nhn(_) => None,
            })
            .collect();
        if !openstack_ids.is_empty() {
            let cloud = self.openstack.as_ref().ok_or_else(|| not_configured("openstack"))?;
            parts.push(cloud.inventory(Some(openstack_ids)));
        }
        let tenants: Vec<NhnTenantCredentials> = managed
            .iter()
            .filter_map(|t| match t {
                ProjectCloudTarget::Nhn(c) => Some(c.clone()),
                ProjectCloudTarget::OpenStack { .. } => None,
            })
            .collect();
        if !tenants.is_empty() {
            let cloud = self.nhn.as_ref().ok_or_else(|| not_configured("nhn"))?;
            parts.push(cloud.inventory(&tenants));
        }
        Ok(Arc::new(CombinedInventory { parts }))
    }
}

/// Concatenates the listings of several inventories; any failure fails all.
struct CombinedInventory {
    parts: Vec<Arc<dyn CloudInventory>>,
}

#[async_trait]
impl CloudInventory for CombinedInventory {
    async fn list_servers(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudServer>> {
        let mut all = Vec::new();
        for p in &self.parts {
            all.extend(p.list_servers(query).await?);
        }
        Ok(all)
    }

    async fn list_volumes(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudVolume>> {
        let mut all = Vec::new();
        for p in &self.parts {
            all.extend(p.list_volumes(query).await?);
        }
        Ok(all)
    }

    async fn list_ports(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudPort>> {
        let mut all = Vec::new();
        for p in &self.parts {
            all.extend(p.list_ports(query).await?);
        }
        Ok(all)
    }

    async fn list_security_groups(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudSecurityGroup>> {
        let mut all = Vec::new();
        for p in &self.parts {
            all.extend(p.list_security_groups(query).await?);
        }
        Ok(all)
    }

    async fn list_floating_ips(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudFloatingIp>> {
        let mut all = Vec::new();
        for p in &self.parts {
            all.extend(p.list_floating_ips(query).await?);
        }
        Ok(all)
    }
}
