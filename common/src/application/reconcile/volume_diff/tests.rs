use std::collections::BTreeMap;

use chrono::{Duration, TimeZone};

use super::*;
use crate::infrastructure::cloud::CloudVolumeAttachment;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().unwrap_or_default()
}

fn row(id: i64, openstack_id: Option<&str>, status: VolumeStatus, pending: Option<&str>) -> VolumeRecord {
    VolumeRecord {
        id,
        version: 2,
        openstack_id: openstack_id.map(Into::into),
        status,
        pending_action: pending.map(Into::into),
        pending_since: Some(now() - Duration::seconds(20)),
        size_gb: 10,
        requested_size_gb: None,
        attached_to: None,
        is_root: false,
        synced: true,
        reissues: 0,
    }
}

fn cloud(id: &str, status: &str, size: u64, attached_to: Option<&str>, inventory: Option<i64>) -> CloudVolume {
    CloudVolume {
        id: id.into(),
        name: Some(format!("vol-{id}")),
        description: None,
        project_id: Some("p1".into()),
        status: status.into(),
        size_gb: size,
        volume_type: None,
        bootable: false,
        availability_zone: None,
        attachments: attached_to
            .map(|s| {
                vec![CloudVolumeAttachment {
                    server_id: s.into(),
                    volume_id: id.into(),
                    device: None,
                }]
            })
            .unwrap_or_default(),
        image_id: None,
        metadata: BTreeMap::new(),
        inventory_id: inventory.map(|i| format!("volume:{i}")),
        created_at: None,
        updated_at: None,
    }
}

fn diff(rows: &[VolumeRecord], cloud: &[CloudVolume]) -> Vec<VolumeChange> {
    diff_volumes(rows, cloud, Listing::Complete, &Policy::default(), now())
}

#[test]
fn a_created_volume_becomes_available_and_its_task_ends() {
    let rows = [row(1, Some("v"), VolumeStatus::Creating, Some("create"))];
    let changes = diff(&rows, &[cloud("v", "available", 10, None, Some(1))]);
    assert!(
        matches!(
            &changes[..],
            [VolumeChange::Observe {
                status: VolumeStatus::Available,
                size_gb: 10,
                ..
            }]
        ),
        "{changes:?}"
    );
}

#[test]
fn a_detached_volume_ends_available_with_no_server() {
    let mut r = row(1, Some("v"), VolumeStatus::Detaching, Some("detach"));
    r.attached_to = Some("srv".into());
    let changes = diff(&[r], &[cloud("v", "available", 10, None, Some(1))]);
    assert!(matches!(
        &changes[..],
        [VolumeChange::Observe {
            status: VolumeStatus::Available,
            attached_to: None,
            ..
        }]
    ));
}

#[test]
fn an_extend_stores_the_size_the_cloud_confirms() {
    let mut r = row(1, Some("v"), VolumeStatus::Extending, Some("extend"));
    r.requested_size_gb = Some(20);
    let changes = diff(&[r], &[cloud("v", "available", 20, None, Some(1))]);
    assert!(
        matches!(&changes[..], [VolumeChange::Observe { size_gb: 20, .. }]),
        "{changes:?}"
    );
}

#[test]
fn a_size_changed_behind_our_back_is_reported_not_stored() {
    let rows = [row(1, Some("v"), VolumeStatus::Available, None)];
    let changes = diff(&rows, &[cloud("v", "available", 50, None, Some(1))]);
    assert!(
        matches!(
            &changes[..],
            [VolumeChange::FieldMismatch { field: "size_gb", ours, cloud, .. }] if ours == "10" && cloud == "50"
        ),
        "{changes:?}"
    );
}

#[test]
fn a_lost_create_is_adopted_by_inventory_id() {
    let rows = [row(4, None, VolumeStatus::Creating, Some("create"))];
    let changes = diff(&rows, &[cloud("v9", "creating", 10, None, Some(4))]);
    assert!(matches!(&changes[..], [VolumeChange::Observe { openstack_id, .. }] if openstack_id == "v9"));
}

#[test]
fn a_root_volume_is_found_through_its_server() {
    let mut r = row(4, None, VolumeStatus::Creating, Some("create"));
    r.is_root = true;
    r.attached_to = Some("srv-1".into());
    let mut root = cloud("root-v", "in-use", 10, Some("srv-1"), None);
    root.bootable = true;
    let changes = diff(&[r], &[root]);
    assert!(
        matches!(
            &changes[..],
            [VolumeChange::Observe { openstack_id, status: VolumeStatus::InUse, .. }] if openstack_id == "root-v"
        ),
        "{changes:?}"
    );
}

#[test]
fn nothing_changes_when_the_cloud_agrees() {
    let mut r = row(1, Some("v"), VolumeStatus::InUse, None);
    r.attached_to = Some("srv".into());
    assert_eq!(diff(&[r], &[cloud("v", "in-use", 10, Some("srv"), Some(1))]), []);
}

#[test]
fn absent_from_a_complete_listing_asks_for_confirmation() {
    let rows = [row(1, Some("v"), VolumeStatus::Deleting, Some("delete"))];
    assert_eq!(
        diff(&rows, &[]),
        [VolumeChange::ConfirmGone {
            id: 1,
            version: 2,
            openstack_id: "v".into(),
            deleting: true
        }]
    );
}

#[test]
fn a_volume_nobody_claims_is_unmanaged() {
    let changes = diff(&[], &[cloud("stray", "available", 1, None, None)]);
    assert!(matches!(&changes[..], [VolumeChange::Unmanaged { openstack_id, .. }] if openstack_id == "stray"));
}

#[test]
fn an_adopted_volume_takes_the_clouds_size() {
    let mut r = row(1, Some("v"), VolumeStatus::Available, None);
    r.synced = false;
    r.size_gb = 1;
    let changes = diff(&[r], &[cloud("v", "available", 40, None, None)]);
    assert!(
        matches!(&changes[..], [VolumeChange::Observe { size_gb: 40, .. }]),
        "{changes:?}"
    );
}

fn lost(id: i64) -> VolumeRecord {
    let mut r = row(id, None, VolumeStatus::Creating, Some("create"));
    r.pending_since = Some(now() - Duration::minutes(10));
    r
}

#[test]
fn a_create_missing_from_a_complete_listing_after_the_grace_is_re_issued() {
    let mut young = lost(4);
    young.pending_since = Some(now() - Duration::seconds(10));
    assert_eq!(diff(&[young], &[]), []);
    assert_eq!(
        diff(&[lost(4)], &[]),
        [VolumeChange::ReissueCreate { id: 4, version: 2 }]
    );
}

#[test]
fn a_lost_volume_create_is_never_re_issued_on_an_incremental_listing() {
    let since = Listing::ChangesSince(now() - Duration::minutes(1));
    assert_eq!(diff_volumes(&[lost(4)], &[], since, &Policy::default(), now()), []);
}

#[test]
fn a_root_volume_is_never_re_issued_on_its_own() {
    let mut root = lost(4);
    root.is_root = true;
    assert_eq!(diff(&[root], &[]), []);
}

#[test]
fn a_volume_create_re_issued_as_often_as_allowed_is_failed_with_a_reason() {
    let mut r = lost(4);
    r.reissues = MAX_REISSUES;
    let changes = diff(&[r], &[]);
    assert!(
        matches!(&changes[..], [VolumeChange::TimeOut { id: 4, reason, .. }] if reason.contains("never reached the cloud")),
        "{changes:?}"
    );
}
