//! [`CloudInventory`] for NHN: every tenant listed with its own token; one
//! failed tenant fails the whole listing.

use async_trait::async_trait;

use crate::infrastructure::cloud::error::CloudResult;
use crate::infrastructure::cloud::model::*;
use crate::infrastructure::cloud::port::CloudInventory;
use crate::infrastructure::cloud::project::ProjectClient;
use crate::infrastructure::cloud::services::neutron::Scope;
use crate::infrastructure::cloud::services::{cinder, neutron, nova};

pub(crate) struct PerTenantInventory {
    tenants: Vec<ProjectClient>,
}

impl PerTenantInventory {
    pub fn new(tenants: Vec<ProjectClient>) -> Self {
        PerTenantInventory { tenants }
    }
}

#[async_trait]
impl CloudInventory for PerTenantInventory {
    async fn list_servers(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudServer>> {
        let q = ServerListQuery {
            changes_since: query.changes_since,
            page_size: query.page_size,
        };
        let mut all = Vec::new();
        for t in &self.tenants {
            all.extend(nova::list_servers(&t.session, &q, false).await?);
        }
        Ok(all)
    }

    async fn list_volumes(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudVolume>> {
        let q = VolumeListQuery {
            changes_since: query.changes_since,
            page_size: query.page_size,
        };
        let mut all = Vec::new();
        for t in &self.tenants {
            let mut volumes = cinder::list_volumes(&t.session, &q, false).await?;
            for v in &mut volumes {
                v.project_id.get_or_insert_with(|| t.project_id.clone());
            }
            all.extend(volumes);
        }
        Ok(all)
    }

    async fn list_ports(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudPort>> {
        let mut all = Vec::new();
        for t in &self.tenants {
            all.extend(
                neutron::list_ports(
                    &t.session,
                    &PortListQuery::default(),
                    Scope::Project(&t.project_id),
                    query,
                )
                .await?,
            );
        }
        Ok(all)
    }

    async fn list_security_groups(
        &self,
        query: &InventoryQuery,
    ) -> CloudResult<Vec<CloudSecurityGroup>> {
        let mut all = Vec::new();
        for t in &self.tenants {
            all.extend(
                neutron::list_security_groups(&t.session, Scope::Project(&t.project_id), query)
                    .await?,
            );
        }
        Ok(all)
    }

    async fn list_floating_ips(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudFloatingIp>> {
        let mut all = Vec::new();
        for t in &self.tenants {
            all.extend(
                neutron::list_floating_ips(
                    &t.session,
                    &FloatingIpListQuery::default(),
                    Scope::Project(&t.project_id),
                    query,
                )
                .await?,
            );
        }
        Ok(all)
    }
}
