//! Accounts: sign-up, reads, rename, password change, deletion, and the
//! bootstrap admin.

use std::collections::HashMap;

use serde_json::json;

use super::auth::revocation::revoke_user_tokens;
use super::{Services, audit, guard};
use crate::domain::audit::AuditEvent;
use crate::domain::auth::{Password, RequestContext};
use crate::domain::page::{Cursor, Page, PageRequest, SortOrder};
use crate::domain::project::{Domain, Project};
use crate::domain::user::{AccountId, Role, User, UserName};
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::users::{NewUser, UserFilter, UserSort};
use crate::infrastructure::db::{begin, memberships, projects, users};

/// A user with its domain and the projects it belongs to.
#[derive(Debug, Clone)]
pub struct UserDetail {
    pub user: User,
    pub domain: Option<Domain>,
    pub projects: Vec<Project>,
}

pub struct SignUp {
    pub account_id: AccountId,
    pub name: UserName,
    pub password: Password,
}

fn not_found(id: i64) -> AppError {
    AppError::not_found("USER_NOT_FOUND", format!("user {id} does not exist"))
}

pub async fn sign_up(svc: &Services, ctx: &RequestContext, input: SignUp) -> AppResult<User> {
    if !svc.signup_enabled {
        return Err(AppError::forbidden(
            "SIGNUP_DISABLED",
            "sign-up is disabled on this service",
        ));
    }
    create(svc, ctx, input, Role::Member).await
}

