#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, TimeZone};

use super::*;
use crate::domain::security_group_rule::{Direction, EtherType, Protocol};
use crate::infrastructure::cloud::{self as port, CloudSecurityGroupRule, RuleDirection};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().unwrap_or_default()
}

fn row(id: i64, openstack_id: Option<&str>, status: &str, pending: Option<&str>) -> TrackedRow {
    TrackedRow {
        id,
        version: 2,
        openstack_id: openstack_id.map(Into::into),
        status: status.into(),
        pending_action: pending.map(Into::into),
        pending_since: Some(now() - Duration::seconds(20)),
    }
}

fn cloud(id: &str, name: &str, inventory: Option<i64>) -> CloudSecurityGroup {
    CloudSecurityGroup {
        id: id.into(),
        name: name.into(),
        description: inventory.map(|i| format!("security_group:{i}")),
        project_id: Some("p1".into()),
        rules: vec![],
        updated_at: None,
    }
}

fn diff(rows: &[TrackedRow], cloud: &[CloudSecurityGroup], listing: Listing) -> Vec<SecurityGroupChange> {
    let records: Vec<GroupRecord> = rows
        .iter()
        .map(|row| GroupRecord {
            row: row.clone(),
            rules: vec![],
        })
        .collect();
    diff_security_groups(&records, cloud, listing, &Policy::default(), now())
}

fn https_in() -> Rule {
    Rule {
        protocol: Some(Protocol::Tcp),
        ether_type: EtherType::IPv4,
        direction: Direction::Ingress,
        port_range_min: Some(443),
        port_range_max: Some(443),
        remote_ip_prefix: None,
    }
}

fn cloud_https_in(port: u32) -> CloudSecurityGroupRule {
    CloudSecurityGroupRule {
        id: format!("r{port}"),
        security_group_id: "g".into(),
        direction: RuleDirection::Ingress,
        ether_type: port::EtherType::IPv4,
        protocol: Some("tcp".into()),
        port_range_min: Some(port),
        port_range_max: Some(port),
        remote_ip_prefix: None,
        remote_group_id: None,
    }
}

fn with_rules(row: TrackedRow, rules: Vec<Rule>) -> GroupRecord {
    GroupRecord { row, rules }
}

#[test]
fn a_created_group_is_observed_and_its_create_ends() {
    let rows = [row(1, Some("g"), "CREATING", Some("create"))];
    let changes = diff(&rows, &[cloud("g", "web", None)], Listing::Complete);
    assert!(
        matches!(&changes[..], [SecurityGroupChange::Observe { .. }]),
        "{changes:?}"
    );
}

#[test]
fn a_lost_create_is_adopted_by_the_inventory_id_in_its_description() {
    let rows = [row(5, None, "CREATING", Some("create"))];
    let changes = diff(&rows, &[cloud("g", "web", Some(5))], Listing::Complete);
    assert!(
        matches!(&changes[..], [SecurityGroupChange::Observe { openstack_id, .. }] if openstack_id == "g"),
        "{changes:?}"
    );
}

#[test]
fn a_group_missing_from_a_complete_listing_is_confirmed_gone() {
    let changes = diff(&[row(1, Some("g"), "ACTIVE", None)], &[], Listing::Complete);
    assert!(
        matches!(
            &changes[..],
            [SecurityGroupChange::Lifecycle(Lifecycle::ConfirmGone {
                deleting: false,
                ..
            })]
        ),
        "{changes:?}"
    );
}

#[test]
fn absence_from_a_changes_since_listing_means_nothing() {
    assert!(diff(&[row(1, Some("g"), "ACTIVE", None)], &[], Listing::ChangesSince(now())).is_empty());
}

#[test]
fn a_group_nobody_claims_is_unmanaged() {
    let changes = diff(&[], &[cloud("x", "ops", None)], Listing::Complete);
    assert!(
        matches!(&changes[..], [SecurityGroupChange::Unmanaged { .. }]),
        "{changes:?}"
    );
}

#[test]
fn the_default_group_the_cloud_makes_is_never_unmanaged() {
    assert!(diff(&[], &[cloud("d", "default", None)], Listing::Complete).is_empty());
}

#[test]
fn a_delete_stuck_past_the_limit_times_out() {
    let mut r = row(1, Some("g"), "ACTIVE", Some("delete"));
    r.pending_since = Some(now() - Duration::hours(2));
    let changes = diff(&[r], &[cloud("g", "web", None)], Listing::Complete);
    assert!(
        matches!(
            &changes[..],
            [SecurityGroupChange::Lifecycle(Lifecycle::TimeOut { .. })]
        ),
        "{changes:?}"
    );
}

#[test]
fn nothing_changes_when_the_cloud_agrees() {
    assert!(
        diff(
            &[row(1, Some("g"), "ACTIVE", None)],
            &[cloud("g", "web", None)],
            Listing::Complete
        )
        .is_empty()
    );
}

#[test]
fn a_settled_group_whose_cloud_rules_changed_is_a_rules_mismatch() {
    let mut group = cloud("g", "web", None);
    group.rules = vec![cloud_https_in(443), cloud_https_in(22)];
    let rows = [with_rules(row(1, Some("g"), "ACTIVE", None), vec![https_in()])];
    let changes = diff_security_groups(&rows, &[group], Listing::Complete, &Policy::default(), now());
    assert_eq!(
        changes,
        [SecurityGroupChange::RulesMismatch {
            id: 1,
            openstack_id: "g".into(),
            ours: "ingress IPv4 tcp 443 from anywhere".into(),
            cloud: "ingress IPv4 tcp 22 from anywhere; ingress IPv4 tcp 443 from anywhere".into(),
        }]
    );
}

#[test]
fn matching_rules_are_no_change() {
    let mut group = cloud("g", "web", None);
    group.rules = vec![cloud_https_in(443)];
    let rows = [with_rules(row(1, Some("g"), "ACTIVE", None), vec![https_in()])];
    assert!(diff_security_groups(&rows, &[group], Listing::Complete, &Policy::default(), now()).is_empty());
}

#[test]
fn rules_of_a_group_being_updated_are_not_compared() {
    let group = cloud("g", "web", None);
    let rows = [with_rules(
        row(1, Some("g"), "UPDATING", Some("update")),
        vec![https_in()],
    )];
    let changes = diff_security_groups(&rows, &[group], Listing::Complete, &Policy::default(), now());
    assert!(
        !changes
            .iter()
            .any(|c| matches!(c, SecurityGroupChange::RulesMismatch { .. })),
        "{changes:?}"
    );
}

#[test]
fn rules_of_a_group_in_error_are_not_compared() {
    let group = cloud("g", "web", None);
    let rows = [with_rules(row(1, Some("g"), "ERROR", None), vec![https_in()])];
    let changes = diff_security_groups(&rows, &[group], Listing::Complete, &Policy::default(), now());
    assert!(
        !changes
            .iter()
            .any(|c| matches!(c, SecurityGroupChange::RulesMismatch { .. })),
        "{changes:?}"
    );
}

#[test]
fn rules_are_compared_in_a_changes_since_listing_too() {
    let group = cloud("g", "web", None);
    let rows = [with_rules(row(1, Some("g"), "ACTIVE", None), vec![https_in()])];
    let changes = diff_security_groups(&rows, &[group], Listing::ChangesSince(now()), &Policy::default(), now());
    assert!(
        matches!(&changes[..], [SecurityGroupChange::RulesMismatch { cloud, .. }] if cloud == "(no rules)"),
        "{changes:?}"
    );
}
