//! The security groups pass: observe, diff, act over the groups, and a
//! `field_mismatch` finding (field `rules`) when a settled group's rules in
//! the cloud are not the rules we store.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{MySqlConnection, MySqlPool};

use super::act;
use super::backoff::Backoff;
use super::managed::{ManagedProjects, cloud_failure};
use super::report::{Outcome, PassReport};
use super::security_group_diff::{GroupRecord, SecurityGroupChange, diff_security_groups};
use super::servers::query;
use super::settle::{KindRows, settle};
use super::tracked::TrackedRow;
use super::{Listing, Policy};
use crate::domain::security_group_rule::Rule;
use crate::error::AppResult;
use crate::infrastructure::cloud::{CloudConnector, CloudProject, CloudResult};
use crate::infrastructure::db::security_groups;

pub struct SecurityGroupsPass<'a> {
    pub pool: &'a MySqlPool,
    pub connector: &'a CloudConnector,
    pub policy: Policy,
    pub listing: Listing,
    pub dry_run: bool,
    pub now: DateTime<Utc>,
}

struct GroupRows;

impl KindRows for GroupRows {
    const RESOURCE: &'static str = "security_group";

    async fn finish_delete(c: &mut MySqlConnection, id: i64, version: i64) -> AppResult<()> {
        security_groups::finish_delete(c, id, version).await
    }

    async fn mark_error(c: &mut MySqlConnection, id: i64, version: i64, reason: &str) -> AppResult<()> {
        security_groups::mark_error(c, id, version, reason).await
    }

    async fn get(project: &dyn CloudProject, openstack_id: &str) -> CloudResult<()> {
        project.get_security_group(openstack_id).await.map(|_| ())
    }
}

impl SecurityGroupsPass<'_> {
    pub async fn run(&self, managed: &ManagedProjects) -> AppResult<PassReport> {
        let mut report = PassReport::default();
        if managed.is_empty() {
            return Ok(report);
        }
        let cloud = managed
            .inventory(self.connector)?
            .list_security_groups(&query(self.listing))
            .await
            .map_err(cloud_failure)?;
        let rows = security_groups::list_for_reconcile(self.pool, &managed.ids()).await?;
        let group_ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut rules_of: HashMap<i64, Vec<Rule>> = HashMap::new();
        for stored in security_groups::rules_of(self.pool, &group_ids).await? {
            rules_of.entry(stored.security_group_id).or_default().push(stored.rule);
        }
        let records: Vec<GroupRecord> = rows
            .iter()
            .map(|r| GroupRecord {
                row: TrackedRow {
                    id: r.id,
                    version: r.version,
                    openstack_id: r.openstack_id.clone(),
                    status: r.status.clone(),
                    pending_action: r.pending_action.clone(),
                    pending_since: r.pending_since,
                },
                rules: rules_of.remove(&r.id).unwrap_or_default(),
            })
            .collect();
        report.examined = records.len().max(cloud.len()) as u64;
        let project_of: HashMap<i64, i64> = rows.iter().map(|r| (r.id, r.project_id)).collect();

        let mut backoff = Backoff::load(self.pool, "security_group", self.policy.backoff, self.now).await?;
        for change in diff_security_groups(&records, &cloud, self.listing, &self.policy, self.now) {
            let line = describe(&change);
            let resource = resource_id(&change);
            if let Some(deferred) = backoff.deferred(resource) {
                report.deferred(line, deferred);
                continue;
            }
            if self.dry_run {
                let drift = matches!(
                    change,
                    SecurityGroupChange::Unmanaged { .. } | SecurityGroupChange::RulesMismatch { .. }
                );
                report.planned(line, drift);
                continue;
            }
            let outcome = self.apply(change, &project_of, managed).await;
            backoff.settle(resource, &outcome).await;
            report.record(line, outcome);
        }
        if !self.dry_run {
            backoff.finish(self.listing, rows.iter().map(|r| r.id)).await;
        }
        Ok(report)
    }

    async fn apply(
        &self,
        change: SecurityGroupChange,
        project_of: &HashMap<i64, i64>,
        managed: &ManagedProjects,
    ) -> Outcome {
        let pool = self.pool;
        match change {
            SecurityGroupChange::Observe {
                id,
                version,
                openstack_id,
            } => {
                act::write(pool, async |c| {
                    security_groups::record_observed(c, id, version, &openstack_id).await
                })
                .await
            }
            SecurityGroupChange::Lifecycle(change) => {
                settle::<GroupRows>(pool, self.connector, managed, project_of, change).await
            }
            SecurityGroupChange::Unmanaged {
                openstack_id,
                project_cloud_id,
                name,
            } => {
                let project_id = project_cloud_id.as_deref().and_then(|c| managed.id_of_cloud(c));
                act::finding(pool, act::unmanaged("security_group", project_id, &openstack_id, &name)).await
            }
            SecurityGroupChange::RulesMismatch {
                id,
                openstack_id,
                ours,
                cloud,
            } => {
                let project_id = project_of.get(&id).copied();
                let f = act::mismatch("security_group", id, project_id, &openstack_id, "rules", &ours, &cloud);
                act::finding(pool, f).await
            }
        }
    }
}

fn resource_id(change: &SecurityGroupChange) -> Option<i64> {
    match change {
        SecurityGroupChange::Observe { id, .. } | SecurityGroupChange::RulesMismatch { id, .. } => Some(*id),
        SecurityGroupChange::Lifecycle(l) => Some(l.id()),
        SecurityGroupChange::Unmanaged { .. } => None,
    }
}

fn describe(change: &SecurityGroupChange) -> (String, String) {
    match change {
        SecurityGroupChange::Observe { id, openstack_id, .. } => (
            format!("security group {id}"),
            format!("observe ACTIVE ({openstack_id})"),
        ),
        SecurityGroupChange::Lifecycle(l) => (format!("security group {}", l.id()), l.describe()),
        SecurityGroupChange::Unmanaged { openstack_id, name, .. } => (
            format!("cloud security group {openstack_id}"),
            format!("unmanaged ({name})"),
        ),
        SecurityGroupChange::RulesMismatch { id, ours, cloud, .. } => (
            format!("security group {id}"),
            format!("rules differ: ours {ours}, cloud {cloud}"),
        ),
    }
}
