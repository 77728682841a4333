#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, TimeZone};

use super::*;

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
    diff_security_groups(rows, cloud, listing, &Policy::default(), now())
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
