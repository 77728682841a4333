//! `GET /admin/inventory/{kind}`.

use crate::application::{Services, guard};
use crate::domain::auth::RequestContext;
use crate::domain::page::{Page, PageRequest};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::admin_inventory::{self, InventoryFilter, InventoryKind, InventoryRow, SORT};

pub async fn list(
    svc: &Services,
    ctx: &RequestContext,
    kind: InventoryKind,
    filter: &InventoryFilter,
    page: &PageRequest,
) -> AppResult<Page<InventoryRow>> {
    guard::admin(ctx)?;
    let after = page
        .for_sort(SORT)
        .map_err(|m| AppError::invalid_field("query.cursor", "value_error", m))?;
    let rows = admin_inventory::list(&svc.pool, kind, filter, after, page.limit).await?;
    Ok(Page::from_overfetch(rows, page.limit, InventoryRow::cursor))
}
