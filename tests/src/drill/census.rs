//! The inventory as the drills judge it: rows read with read-only SQL, and
//! held against what the cloud holds (duplicates, resources nobody claims,
//! rows whose cloud resource is missing).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{AssertSqlSafe, MySqlPool};

use super::cloud_listing::CloudResource;

/// An inventory table the drills count: `server`, `volume`, `network_interface`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: i64,
    pub status: String,
    pub pending_action: Option<String>,
    pub error_message: Option<String>,
    pub openstack_id: Option<String>,
    pub deleted: bool,
}

impl Row {
    /// Nothing in flight and a state the reconciler leaves alone.
    pub fn settled(&self) -> bool {
        self.deleted || (self.pending_action.is_none() && !TRANSITIONAL.contains(&self.status.as_str()))
    }

    /// `ERROR` with a reason the user can read.
    pub fn failed_visibly(&self) -> bool {
        self.status == "ERROR" && self.error_message.as_deref().is_some_and(|m| !m.trim().is_empty())
    }
}

const TRANSITIONAL: &[&str] = &[
    "BUILD",
    "CREATING",
    "DELETING",
    "ATTACHING",
    "DETACHING",
    "EXTENDING",
    "REBOOT",
    "RESIZE",
];

/// id, status, pending_action, error_message, openstack_id, deleted (0/1).
type RawRow = (i64, String, Option<String>, Option<String>, Option<String>, i64);

pub async fn rows(pool: &MySqlPool, table: &str) -> Vec<Row> {
    let sql = format!(
        "SELECT id, status, pending_action, error_message, openstack_id, CAST(deleted_at IS NOT NULL AS SIGNED) \
         FROM `{table}` ORDER BY id"
    );
    let raw: Vec<RawRow> = sqlx::query_as(AssertSqlSafe(sql))
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("read {table}: {e}"));
    raw.into_iter()
        .map(
            |(id, status, pending_action, error_message, openstack_id, deleted)| Row {
                id,
                status,
                pending_action,
                error_message,
                openstack_id,
                deleted: deleted != 0,
            },
        )
        .collect()
}

/// How one kind's live rows and the cloud's resources line up.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// Cloud resources beyond the first carrying the same inventory id.
    pub duplicated: Vec<String>,
    /// Cloud resources carrying an inventory id whose live row does not
    /// hold them (no such row, a deleted one, or one holding another id).
    pub mismatched: Vec<String>,
    /// Live rows with a cloud id the cloud does not have.
    pub missing: Vec<i64>,
}

impl Agreement {
    pub fn is_one_to_one(&self) -> bool {
        self.duplicated.is_empty() && self.mismatched.is_empty() && self.missing.is_empty()
    }
}

/// `kind` is the inventory id prefix (`server`, `volume`, `network_interface`).
pub fn agreement(kind: &str, rows: &[Row], cloud: &[CloudResource]) -> Agreement {
    let live: BTreeMap<i64, &Row> = rows.iter().filter(|r| !r.deleted).map(|r| (r.id, r)).collect();
    let mut by_stamp: BTreeMap<i64, Vec<&CloudResource>> = BTreeMap::new();
    for c in cloud {
        if let Some(id) = c.inventory_id.as_deref().and_then(|s| stamp_of(kind, s)) {
            by_stamp.entry(id).or_default().push(c);
        }
    }
    let mut out = Agreement::default();
    for (id, resources) in &by_stamp {
        out.duplicated.extend(
            resources
                .iter()
                .skip(1)
                .map(|c| format!("{kind}:{id} also on {}", c.id)),
        );
        for c in resources {
            let held = live.get(id).and_then(|r| r.openstack_id.as_deref()) == Some(c.id.as_str());
            if !held {
                out.mismatched.push(format!("{} carries {kind}:{id}", c.id));
            }
        }
    }
    let in_cloud: BTreeSet<&str> = cloud.iter().map(|c| c.id.as_str()).collect();
    out.missing = live
        .values()
        .filter(|r| r.openstack_id.as_deref().is_some_and(|os| !in_cloud.contains(os)))
        .map(|r| r.id)
        .collect();
    out
}

fn stamp_of(kind: &str, value: &str) -> Option<i64> {
    value.strip_prefix(kind)?.strip_prefix(':')?.parse().ok()
}

/// The tables whose rows a burst of server and volume creates writes.
pub const BURST_TABLES: &[&str] = &["server", "volume", "network_interface"];

/// Waits until every row of `tables` is settled; answers how long that took.
/// Panics after `within`, naming the rows still unsettled.
pub async fn wait_settled(pool: &MySqlPool, tables: &[&str], within: std::time::Duration) -> std::time::Duration {
    let started = std::time::Instant::now();
    let done = super::wait::until(within, std::time::Duration::from_millis(250), || async {
        for table in tables {
            if !rows(pool, table).await.iter().all(Row::settled) {
                return None;
            }
        }
        Some(())
    })
    .await;
    if done.is_none() {
        let mut unsettled = Vec::new();
        for table in tables {
            for r in rows(pool, table).await.into_iter().filter(|r| !r.settled()) {
                unsettled.push(format!("{table} {} {} {:?}", r.id, r.status, r.pending_action));
            }
        }
        panic!("rows still unsettled after {within:?}: {unsettled:?}");
    }
    started.elapsed()
}
