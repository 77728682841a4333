//! Keyset pagination in SQL: `WHERE (col, id) after the cursor ORDER BY col, id
//! LIMIT n + 1`. Column names come from closed enums, never from input.

use sqlx::{MySql, QueryBuilder};

use crate::domain::page::{Cursor, CursorKey, SortOrder};

/// Appends ` AND (col > ? OR (col = ? AND id > ?))` (or `<` for descending).
pub fn push_after(qb: &mut QueryBuilder<MySql>, column: &'static str, order: SortOrder, after: Option<&Cursor>) {
    let Some(cursor) = after else { return };
    let op = order.after();
    qb.push(format!(" AND ({column} {op} "));
    push_key(qb, &cursor.key);
    qb.push(format!(" OR ({column} = "));
    push_key(qb, &cursor.key);
    qb.push(format!(" AND id {op} "));
    qb.push_bind(cursor.id);
    qb.push("))");
}

/// Appends ` ORDER BY col dir, id dir LIMIT limit + 1`.
pub fn push_order_and_limit(qb: &mut QueryBuilder<MySql>, column: &'static str, order: SortOrder, limit: u32) {
    let dir = order.sql();
    qb.push(format!(" ORDER BY {column} {dir}, id {dir} LIMIT "));
    qb.push_bind(i64::from(limit) + 1);
}

fn push_key(qb: &mut QueryBuilder<MySql>, key: &CursorKey) {
    match key {
        CursorKey::Time(t) => qb.push_bind(*t),
        CursorKey::Text(s) => qb.push_bind(s.clone()),
    };
}
