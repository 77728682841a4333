//! `POST /auth/login`: account and password for a token naming one project.

use std::net::IpAddr;

use serde_json::json;

use super::throttle::{self, Subjects};
use crate::application::Services;
use crate::domain::audit::{AuditEvent, Outcome};
use crate::domain::auth::RequestContext;
use crate::domain::user::{Role, User};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::{audit_events, begin, memberships, projects, token_revocations, users};

pub struct LoginInput {
    pub account_id: String,
    pub password: String,
    pub project_id: Option<i64>,
    pub client_ip: Option<IpAddr>,
}

pub struct LoginOutput {
    pub user: User,
    pub token: String,
}

fn invalid_auth() -> AppError {
    AppError::unauthorized("INVALID_AUTH", "the account id or the password is wrong")
}

pub async fn login(svc: &Services, ctx: &RequestContext, input: LoginInput) -> AppResult<LoginOutput> {
    let subjects = Subjects::new(&input.account_id, input.client_ip);
    throttle::ensure_not_locked(&svc.pool, &subjects).await?;

    let (user, stored) = match users::find_with_password_hash(&svc.pool, &input.account_id).await? {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let matched = svc.passwords.verify(&input.password, stored).await?;
    let Some(user) = user.filter(|_| matched) else {
        throttle::record_failure(&svc.pool, &svc.throttle, &subjects).await?;
        record_attempt(svc, ctx, None, Outcome::Failure).await?;
        return Err(invalid_auth());
    };
    throttle::record_success(&svc.pool, &subjects).await?;

    let project_id = choose_project(svc, &user, input.project_id).await?;
    let cutoff = token_revocations::latest_cutoff(&svc.pool, user.id, project_id).await?;
    let (token, _) = svc.tokens.issue(user.id, user.role, project_id, cutoff)?;
    record_attempt(svc, ctx, Some((&user, project_id)), Outcome::Success).await?;
    Ok(LoginOutput { user, token })
}

/// A requested project must be a membership (an admin may pick any live
/// project); otherwise the first project joined. An admin without projects
/// gets a token without a project.
async fn choose_project(svc: &Services, user: &User, requested: Option<i64>) -> AppResult<Option<i64>> {
    let denied = || AppError::forbidden("PROJECT_ACCESS_DENIED", "you are not a member of that project");
    match requested {
        Some(id) if user.role == Role::Admin => match projects::find(&svc.pool, id).await? {
            Some(_) => Ok(Some(id)),
            None => Err(denied()),
        },
        Some(id) => {
            let live = projects::find(&svc.pool, id).await?.is_some();
            if live && memberships::is_member(&svc.pool, id, user.id).await? {
                Ok(Some(id))
            } else {
                Err(denied())
            }
        }
        None => match memberships::first_project_of(&svc.pool, user.id).await? {
            Some(id) => Ok(Some(id)),
            None if user.role == Role::Admin => Ok(None),
            None => Err(AppError::bad_request(
                "USER_NOT_JOINED_ANY_PROJECT",
                "the user is not a member of any project",
            )),
        },
    }
}

/// Logins are audited both ways; a failure names no account (the row
/// would otherwise tell which account ids exist to whoever reads it).
async fn record_attempt(
    svc: &Services,
    ctx: &RequestContext,
    who: Option<(&User, Option<i64>)>,
    outcome: Outcome,
) -> AppResult<()> {
    let event = match who {
        Some((user, project_id)) => AuditEvent::success("auth.login", "user", Some(user.id))
            .in_project(project_id)
            .with_detail(json!({"account_id": user.account_id})),
        None => AuditEvent::success("auth.login", "user", None),
    }
    .with_outcome(outcome);
    let mut tx = begin(&svc.pool).await?;
    audit_events::insert(&mut tx, &event, who.map(|(u, _)| u.id), &ctx.request_id).await?;
    tx.commit().await?;
    Ok(())
}
