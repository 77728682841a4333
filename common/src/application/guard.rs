//! Checks every use case starts with: who is asking, may they, and does the
//! caller's `If-Match` name the version they are about to change.

use crate::domain::auth::{Actor, RequestContext};
use crate::error::{AppError, AppResult};

pub fn actor(ctx: &RequestContext) -> AppResult<&Actor> {
    ctx.actor.as_ref().ok_or_else(super::auth::token::invalid_token)
}

pub fn admin(ctx: &RequestContext) -> AppResult<&Actor> {
    let actor = actor(ctx)?;
    if actor.is_admin() {
        Ok(actor)
    } else {
        Err(AppError::forbidden("ADMIN_ROLE_REQUIRED", "only an admin may do this"))
    }
}

/// 412 when the client named a version other than the current one.
pub fn if_match(expected: Option<i64>, current: i64) -> AppResult<()> {
    match expected {
        Some(v) if v != current => Err(AppError::precondition_failed(current)),
        _ => Ok(()),
    }
}
