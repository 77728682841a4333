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

fn cloud(id: &str, status: &str, owner: &str, inventory: Option<i64>) -> CloudPort {
    CloudPort {
        id: id.into(),
        name: format!("port-{id}"),
        network_id: "net".into(),
        project_id: Some("p1".into()),
        status: status.into(),
        mac_address: Some("fa:16:3e:00:00:01".into()),
        device_id: None,
        device_owner: Some(owner.into()),
        fixed_ips: vec![],
        security_group_ids: vec![],
        description: inventory.map(|i| format!("network_interface:{i}")),
        updated_at: None,
    }
}

fn diff(rows: &[TrackedRow], cloud: &[CloudPort], listing: Listing) -> Vec<PortChange> {
    diff_ports(rows, cloud, listing, &Policy::default(), now())
}

#[test]
fn a_created_port_is_observed_and_its_create_ends() {
    let rows = [row(1, Some("p"), "BUILD", Some("create"))];
    let changes = diff(&rows, &[cloud("p", "DOWN", "", None)], Listing::Complete);
    assert!(
        matches!(&changes[..], [PortChange::Observe { status, .. }] if status == "DOWN"),
        "{changes:?}"
    );
}

#[test]
fn a_lost_create_is_adopted_by_the_inventory_id_in_its_description() {
    let rows = [row(7, None, "BUILD", Some("create"))];
    let changes = diff(
        &rows,
        &[cloud("p", "ACTIVE", "compute:nova", Some(7))],
        Listing::Complete,
    );
    assert!(
        matches!(&changes[..], [PortChange::Observe { openstack_id, .. }] if openstack_id == "p"),
        "{changes:?}"
    );
}

#[test]
fn a_port_missing_from_a_complete_listing_is_confirmed_gone() {
    let changes = diff(&[row(1, Some("p"), "ACTIVE", None)], &[], Listing::Complete);
    assert!(
        matches!(
            &changes[..],
            [PortChange::Lifecycle(Lifecycle::ConfirmGone { deleting: false, .. })]
        ),
        "{changes:?}"
    );
}

#[test]
fn absence_from_a_changes_since_listing_means_nothing() {
    assert!(diff(&[row(1, Some("p"), "ACTIVE", None)], &[], Listing::ChangesSince(now())).is_empty());
}

#[test]
fn a_port_nobody_claims_is_unmanaged() {
    let changes = diff(&[], &[cloud("x", "DOWN", "", None)], Listing::Complete);
    assert!(matches!(&changes[..], [PortChange::Unmanaged { .. }]), "{changes:?}");
}

#[test]
fn ports_the_cloud_makes_for_itself_are_never_unmanaged() {
    let cloud = [
        cloud("r", "ACTIVE", "network:router_interface", None),
        cloud("d", "ACTIVE", "network:dhcp", None),
    ];
    assert!(diff(&[], &cloud, Listing::Complete).is_empty());
}

#[test]
fn a_task_stuck_past_the_limit_times_out() {
    let mut r = row(1, Some("p"), "ACTIVE", Some("delete"));
    r.pending_since = Some(now() - Duration::hours(2));
    let changes = diff(&[r], &[cloud("p", "ACTIVE", "", None)], Listing::Complete);
    assert!(
        matches!(&changes[..], [PortChange::Lifecycle(Lifecycle::TimeOut { .. })]),
        "{changes:?}"
    );
}

#[test]
fn nothing_changes_when_the_cloud_agrees() {
    let rows = [row(1, Some("p"), "ACTIVE", None)];
    assert!(diff(&rows, &[cloud("p", "active", "compute:nova", None)], Listing::Complete).is_empty());
}
