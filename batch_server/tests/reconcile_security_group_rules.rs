//! Rule drift of security groups against cloud_sim over real HTTP and a
//! real database, on each provider protocol: a rule changed in the cloud
//! behind our back is reported with both rule sets, and nothing is changed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod support;

use std::sync::Arc;

use batch_server::jobs::reconcile::Kind;
use common::application::reconcile::managed::ManagedProjects;
use common::infrastructure::cloud::{
    CloudProject, CloudSecurityGroupRule, CreateSecurityGroupRequest, CreateSecurityGroupRuleRequest, EtherType,
    RuleDirection,
};
use support::world::{Protocol, World, world};

impl World {
    async fn cloud(&self) -> Arc<dyn CloudProject> {
        ManagedProjects::load(&self.db.pool, self.job.cipher.as_ref())
            .await
            .unwrap()
            .project(&self.job.connector, self.project_id)
            .unwrap()
    }

    /// A settled group whose stored rules are the ones the cloud holds.
    async fn settled_group(&self) -> (i64, String) {
        let created = self
            .cloud()
            .await
            .create_security_group(&CreateSecurityGroupRequest {
                name: "web".into(),
                description: None,
            })
            .await
            .unwrap();
        let id = sqlx::query(
            "INSERT INTO security_group (project_id, name, status, openstack_id) VALUES (?, UUID(), 'ACTIVE', ?)",
        )
        .bind(self.project_id)
        .bind(&created.id)
        .execute(&self.db.pool)
        .await
        .unwrap()
        .last_insert_id() as i64;
        for rule in &created.rules {
            self.store_rule(id, rule).await;
        }
        (id, created.id)
    }

    async fn store_rule(&self, group_id: i64, rule: &CloudSecurityGroupRule) {
        sqlx::query(
            "INSERT INTO security_group_rule (security_group_id, protocol, ether_type, direction, port_range_min, \
             port_range_max, remote_ip_prefix, openstack_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(group_id)
        .bind(&rule.protocol)
        .bind(rule.ether_type.as_str())
        .bind(rule.direction.as_str())
        .bind(rule.port_range_min)
        .bind(rule.port_range_max)
        .bind(&rule.remote_ip_prefix)
        .bind(&rule.id)
        .execute(&self.db.pool)
        .await
        .unwrap();
    }

    async fn cloud_rules(&self, os_id: &str) -> Vec<CloudSecurityGroupRule> {
        self.cloud().await.list_security_group_rules(os_id).await.unwrap()
    }

    async fn stored_rule_count(&self, group_id: i64) -> i64 {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM security_group_rule WHERE security_group_id = ? AND deleted_at IS NULL",
        )
        .bind(group_id)
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
    }

    /// `(our_value, cloud_value)` of each open `rules` finding of the group.
    async fn rule_findings(&self, group_id: i64) -> Vec<(String, String)> {
        sqlx::query_as(
            "SELECT our_value, cloud_value FROM drift_finding WHERE kind = 'field_mismatch' \
             AND resource_type = 'security_group' AND resource_id = ? AND field = 'rules' AND resolved_at IS NULL",
        )
        .bind(group_id)
        .fetch_all(&self.db.pool)
        .await
        .unwrap()
    }
}

fn mysql_from_anywhere(group: &str) -> CreateSecurityGroupRuleRequest {
    CreateSecurityGroupRuleRequest {
        security_group_id: group.to_owned(),
        direction: RuleDirection::Ingress,
        ether_type: EtherType::IPv4,
        protocol: Some("tcp".into()),
        port_range_min: Some(3306),
        port_range_max: Some(3306),
        remote_ip_prefix: Some("0.0.0.0/0".into()),
        remote_group_id: None,
    }
}

async fn rules_that_match_ours_are_no_drift(protocol: Protocol) {
    let w = world(protocol, Kind::SecurityGroups).await;
    let (id, _) = w.settled_group().await;

    let pass = w.pass().await;

    assert_eq!((pass.counts.drift_found, pass.counts.errors), (0, 0), "{pass:?}");
    assert!(w.rule_findings(id).await.is_empty());
}

async fn a_rule_added_in_the_cloud_is_reported_and_left_in_place(protocol: Protocol) {
    let w = world(protocol, Kind::SecurityGroups).await;
    let (id, os_id) = w.settled_group().await;
    let stored_before = w.stored_rule_count(id).await;
    w.cloud()
        .await
        .create_security_group_rule(&mysql_from_anywhere(&os_id))
        .await
        .unwrap();

    let pass = w.pass().await;

    assert_eq!((pass.counts.drift_found, pass.counts.errors), (1, 0), "{pass:?}");
    let findings = w.rule_findings(id).await;
    assert_eq!(findings.len(), 1, "{findings:?}");
    let (ours, cloud) = &findings[0];
    assert!(!ours.contains("3306"), "{ours}");
    assert!(cloud.contains("ingress IPv4 tcp 3306 from anywhere"), "{cloud}");
    assert_eq!(w.stored_rule_count(id).await, stored_before, "our rules are untouched");
    assert!(
        w.cloud_rules(&os_id)
            .await
            .iter()
            .any(|r| r.port_range_min == Some(3306)),
        "the cloud's rule is reported, not removed"
    );
}

async fn a_rule_removed_in_the_cloud_is_reported(protocol: Protocol) {
    let w = world(protocol, Kind::SecurityGroups).await;
    let (id, os_id) = w.settled_group().await;
    let rules = w.cloud_rules(&os_id).await;
    assert!(!rules.is_empty(), "a new group has its default egress rules");
    w.cloud().await.delete_security_group_rule(&rules[0].id).await.unwrap();

    w.pass().await;

    let findings = w.rule_findings(id).await;
    assert_eq!(findings.len(), 1, "{findings:?}");
    let (ours, cloud) = &findings[0];
    assert_eq!(ours.split("; ").count(), rules.len(), "{ours}");
    match rules.len() - 1 {
        0 => assert_eq!(cloud, "(no rules)"),
        left => assert_eq!(cloud.split("; ").count(), left, "{cloud}"),
    }
}

async fn a_drift_seen_again_refreshes_its_one_open_finding(protocol: Protocol) {
    let w = world(protocol, Kind::SecurityGroups).await;
    let (id, os_id) = w.settled_group().await;
    let cloud = w.cloud().await;
    cloud
        .create_security_group_rule(&mysql_from_anywhere(&os_id))
        .await
        .unwrap();
    w.pass().await;
    let mut ssh = mysql_from_anywhere(&os_id);
    ssh.port_range_min = Some(22);
    ssh.port_range_max = Some(22);
    cloud.create_security_group_rule(&ssh).await.unwrap();

    w.pass().await;

    let findings = w.rule_findings(id).await;
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(
        findings[0].1.contains("tcp 22 ") && findings[0].1.contains("tcp 3306 "),
        "the values are refreshed: {}",
        findings[0].1
    );
}

both_protocols!(
    rules_that_match_ours_are_no_drift,
    a_rule_added_in_the_cloud_is_reported_and_left_in_place,
    a_rule_removed_in_the_cloud_is_reported,
    a_drift_seen_again_refreshes_its_one_open_finding,
);
