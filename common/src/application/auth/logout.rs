//! `POST /auth/logout`: the presented token stops working.

use super::revocation;
use crate::application::{Services, audit};
use crate::domain::audit::AuditEvent;
use crate::domain::auth::RequestContext;
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::begin;

pub async fn logout(svc: &Services, ctx: &RequestContext) -> AppResult<()> {
    let actor = ctx.actor.as_ref().ok_or_else(super::token::invalid_token)?;
    let mut tx = begin(&svc.pool).await?;
    revocation::revoke_token(&mut tx, actor, "logout").await?;
    audit::record(
        &mut tx,
        ctx,
        AuditEvent::success("auth.logout", "user", Some(actor.user_id)).in_project(actor.project_id),
    )
    .await?;
    tx.commit().await.map_err(AppError::from)?;
    svc.revocations.forget_all();
    Ok(())
}