async fn create(svc: &Services, ctx: &RequestContext, input: SignUp, role: Role) -> AppResult<User> {
    let hash = svc.passwords.hash(&input.password).await?;
    let mut tx = begin(&svc.pool).await?;
    let domain_id = projects::default_domain_id(&mut *tx).await?;
    let id = users::insert(
        &mut tx,
        NewUser {
            domain_id,
            account_id: &input.account_id,
            name: &input.name,
            password_hash: &hash,
            role,
        },
    )
    .await?;
    let detail = json!({"account_id": input.account_id.as_str(), "role": role.as_str()});
    audit::record(
        &mut tx,
        ctx,
        AuditEvent::success("user.create", "user", Some(id)).with_detail(detail),
    )
    .await?;
    let user = users::find(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
    tx.commit().await?;
    Ok(user)
}

/// Creates the first admin when no live admin exists. Returns whether it did.
pub async fn ensure_bootstrap_admin(svc: &Services, account_id: AccountId, password: Password) -> AppResult<bool> {
    if users::any_live_admin(&svc.pool).await? {
        return Ok(false);
    }
    let short: String = account_id.as_str().chars().take(15).collect();
    let name = UserName::parse(&short).map_err(|e| AppError::internal(std::io::Error::other(e)))?;
    let input = SignUp {
        account_id,
        name,
        password,
    };
    create(svc, &RequestContext::anonymous("bootstrap"), input, Role::Admin).await?;
    Ok(true)
}

pub struct UserQuery {
    pub filter: UserFilter,
    pub sort: UserSort,
    pub order: SortOrder,
    pub page: PageRequest,
}

pub async fn list(svc: &Services, ctx: &RequestContext, q: UserQuery) -> AppResult<Page<UserDetail>> {
    guard::actor(ctx)?;
    let sort_name = format!("{}:{}", q.sort.column(), q.order.sql());
    let after = q
        .page
        .for_sort(&sort_name)
        .map_err(|e| AppError::invalid_field("query.cursor", "value_error", e))?;
    let rows = users::list(&svc.pool, &q.filter, q.sort, q.order, after, q.page.limit).await?;
    let page = Page::from_overfetch(rows, q.page.limit, |u| Cursor {
        sort: sort_name.clone(),
        key: q.sort.cursor_key(u),
        id: u.id,
    });
    let details = with_details(svc, page.items).await?;
    Ok(Page {
        items: details,
        next_cursor: page.next_cursor,
    })
}

pub async fn get(svc: &Services, ctx: &RequestContext, id: i64) -> AppResult<UserDetail> {
    guard::actor(ctx)?;
    let user = users::find(&svc.pool, id).await?.ok_or_else(|| not_found(id))?;
    let mut details = with_details(svc, vec![user]).await?;
    details.pop().ok_or_else(|| not_found(id))
}

async fn with_details(svc: &Services, users: Vec<User>) -> AppResult<Vec<UserDetail>> {
    let user_ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let mut domain_ids: Vec<i64> = users.iter().map(|u| u.domain_id).collect();
    domain_ids.sort_unstable();
    domain_ids.dedup();
    let pairs = memberships::of_users(&svc.pool, &user_ids).await?;
    let project_ids: Vec<i64> = pairs.iter().map(|(_, p)| *p).collect();
    let projects: HashMap<i64, Project> = projects::find_many(&svc.pool, &project_ids)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let domains: HashMap<i64, Domain> = projects::domains(&svc.pool, &domain_ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    Ok(users
        .into_iter()
        .map(|user| UserDetail {
            domain: domains.get(&user.domain_id).cloned(),
            projects: pairs
                .iter()
                .filter(|(u, _)| *u == user.id)
                .filter_map(|(_, p)| projects.get(p).cloned())
                .collect(),
            user,
        })
        .collect())
}

fn self_or_admin(ctx: &RequestContext, id: i64, code: &'static str) -> AppResult<()> {
    let actor = guard::actor(ctx)?;
    if actor.user_id == id || actor.is_admin() {
        Ok(())
    } else {
        Err(AppError::forbidden(code, "only the user or an admin may do this"))
    }
}

pub async fn rename(
    svc: &Services,
    ctx: &RequestContext,
    id: i64,
    name: UserName,
    if_match: Option<i64>,
) -> AppResult<User> {
    self_or_admin(ctx, id, "USER_UPDATE_PERMISSION_DENIED")?;
    let mut tx = begin(&svc.pool).await?;
    let current = users::find(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, current.version)?;
    users::rename(&mut tx, id, current.version, &name).await?;
    audit::record(&mut tx, ctx, AuditEvent::success("user.rename", "user", Some(id))).await?;
    let user = users::find(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
    tx.commit().await?;
    Ok(user)
}

pub struct PasswordChange {
    pub current: Option<String>,
    pub new: Password,
}

/// The user must give the current password; an admin changing another
/// user's password need not. Every token of the user dies.
pub async fn change_password(svc: &Services, ctx: &RequestContext, id: i64, change: PasswordChange) -> AppResult<()> {
    self_or_admin(ctx, id, "USER_UPDATE_PERMISSION_DENIED")?;
    let is_self = guard::actor(ctx)?.user_id == id;
    let stored = users::password_hash(&svc.pool, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if is_self {
        let current = change.current.as_deref().ok_or_else(|| {
            AppError::invalid_field(
                "body.current_password",
                "missing",
                "is required to change your own password",
            )
        })?;
        if !svc.passwords.verify(current, Some(stored)).await? {
            return Err(AppError::forbidden(
                "CURRENT_PASSWORD_MISMATCH",
                "the current password is wrong",
            ));
        }
    }
    let hash = svc.passwords.hash(&change.new).await?;
    let mut tx = begin(&svc.pool).await?;
    users::set_password_hash(&mut tx, id, &hash).await?;
    revoke_user_tokens(svc, &mut tx, id, None, "password_change").await?;
    audit::record(
        &mut tx,
        ctx,
        AuditEvent::success("user.password_change", "user", Some(id)),
    )
    .await?;
    tx.commit().await?;
    svc.revocations.forget_all();
    Ok(())
}

/// Soft delete; memberships go, tokens die, the last admin stays.
pub async fn delete(svc: &Services, ctx: &RequestContext, id: i64, if_match: Option<i64>) -> AppResult<()> {
    self_or_admin(ctx, id, "USER_DELETE_PERMISSION_DENIED")?;
    let mut tx = begin(&svc.pool).await?;
    let current = users::lock(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, current.version)?;
    if current.role == Role::Admin {
        let admins = users::lock_live_admin_ids(&mut tx).await?;
        if admins.iter().all(|a| *a == id) {
            return Err(AppError::conflict(
                "LAST_ADMIN_DELETION_NOT_ALLOWED",
                "the last admin cannot be deleted",
            ));
        }
    }
    users::delete(&mut tx, id, current.version).await?;
    let left = memberships::remove_all_of_user(&mut tx, id).await?;
    revoke_user_tokens(svc, &mut tx, id, None, "user_deleted").await?;
    let detail = json!({"left_projects": left});
    audit::record(
        &mut tx,
        ctx,
        AuditEvent::success("user.delete", "user", Some(id)).with_detail(detail),
    )
    .await?;
    tx.commit().await?;
    svc.revocations.forget_all();
    Ok(())
}
