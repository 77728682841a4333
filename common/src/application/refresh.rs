//! Targeted refresh: after a mutation whose outcome the cloud has yet to
//! show, the batch server is asked to look at that one resource now instead
//! of at its next scheduled pass. Best effort: a failure here is logged and
//! never fails the request; the scheduled passes still come.

use sqlx::MySqlPool;

use super::project_cloud::Scope;
use crate::infrastructure::db::reconcile_requests::{self, Target};

pub fn server(id: i64) -> Target<'static> {
    Target {
        job: "servers",
        resource_type: "server",
        resource_id: id,
    }
}

pub fn volume(id: i64) -> Target<'static> {
    Target {
        job: "volumes",
        resource_type: "volume",
        resource_id: id,
    }
}

pub async fn request(pool: &MySqlPool, target: Target<'_>, scope: &Scope) {
    let queued = reconcile_requests::enqueue_refresh(pool, target, Some(scope.user_id), Some(&scope.request_id)).await;
    if let Err(e) = queued {
        tracing::warn!(
            resource_type = target.resource_type,
            resource_id = target.resource_id,
            error = ?e,
            "could not queue a refresh; the next scheduled pass will see the change"
        );
    }
}
