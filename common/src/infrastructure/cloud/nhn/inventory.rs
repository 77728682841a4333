//! [`CloudInventory`] for NHN: every tenant listed with its own token (the
//! tenants concurrently, within the cloud's concurrency limit); one failed
//! tenant fails the whole listing.

use std::future::Future;

use async_trait::async_trait;
use futures_util::future::try_join_all;

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

    async fn each<'a, T, F, Fut>(&'a self, list: F) -> CloudResult<Vec<T>>
    where
        F: Fn(&'a ProjectClient) -> Fut,
        Fut: Future<Output = CloudResult<Vec<T>>>,
    {
        let pages = try_join_all(self.tenants.iter().map(list)).await?;
        Ok(pages.into_iter().flatten().collect())
    }
}

#[async_trait]
impl CloudInventory for PerTenantInventory {
    async fn list_servers(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudServer>> {
        let q = ServerListQuery {
            changes_since: query.changes_since,
            page_size: query.page_size,
        };
        self.each(|t| nova::list_servers(&t.session, &q, false)).await
    }

    async fn list_volumes(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudVolume>> {
        let q = VolumeListQuery {
            changes_since: query.changes_since,
            page_size: query.page_size,
        };
        self.each(|t| {
            let q = &q;
            async move {
                let mut volumes = cinder::list_volumes(&t.session, q, false).await?;
                for v in &mut volumes {
                    v.project_id.get_or_insert_with(|| t.project_id.clone());
                }
                Ok(volumes)
            }
        })
        .await
    }

    async fn list_ports(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudPort>> {
        let all = PortListQuery::default();
        self.each(|t| neutron::list_ports(&t.session, &all, Scope::Project(&t.project_id), query))
            .await
    }

    async fn list_security_groups(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudSecurityGroup>> {
        self.each(|t| neutron::list_security_groups(&t.session, Scope::Project(&t.project_id), query))
            .await
    }

    async fn list_floating_ips(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudFloatingIp>> {
        let all = FloatingIpListQuery::default();
        self.each(|t| neutron::list_floating_ips(&t.session, &all, Scope::Project(&t.project_id), query))
            .await
    }
}
