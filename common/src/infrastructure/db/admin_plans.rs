//! `EXPLAIN` of the admin read statements: which index each table access
//! uses, so a test (or an operator) can see that a filter does not scan.

use sqlx::{Executor, MySql, QueryBuilder, Row};

use crate::error::AppResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStep {
    pub table: Option<String>,
    /// `ALL` is a full table scan; `ref`, `range`, `index` use `key`.
    pub access: Option<String>,
    pub key: Option<String>,
}

/// Runs a statement built with the `EXPLAIN ` prefix.
pub async fn explain<'c>(
    db: impl Executor<'c, Database = MySql>,
    mut qb: QueryBuilder<MySql>,
) -> AppResult<Vec<PlanStep>> {
    let rows = qb.build().fetch_all(db).await?;
    Ok(rows
        .iter()
        .map(|r| PlanStep {
            table: r.try_get_unchecked::<Option<String>, _>("table").ok().flatten(),
            access: r.try_get_unchecked::<Option<String>, _>("type").ok().flatten(),
            key: r.try_get_unchecked::<Option<String>, _>("key").ok().flatten(),
        })
        .collect())
}
