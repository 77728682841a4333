#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::TimeZone;

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).single().unwrap_or_default()
}

fn policy() -> BackoffPolicy {
    BackoffPolicy {
        base: Duration::seconds(30),
        max: Duration::minutes(10),
    }
}

#[test]
fn the_wait_doubles_with_each_failure_up_to_the_cap() {
    let p = policy();
    let waits: Vec<i64> = (1..=7).map(|n| p.delay(n).num_seconds()).collect();
    assert_eq!(waits, [30, 60, 120, 240, 480, 600, 600]);
}

#[test]
fn a_huge_failure_count_waits_the_cap_without_overflowing() {
    for n in [31, 32, 33, 64, u32::MAX] {
        assert_eq!(policy().delay(n), Duration::minutes(10), "{n}");
    }
}

#[test]
fn a_first_failure_waits_the_base() {
    let v = verdict(&policy(), None, &Outcome::Failed("503".into()), now());
    assert_eq!(
        v,
        Verdict::Failed {
            failures: 1,
            next_attempt_at: now() + Duration::seconds(30),
            error: "503".into()
        }
    );
}

#[test]
fn a_repeated_failure_counts_on_from_the_stored_failures() {
    match verdict(&policy(), Some(3), &Outcome::Failed("timed out".into()), now()) {
        Verdict::Failed {
            failures,
            next_attempt_at,
            ..
        } => {
            assert_eq!(failures, 4);
            assert_eq!(next_attempt_at, now() + Duration::seconds(240));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn any_success_clears_earlier_failures() {
    for outcome in [
        Outcome::Changed,
        Outcome::ChangedWithDrift,
        Outcome::Drift,
        Outcome::Unchanged,
    ] {
        assert_eq!(
            verdict(&policy(), Some(2), &outcome, now()),
            Verdict::Clear,
            "{outcome:?}"
        );
    }
}

#[test]
fn a_success_without_earlier_failures_stores_nothing() {
    assert_eq!(verdict(&policy(), None, &Outcome::Changed, now()), Verdict::Keep);
}

#[test]
fn a_version_conflict_neither_counts_nor_clears() {
    assert_eq!(verdict(&policy(), Some(2), &Outcome::Skipped, now()), Verdict::Keep);
}

#[test]
fn a_complete_listing_settles_entries_whose_resource_needed_nothing() {
    let rows: HashSet<i64> = [1, 2, 3].into();
    let touched: HashSet<i64> = [2].into();
    assert_eq!(settled(&[1, 2, 3], &rows, &touched, Listing::Complete), vec![1, 3]);
}

#[test]
fn entries_of_rows_the_pass_did_not_look_at_are_kept() {
    let rows: HashSet<i64> = [1].into();
    assert_eq!(settled(&[1, 7], &rows, &HashSet::new(), Listing::Complete), vec![1]);
}

#[test]
fn a_changes_since_listing_settles_nothing() {
    let rows: HashSet<i64> = [1, 2].into();
    assert!(settled(&[1, 2], &rows, &HashSet::new(), Listing::ChangesSince(now())).is_empty());
}

#[test]
fn a_deferral_says_until_when_and_after_how_many_failures() {
    let d = Deferred {
        until: now() + Duration::seconds(90),
        failures: 2,
    };
    assert_eq!(
        d.describe("confirm gone"),
        "confirm gone (deferred until 12:01:30 after 2 failures)"
    );
}
