//! `IN (?, ?, ...)` for batch loads; an empty list matches nothing.

use sqlx::{MySql, QueryBuilder};

pub fn push_in(qb: &mut QueryBuilder<MySql>, column: &'static str, ids: &[i64]) {
    if ids.is_empty() {
        qb.push(" AND FALSE");
        return;
    }
    qb.push(format!(" AND {column} IN ("));
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
}
