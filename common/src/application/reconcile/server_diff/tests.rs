use std::collections::BTreeMap;

use chrono::{Duration, TimeZone};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().unwrap_or_default()
}

fn row(id: i64, openstack_id: Option<&str>, status: ServerStatus, task: Option<ServerTask>) -> ServerRecord {
    ServerRecord {
        id,
        version: 3,
        project_cloud_id: "p1".into(),
        openstack_id: openstack_id.map(Into::into),
        status,
        task,
        task_since: Some(now() - Duration::seconds(30)),
        error_message: None,
        flavor_id: "2".into(),
        synced: true,
        reissues: 0,
    }
}

fn cloud(id: &str, status: &str, inventory_id: Option<i64>) -> CloudServer {
    let mut metadata = BTreeMap::new();
    if let Some(i) = inventory_id {
        metadata.insert("inventory_id".to_string(), format!("server:{i}"));
    }
    CloudServer {
        id: id.into(),
        name: format!("web-{id}"),
        project_id: Some("p1".into()),
        status: status.into(),
        task_state: None,
        vm_state: None,
        power_state: None,
        flavor_id: Some("2".into()),
        flavor_name: None,
        image_id: None,
        availability_zone: None,
        addresses: vec![],
        attached_volume_ids: vec![],
        security_group_names: vec![],
        metadata,
        inventory_id: inventory_id.map(|i| format!("server:{i}")),
        description: None,
        fault_message: None,
        created_at: None,
        updated_at: None,
    }
}

fn diff(rows: &[ServerRecord], cloud: &[CloudServer], listing: Listing) -> Vec<ServerChange> {
    diff_servers(rows, cloud, listing, &Policy::default(), now())
}

#[test]
fn a_build_that_became_active_is_observed_and_its_task_cleared() {
    let rows = [row(1, Some("a"), ServerStatus::Build, Some(ServerTask::Creating))];
    let changes = diff(&rows, &[cloud("a", "ACTIVE", Some(1))], Listing::Complete);
    assert_eq!(
        changes,
        [ServerChange::Observe {
            id: 1,
            version: 3,
            openstack_id: "a".into(),
            status: ServerStatus::Active,
            clear_task: true,
            error_message: None
        }]
    );
}

#[test]
fn nothing_changes_when_the_cloud_agrees() {
    let rows = [row(1, Some("a"), ServerStatus::Active, None)];
    assert_eq!(diff(&rows, &[cloud("a", "ACTIVE", Some(1))], Listing::Complete), []);
}

#[test]
fn a_lost_create_response_is_adopted_by_inventory_id() {
    let rows = [row(7, None, ServerStatus::Build, Some(ServerTask::Creating))];
    let changes = diff(&rows, &[cloud("new-os-id", "BUILD", Some(7))], Listing::Complete);
    assert!(
        matches!(&changes[..], [ServerChange::Observe { id: 7, openstack_id, clear_task: false, .. }] if openstack_id == "new-os-id"),
        "{changes:?}"
    );
}

#[test]
fn a_create_missing_from_a_complete_listing_is_reissued_only_after_the_grace_period() {
    let mut young = row(7, None, ServerStatus::Build, Some(ServerTask::Creating));
    young.task_since = Some(now() - Duration::seconds(10));
    assert_eq!(diff(&[young.clone()], &[], Listing::Complete), []);

    let mut old = young;
    old.task_since = Some(now() - Duration::minutes(10));
    assert_eq!(
        diff(&[old], &[], Listing::Complete),
        [ServerChange::ReissueCreate { id: 7, version: 3 }]
    );
}

#[test]
fn absence_from_an_incremental_listing_means_nothing() {
    let rows = [
        row(1, Some("a"), ServerStatus::Active, None),
        row(2, None, ServerStatus::Build, Some(ServerTask::Creating)),
    ];
    let since = now() - Duration::minutes(1);
    assert_eq!(diff(&rows, &[], Listing::ChangesSince(since)), []);
}

#[test]
fn absence_from_a_complete_listing_asks_for_confirmation_not_deletion() {
    let rows = [row(1, Some("a"), ServerStatus::Active, None)];
    assert_eq!(
        diff(&rows, &[], Listing::Complete),
        [ServerChange::ConfirmGone {
            id: 1,
            version: 3,
            openstack_id: "a".into(),
            deleting: false
        }]
    );
}

#[test]
fn a_deleted_tombstone_finishes_a_pending_delete() {
    let rows = [row(1, Some("a"), ServerStatus::Active, Some(ServerTask::Deleting))];
    let changes = diff(&rows, &[cloud("a", "DELETED", Some(1))], Listing::ChangesSince(now()));
    assert_eq!(changes, [ServerChange::FinishDelete { id: 1, version: 3 }]);
}

