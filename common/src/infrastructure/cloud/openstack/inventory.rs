//! [`CloudInventory`] with the admin token: one `all_tenants` listing per
//! kind, then restricted to the managed projects.

use std::collections::HashSet;

use async_trait::async_trait;

use crate::infrastructure::cloud::error::CloudResult;
use crate::infrastructure::cloud::model::*;
use crate::infrastructure::cloud::port::CloudInventory;
use crate::infrastructure::cloud::services::neutron::Scope;
use crate::infrastructure::cloud::services::{cinder, neutron, nova};
use crate::infrastructure::cloud::session::Session;

pub(crate) struct AdminInventory {
    session: Session,
    managed: Option<HashSet<String>>,
}

impl AdminInventory {
    pub fn new(session: Session, managed: Option<Vec<String>>) -> Self {
        AdminInventory {
            session,
            managed: managed.map(|m| m.into_iter().collect()),
        }
    }

    fn keep(&self, project_id: Option<&str>) -> bool {
        match &self.managed {
            None => true,
            Some(set) => project_id.is_some_and(|p| set.contains(p)),
        }
    }
}

#[async_trait]
impl CloudInventory for AdminInventory {
    async fn list_servers(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudServer>> {
        let q = ServerListQuery {
            changes_since: query.changes_since,
            page_size: query.page_size,
        };
        let all = nova::list_servers(&self.session, &q, true).await?;
        Ok(all.into_iter().filter(|s| self.keep(s.project_id.as_deref())).collect())
    }

    async fn list_volumes(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudVolume>> {
        let q = VolumeListQuery {
            changes_since: query.changes_since,
            page_size: query.page_size,
        };
        let all = cinder::list_volumes(&self.session, &q, true).await?;
        Ok(all.into_iter().filter(|v| self.keep(v.project_id.as_deref())).collect())
    }

    async fn list_ports(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudPort>> {
        let all = neutron::list_ports(&self.session, &PortListQuery::default(), Scope::AllProjects, query).await?;
        Ok(all.into_iter().filter(|p| self.keep(p.project_id.as_deref())).collect())
    }

    async fn list_security_groups(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudSecurityGroup>> {
        let all = neutron::list_security_groups(&self.session, Scope::AllProjects, query).await?;
        Ok(all.into_iter().filter(|g| self.keep(g.project_id.as_deref())).collect())
    }

    async fn list_floating_ips(&self, query: &InventoryQuery) -> CloudResult<Vec<CloudFloatingIp>> {
        let all = neutron::list_floating_ips(
            &self.session,
            &FloatingIpListQuery::default(),
            Scope::AllProjects,
            query,
        )
        .await?;
        Ok(all.into_iter().filter(|f| self.keep(f.project_id.as_deref())).collect())
    }
}
