//! The reconcile jobs (`servers`, `volumes`, `floating-ips`, `network-interfaces`,
//! `security-groups`): one pass over every managed project's resources of
//! one kind.

use std::sync::Arc;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sqlx::MySqlPool;

use super::{ChangeLine, Job, Pass, PassContext};
use common::application::credentials::CredentialCipher;
use common::application::reconcile::floating_ips::FloatingIpsPass;
use common::application::reconcile::managed::ManagedProjects;
use common::application::reconcile::network_interfaces::NetworkInterfacesPass;
use common::application::reconcile::report::PassReport;
use common::application::reconcile::security_groups::SecurityGroupsPass;
use common::application::reconcile::servers::ServersPass;
use common::application::reconcile::volumes::VolumesPass;
use common::application::reconcile::{Listing, Policy};
use common::error::AppResult;
use common::infrastructure::cloud::CloudConnector;
use common::infrastructure::db::reconcile_runs::RunCounts;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Servers,
    Volumes,
    FloatingIps,
    NetworkInterfaces,
    SecurityGroups,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Servers => "servers",
            Kind::Volumes => "volumes",
            Kind::FloatingIps => "floating-ips",
            Kind::NetworkInterfaces => "network-interfaces",
            Kind::SecurityGroups => "security-groups",
        }
    }
}

pub struct ReconcileJob {
    pub kind: Kind,
    pub pool: MySqlPool,
    pub connector: Arc<CloudConnector>,
    pub cipher: Option<CredentialCipher>,
    pub schedule: String,
    pub policy: Policy,
    pub incremental: IncrementalListing,
}

/// Every `full_every`-th pass (and the first) lists everything; the others
/// ask only for what changed since the previous good pass began.
pub struct IncrementalListing {
    pub full_every: u32,
    state: Mutex<(u32, Option<DateTime<Utc>>)>,
}

impl IncrementalListing {
    pub fn new(full_every: u32) -> Self {
        Self {
            full_every: full_every.max(1),
            state: Mutex::new((0, None)),
        }
    }

    fn next(&self) -> Listing {
        let Ok(mut state) = self.state.lock() else {
            return Listing::Complete;
        };
        state.0 += 1;
        match state.1 {
            Some(since) if state.0 % self.full_every != 1 && self.full_every > 1 => {
                // A little overlap so a change made while the previous listing ran is not missed.
                Listing::ChangesSince(since - chrono::Duration::seconds(30))
            }
            _ => Listing::Complete,
        }
    }

    fn succeeded(&self, started: DateTime<Utc>) {
        if let Ok(mut state) = self.state.lock() {
            state.1 = Some(started);
        }
    }
}

impl ReconcileJob {
    async fn pass(&self, listing: Listing, dry_run: bool, now: DateTime<Utc>) -> AppResult<PassReport> {
        let managed = ManagedProjects::load(&self.pool, self.cipher.as_ref()).await?;
        let (pool, connector, policy) = (&self.pool, self.connector.as_ref(), self.policy);
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
        match self.kind {
            Kind::Servers => run!(ServersPass),
            Kind::Volumes => run!(VolumesPass),
            Kind::FloatingIps => run!(FloatingIpsPass),
            Kind::NetworkInterfaces => run!(NetworkInterfacesPass),
            Kind::SecurityGroups => run!(SecurityGroupsPass),
        }
    }
}

impl ReconcileJob {
    /// `None` for the kinds without a targeted refresh.
    async fn refresh_rows(&self, ids: &[i64], dry_run: bool, now: DateTime<Utc>) -> Option<AppResult<PassReport>> {
        let managed = match ManagedProjects::load(&self.pool, self.cipher.as_ref()).await {
            Ok(m) => m,
            Err(e) => return Some(Err(e)),
        };
        let (pool, connector, policy) = (&self.pool, self.connector.as_ref(), self.policy);
        let listing = Listing::Complete;
        macro_rules! refresh {
            ($pass:ident) => {
                $pass {
                    pool,
                    connector,
                    policy,
                    listing,
                    dry_run,
                    now,
                }
                .refresh(&managed, ids)
                .await
            };
        }
        Some(match self.kind {
            Kind::Servers => refresh!(ServersPass),
            Kind::Volumes => refresh!(VolumesPass),
            Kind::FloatingIps | Kind::NetworkInterfaces | Kind::SecurityGroups => return None,
        })
    }
}

impl Job for ReconcileJob {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn schedule(&self) -> &str {
        &self.schedule
    }

    fn run<'a>(&'a self, ctx: PassContext<'a>) -> BoxFuture<'a, AppResult<Pass>> {
        Box::pin(async move {
            let started = Utc::now();
            let listing = if ctx.dry_run {
                Listing::Complete
            } else {
                self.incremental.next()
            };
            let report = self.pass(listing, ctx.dry_run, started).await?;
            if !ctx.dry_run && report.errors == 0 {
                self.incremental.succeeded(started);
            }
            Ok(pass_of(report))
        })
    }

    fn refresh<'a>(&'a self, ctx: PassContext<'a>, ids: &'a [i64]) -> BoxFuture<'a, AppResult<Pass>> {
        Box::pin(async move {
            match self.refresh_rows(ids, ctx.dry_run, Utc::now()).await {
                Some(report) => Ok(pass_of(report?)),
                None => self.run(ctx).await,
            }
        })
    }
}

fn pass_of(report: PassReport) -> Pass {
    Pass {
        counts: RunCounts {
            examined: report.examined,
            changed: report.changed,
            drift_found: report.drift_found,
            errors: report.errors,
        },
        stopped_early: false,
        changes: report
            .lines
            .into_iter()
            .map(|(resource, change)| ChangeLine { resource, change })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_pass_and_every_nth_are_complete() {
        let inc = IncrementalListing::new(3);
        assert_eq!(inc.next(), Listing::Complete);
        let t = Utc::now();
        inc.succeeded(t);
        assert!(matches!(inc.next(), Listing::ChangesSince(_)));
        assert!(matches!(inc.next(), Listing::ChangesSince(_)));
        assert_eq!(inc.next(), Listing::Complete);
    }

    #[test]
    fn without_a_good_pass_every_pass_is_complete() {
        let inc = IncrementalListing::new(5);
        assert_eq!(inc.next(), Listing::Complete);
        assert_eq!(inc.next(), Listing::Complete);
    }
}