#[test]
fn a_server_nobody_claims_is_unmanaged() {
    let changes = diff(&[], &[cloud("stray", "ACTIVE", None)], Listing::Complete);
    assert!(matches!(&changes[..], [ServerChange::Unmanaged { openstack_id, .. }] if openstack_id == "stray"));
}

#[test]
fn a_second_server_carrying_a_claimed_inventory_id_is_reported_as_unmanaged() {
    let rows = [row(1, Some("a"), ServerStatus::Active, None)];
    let changes = diff(
        &rows,
        &[cloud("a", "ACTIVE", Some(1)), cloud("dup", "ACTIVE", Some(1))],
        Listing::Complete,
    );
    assert!(matches!(&changes[..], [ServerChange::Unmanaged { openstack_id, .. }] if openstack_id == "dup"));
}

#[test]
fn an_error_in_the_cloud_ends_the_task_with_the_fault_message() {
    let rows = [row(1, Some("a"), ServerStatus::Build, Some(ServerTask::Creating))];
    let mut failed = cloud("a", "ERROR", Some(1));
    failed.fault_message = Some("No valid host was found".into());
    let changes = diff(&rows, &[failed], Listing::Complete);
    assert!(matches!(
        &changes[..],
        [ServerChange::Observe { status: ServerStatus::Error, clear_task: true, error_message: Some(m), .. }] if m == "No valid host was found"
    ));
}

#[test]
fn a_stop_still_running_after_the_limit_times_out() {
    let mut r = row(1, Some("a"), ServerStatus::Active, Some(ServerTask::Stopping));
    r.task_since = Some(now() - Duration::hours(1));
    let mut still = cloud("a", "ACTIVE", Some(1));
    still.task_state = Some("powering-off".into());
    let changes = diff(&[r], &[still], Listing::Complete);
    assert!(
        matches!(&changes[..], [ServerChange::TimeOut { id: 1, .. }]),
        "{changes:?}"
    );
}

#[test]
fn a_flavor_changed_behind_our_back_is_a_field_mismatch() {
    let rows = [row(1, Some("a"), ServerStatus::Active, None)];
    let mut resized = cloud("a", "ACTIVE", Some(1));
    resized.flavor_id = Some("4".into());
    let changes = diff(&rows, &[resized], Listing::Complete);
    assert!(matches!(
        &changes[..],
        [ServerChange::FieldMismatch { field: "flavor_id", ours, cloud, .. }] if ours == "2" && cloud == "4"
    ));
}

#[test]
fn running_the_diff_on_its_own_result_changes_nothing() {
    let rows = [row(1, Some("a"), ServerStatus::Build, Some(ServerTask::Creating))];
    let cloud_now = [cloud("a", "ACTIVE", Some(1))];
    assert_eq!(diff(&rows, &cloud_now, Listing::Complete).len(), 1);
    let mut settled = rows[0].clone();
    settled.status = ServerStatus::Active;
    settled.task = None;
    assert_eq!(diff(&[settled], &cloud_now, Listing::Complete), []);
}

#[test]
fn a_row_never_synced_takes_the_clouds_flavor_without_a_finding() {
    let mut r = row(1, Some("a"), ServerStatus::Active, None);
    r.synced = false;
    r.flavor_id = String::new();
    let changes = diff(&[r], &[cloud("a", "ACTIVE", Some(1))], Listing::Complete);
    assert!(
        !changes.iter().any(|c| matches!(c, ServerChange::FieldMismatch { .. })),
        "{changes:?}"
    );
}

#[test]
fn a_lost_create_re_issued_as_often_as_allowed_is_failed_with_a_reason() {
    let mut r = row(7, None, ServerStatus::Build, Some(ServerTask::Creating));
    r.task_since = Some(now() - Duration::minutes(10));
    r.reissues = MAX_REISSUES - 1;
    assert_eq!(
        diff(&[r.clone()], &[], Listing::Complete),
        [ServerChange::ReissueCreate { id: 7, version: 3 }]
    );

    r.reissues = MAX_REISSUES;
    let changes = diff(&[r], &[], Listing::Complete);
    assert!(
        matches!(&changes[..], [ServerChange::GiveUpCreate { id: 7, reason, .. }] if reason.contains("never reached the cloud")),
        "{changes:?}"
    );
}

#[test]
fn a_lost_create_is_never_re_issued_on_an_incremental_listing() {
    let mut r = row(7, None, ServerStatus::Build, Some(ServerTask::Creating));
    r.task_since = Some(now() - Duration::minutes(10));
    assert_eq!(diff(&[r], &[], Listing::ChangesSince(now() - Duration::minutes(1))), []);
}
