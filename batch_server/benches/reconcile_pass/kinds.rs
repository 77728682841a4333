//! Per kind: the real pass, as the batch server's job runs it (load the
//! managed projects, list through the cloud port, diff, act), and the bare
//! floor it is compared with: the same pages through the same adapter plus
//! one SELECT of the rows.

use chrono::Utc;
use common::application::reconcile::managed::ManagedProjects;
use common::application::reconcile::network_interfaces::NetworkInterfacesPass;
use common::application::reconcile::report::PassReport;
use common::application::reconcile::servers::{ServersPass, query};
use common::application::reconcile::volumes::VolumesPass;
use common::application::reconcile::{Listing, Policy};
use common::infrastructure::db::{network_interfaces, servers, volumes};

use super::world::World;

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Servers,
    Volumes,
    Ports,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Servers, Kind::Volumes, Kind::Ports];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Servers => "servers",
            Kind::Volumes => "volumes",
            Kind::Ports => "ports",
        }
    }

    /// The simulator's request key suffix of one listing page.
    pub fn page_request(self) -> (&'static str, &'static str) {
        match self {
            Kind::Servers => ("compute GET", "/servers/detail"),
            Kind::Volumes => ("block-storage GET", "/volumes/detail"),
            Kind::Ports => ("network GET", "/ports"),
        }
    }

    pub async fn pass(self, world: &World, listing: Listing) -> PassReport {
        let pool = &world.db.pool;
        let managed = ManagedProjects::load(pool, None).await.unwrap();
        let (connector, policy, dry_run, now) = (&world.connector, Policy::default(), false, Utc::now());
        macro_rules! run {
            ($pass:ident) => {
                $pass {
                    pool,
                    connector,
                    policy,
                    listing,
                    dry_run,
                    now,
                }
                .run(&managed)
                .await
            };
        }
        let report = match self {
            Kind::Servers => run!(ServersPass),
            Kind::Volumes => run!(VolumesPass),
            Kind::Ports => run!(NetworkInterfacesPass),
        };
        report.unwrap()
    }

    /// Returns (cloud resources listed, rows selected).
    pub async fn bare(self, world: &World, managed: &ManagedProjects, listing: Listing) -> (usize, usize) {
        let pool = &world.db.pool;
        let inventory = managed.inventory(&world.connector).unwrap();
        let q = query(listing);
        let ids = managed.ids();
        match self {
            Kind::Servers => {
                let cloud = inventory.list_servers(&q).await.unwrap();
                let rows = servers::list_for_reconcile(pool, &ids).await.unwrap();
                (cloud.len(), rows.len())
            }
            Kind::Volumes => {
                let cloud = inventory.list_volumes(&q).await.unwrap();
                let rows = volumes::list_for_reconcile(pool, &ids).await.unwrap();
                (cloud.len(), rows.len())
            }
            Kind::Ports => {
                let cloud = inventory.list_ports(&q).await.unwrap();
                let rows = network_interfaces::list_for_reconcile(pool, &ids).await.unwrap();
                (cloud.len(), rows.len())
            }
        }
    }
}
