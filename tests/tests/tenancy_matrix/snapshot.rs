//! What must not change while another project probes: every row of the
//! database (read only) and the simulated cloud's resources and applied
//! operations.

use std::collections::BTreeMap;

use serde_json::Value;
use sqlx::MySqlPool;

/// Bookkeeping of the prober's own requests, not anybody's resources: a
/// `POST` with `Idempotency-Key` claims a row and releases it on a non-2xx answer.
const NOT_RESOURCES: &[&str] = &["idempotency_key"];

/// Cloud objects listed per cloud of the simulator.
const CLOUD_KINDS: &[&str] = &["servers", "volumes", "ports", "floatingips", "security_groups"];

#[derive(Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Table name to its rows, each row its columns quoted and joined.
    pub tables: BTreeMap<String, Vec<String>>,
    /// `cloud/kind` to the ids the cloud holds.
    pub cloud: BTreeMap<String, Vec<String>>,
    /// Operations the cloud applied, by name (logins to the cloud excluded:
    /// any caller may cause one).
    pub applied: BTreeMap<String, u64>,
}

pub async fn take(pool: &MySqlPool, sim_url: &str, http: &reqwest::Client) -> Snapshot {
    Snapshot {
        tables: tables(pool).await,
        cloud: cloud(sim_url, http).await,
        applied: applied(sim_url, http).await,
    }
}

/// Names what differs between two snapshots, one line each.
pub fn differences(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for (table, rows) in &before.tables {
        let later = after.tables.get(table).cloned().unwrap_or_default();
        for row in rows.iter().filter(|r| !later.contains(r)) {
            out.push(format!("{table}: row changed or gone: {row}"));
        }
        for row in later.iter().filter(|r| !rows.contains(r)) {
            out.push(format!("{table}: row new or changed: {row}"));
        }
    }
    if before.cloud != after.cloud {
        out.push(format!("cloud resources: {:?} -> {:?}", before.cloud, after.cloud));
    }
    if before.applied != after.applied {
        out.push(format!("cloud operations: {:?} -> {:?}", before.applied, after.applied));
    }
    out
}

async fn tables(pool: &MySqlPool) -> BTreeMap<String, Vec<String>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
         WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut out = BTreeMap::new();
    for table in names.into_iter().filter(|t| !NOT_RESOURCES.contains(&t.as_str())) {
        let columns: Vec<String> = sqlx::query_scalar(
            "SELECT CAST(column_name AS CHAR) FROM information_schema.columns \
             WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .unwrap();
        let quoted: Vec<String> = columns
            .iter()
            .map(|c| format!("IFNULL(QUOTE(`{c}`), 'NULL')"))
            .collect();
        // Table and column names come from information_schema, not from input.
        let sql = format!("SELECT CONCAT_WS('|', {}) FROM `{table}`", quoted.join(", "));
        let rows: Vec<Vec<u8>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap();
        let mut rows: Vec<String> = rows.iter().map(|r| String::from_utf8_lossy(r).into_owned()).collect();
        rows.sort();
        out.insert(table, rows);
    }
    out
}

async fn cloud(sim_url: &str, http: &reqwest::Client) -> BTreeMap<String, Vec<String>> {
    let clouds = get(http, &format!("{sim_url}/_sim/clouds")).await;
    let names: Vec<String> = match &clouds {
        Value::Array(a) => a.clone(),
        other => other["clouds"].as_array().cloned().unwrap_or_default(),
    }
    .iter()
    .filter_map(|c| {
        c.as_str()
            .map(str::to_string)
            .or_else(|| c["name"].as_str().map(str::to_string))
    })
    .collect();
    assert!(!names.is_empty(), "the simulator lists no clouds: {clouds}");
    let mut out = BTreeMap::new();
    for c in &names {
        for kind in CLOUD_KINDS {
            let listed = get(http, &format!("{sim_url}/_sim/clouds/{c}/{kind}")).await;
            let mut ids: Vec<String> = match &listed {
                Value::Array(a) => a.clone(),
                other => other["ids"].as_array().cloned().unwrap_or_default(),
            }
            .iter()
            .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
            .collect();
            ids.sort();
            out.insert(format!("{c}/{kind}"), ids);
        }
    }
    out
}

async fn applied(sim_url: &str, http: &reqwest::Client) -> BTreeMap<String, u64> {
    let counters = get(http, &format!("{sim_url}/_sim/counters")).await;
    counters["totals"]
        .as_object()
        .unwrap_or_else(|| panic!("no totals in the simulator's counters: {counters}"))
        .iter()
        .filter(|(name, _)| !name.starts_with("token."))
        .filter_map(|(name, n)| Some((name.clone(), n.as_u64()?)))
        .collect()
}

async fn get(http: &reqwest::Client, url: &str) -> Value {
    let res = http.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200, "GET {url}");
    res.json().await.unwrap()
}
