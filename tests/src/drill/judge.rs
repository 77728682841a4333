//! What became of every accepted create: done, visibly failed, or lost.

use std::collections::BTreeMap;

use super::burst::{Attempt, Kind};
use super::census::Row;

#[derive(Debug, Default)]
pub struct Verdict {
    pub accepted: usize,
    /// ACTIVE servers, AVAILABLE or IN_USE volumes.
    pub converged: usize,
    /// ERROR with a reason.
    pub failed_visibly: usize,
    /// Accepted creates with no live row, or one that is neither of the above.
    pub lost: Vec<String>,
}

pub fn judge(attempts: &[Attempt], servers: &[Row], volumes: &[Row]) -> Verdict {
    let index = |rows: &[Row]| rows.iter().map(|r| (r.id, r.clone())).collect::<BTreeMap<_, _>>();
    let (servers, volumes) = (index(servers), index(volumes));
    let mut verdict = Verdict::default();
    for attempt in attempts {
        let Some(id) = attempt.answer.accepted_id() else {
            continue;
        };
        verdict.accepted += 1;
        let rows = match attempt.create.kind {
            Kind::Server => &servers,
            Kind::Volume => &volumes,
        };
        match rows.get(&id) {
            Some(r) if !r.deleted && r.settled() && r.failed_visibly() => verdict.failed_visibly += 1,
            Some(r) if !r.deleted && r.settled() && ["ACTIVE", "AVAILABLE", "IN_USE"].contains(&r.status.as_str()) => {
                verdict.converged += 1
            }
            other => verdict.lost.push(format!(
                "{} {id} ({}): {other:?}",
                attempt.create.kind.table(),
                attempt.create.name
            )),
        }
    }
    verdict
}
