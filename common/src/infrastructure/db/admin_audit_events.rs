//! Admin reads of the append-only `audit_event` table: filtered, newest
//! first, keyset-paginated on (occurred_at, id). Every filter has an index
//! that leads with it and continues with (occurred_at, id).

use chrono::{DateTime, Utc};
use sqlx::{Executor, MySql, QueryBuilder};

use super::audit_events::StoredAuditEvent;
use super::keyset::{push_after, push_order_and_limit};
use crate::domain::page::{Cursor, CursorKey, SortOrder};
use crate::error::AppResult;

pub const SORT: &str = "occurred_at:desc";

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<i64>,
    pub project_id: Option<i64>,
    pub resource_type: Option<String>,
    /// Only together with `resource_type`.
    pub resource_id: Option<i64>,
    pub action: Option<String>,
    /// Inclusive.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive.
    pub until: Option<DateTime<Utc>>,
}

pub fn cursor_of(event: &StoredAuditEvent) -> Cursor {
    Cursor {
        sort: SORT.to_owned(),
        key: CursorKey::Time(event.occurred_at),
        id: event.id,
    }
}

/// Up to `limit + 1` events after the cursor, newest first.
pub async fn list<'c>(
    db: impl Executor<'c, Database = MySql>,
    filter: &AuditFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> AppResult<Vec<StoredAuditEvent>> {
    let mut qb = build_list("", filter, after, limit);
    Ok(qb.build_query_as::<StoredAuditEvent>().fetch_all(db).await?)
}

/// The statement [`list`] runs, after `prefix` (`EXPLAIN ` for plan checks).
pub fn build_list(
    prefix: &'static str,
    filter: &AuditFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> QueryBuilder<MySql> {
    let mut qb = QueryBuilder::<MySql>::new(prefix);
    qb.push(
        "SELECT id, occurred_at, request_id, actor_user_id, project_id, action, resource_type, resource_id, \
         outcome, detail FROM audit_event WHERE 1 = 1",
    );
    if let Some(actor) = filter.actor_user_id {
        qb.push(" AND actor_user_id = ").push_bind(actor);
    }
    if let Some(project) = filter.project_id {
        qb.push(" AND project_id = ").push_bind(project);
    }
    if let Some(resource_type) = &filter.resource_type {
        qb.push(" AND resource_type = ").push_bind(resource_type.clone());
    }
    if let Some(resource_id) = filter.resource_id {
        qb.push(" AND resource_id = ").push_bind(resource_id);
    }
    if let Some(action) = &filter.action {
        qb.push(" AND action = ").push_bind(action.clone());
    }
    if let Some(since) = filter.since {
        qb.push(" AND occurred_at >= ").push_bind(since);
    }
    if let Some(until) = filter.until {
        qb.push(" AND occurred_at < ").push_bind(until);
    }
    push_after(&mut qb, "occurred_at", SortOrder::Desc, after);
    push_order_and_limit(&mut qb, "occurred_at", SortOrder::Desc, limit);
    qb
}
