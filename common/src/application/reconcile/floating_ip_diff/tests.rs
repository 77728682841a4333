#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, TimeZone};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().unwrap_or_default()
}

fn record(id: i64, openstack_id: Option<&str>, status: &str, pending: Option<&str>) -> FloatingIpRecord {
    FloatingIpRecord {
        row: TrackedRow {
            id,
            version: 3,
            openstack_id: openstack_id.map(Into::into),
            status: status.into(),
            pending_action: pending.map(Into::into),
            pending_since: Some(now() - Duration::seconds(20)),
        },
        network_interface_id: None,
    }
}

fn cloud(id: &str, status: &str, port: Option<&str>, inventory: Option<i64>) -> CloudFloatingIp {
    CloudFloatingIp {
        id: id.into(),
        floating_ip_address: "203.0.113.7".into(),
        floating_network_id: "ext".into(),
        port_id: port.map(Into::into),
        fixed_ip_address: None,
        status: status.into(),
        project_id: Some("p1".into()),
        description: inventory.map(|i| format!("floating_ip:{i}")),
        updated_at: None,
    }
}

fn ports() -> HashMap<String, i64> {
    HashMap::from([("port-a".to_owned(), 11), ("port-b".to_owned(), 12)])
}

fn diff(rows: &[FloatingIpRecord], cloud: &[CloudFloatingIp], listing: Listing) -> Vec<FloatingIpChange> {
    diff_floating_ips(rows, cloud, &ports(), listing, &Policy::default(), now())
}

#[test]
fn a_created_floating_ip_is_observed_and_its_task_ends() {
    let rows = [record(1, Some("f"), "DOWN", Some("create"))];
    let changes = diff(&rows, &[cloud("f", "DOWN", None, Some(1))], Listing::Complete);
    assert!(
        matches!(&changes[..], [FloatingIpChange::Observe { status: "DOWN", .. }]),
        "{changes:?}"
    );
}

#[test]
fn a_lost_create_is_adopted_by_the_inventory_id_in_its_description() {
    let rows = [record(4, None, "DOWN", Some("create"))];
    let changes = diff(&rows, &[cloud("f", "DOWN", None, Some(4))], Listing::Complete);
    assert!(
        matches!(&changes[..], [FloatingIpChange::Observe { openstack_id, .. }] if openstack_id == "f"),
        "{changes:?}"
    );
}

#[test]
fn an_association_made_out_of_band_is_taken_from_the_cloud() {
    let mut r = record(1, Some("f"), "ACTIVE", None);
    r.network_interface_id = Some(11);
    let changes = diff(&[r], &[cloud("f", "ACTIVE", Some("port-b"), None)], Listing::Complete);
    assert!(
        matches!(
            &changes[..],
            [FloatingIpChange::Observe {
                network_interface_id: Some(12),
                ..
            }]
        ),
        "{changes:?}"
    );
}

#[test]
fn a_floating_ip_missing_from_a_complete_listing_is_confirmed_gone() {
    let rows = [record(1, Some("f"), "ACTIVE", None)];
    let changes = diff(&rows, &[], Listing::Complete);
    assert!(
        matches!(
            &changes[..],
            [FloatingIpChange::Lifecycle(Lifecycle::ConfirmGone {
                deleting: false,
                ..
            })]
        ),
        "{changes:?}"
    );
}

#[test]
fn absence_from_a_changes_since_listing_means_nothing() {
    let rows = [record(1, Some("f"), "ACTIVE", None)];
    assert!(diff(&rows, &[], Listing::ChangesSince(now())).is_empty());
}

#[test]
fn a_floating_ip_nobody_claims_is_unmanaged() {
    let changes = diff(&[], &[cloud("x", "DOWN", None, None)], Listing::Complete);
    assert!(
        matches!(&changes[..], [FloatingIpChange::Unmanaged { openstack_id, .. }] if openstack_id == "x"),
        "{changes:?}"
    );
}

#[test]
fn a_delete_stuck_past_the_limit_times_out() {
    let mut r = record(1, Some("f"), "ACTIVE", Some("delete"));
    r.row.pending_since = Some(now() - Duration::hours(2));
    let changes = diff(&[r], &[cloud("f", "ACTIVE", None, None)], Listing::Complete);
    assert!(
        matches!(&changes[..], [FloatingIpChange::Lifecycle(Lifecycle::TimeOut { .. })]),
        "{changes:?}"
    );
}

#[test]
fn nothing_changes_when_the_cloud_agrees() {
    let mut r = record(1, Some("f"), "ACTIVE", None);
    r.network_interface_id = Some(11);
    assert!(diff(&[r], &[cloud("f", "ACTIVE", Some("port-a"), None)], Listing::Complete).is_empty());
}
