//! What a targeted refresh sees of one row.

use std::future::Future;

use crate::infrastructure::cloud::CloudResult;

/// The row's resource by a direct get of its cloud id or, without one, by the
/// inventory id it carries. A 404 on the get is an empty answer (ConfirmGone's
/// own get still decides what is gone); any other failure fails the refresh of
/// the row.
pub async fn seen<T>(
    direct_get: Option<impl Future<Output = CloudResult<T>>>,
    by_inventory_id: impl Future<Output = CloudResult<Option<T>>>,
) -> Result<Vec<T>, String> {
    let seen = match direct_get {
        Some(get) => match get.await {
            Ok(resource) => Some(resource),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e.to_string()),
        },
        None => by_inventory_id.await.map_err(|e| e.to_string())?,
    };
    Ok(seen.into_iter().collect())
}
