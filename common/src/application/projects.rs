//! Projects: scoped reads, admin create/delete, rename, membership.

use std::collections::HashMap;

use serde_json::json;

use super::auth::revocation::revoke_user_tokens;
use super::provisioning::ProvisionRequest;
use super::{Services, audit, guard};
use crate::domain::audit::{AuditEvent, Outcome};
use crate::domain::auth::{Actor, RequestContext};
use crate::domain::page::{Cursor, Page, PageRequest, SortOrder};
use crate::domain::project::{Domain, Project, ProjectName, Provider};
use crate::domain::user::User;
use crate::error::{AppError, AppResult};
use crate::infrastructure::db::cloud_credentials::{self, NewCredential};
use crate::infrastructure::db::projects::{ProjectFilter, ProjectSort};
use crate::infrastructure::db::{begin, memberships, projects, users};

#[derive(Debug, Clone)]
pub struct ProjectDetail {
    pub project: Project,
    pub domain: Option<Domain>,
    pub accounts: Vec<User>,
}

pub fn not_found(id: i64) -> AppError {
    AppError::not_found("PROJECT_NOT_FOUND", format!("project {id} does not exist"))
}

/// The project if the actor may see it: an admin sees every live project,
/// a member the ones it belongs to. Others get the same 404 as a missing id.
pub async fn visible(svc: &Services, actor: &Actor, id: i64) -> AppResult<Project> {
    let project = projects::find(&svc.pool, id).await?.ok_or_else(|| not_found(id))?;
    if actor.is_admin() || memberships::is_member(&svc.pool, id, actor.user_id).await? {
        Ok(project)
    } else {
        Err(not_found(id))
    }
}

pub struct ProjectQuery {
    pub filter: ProjectFilter,
    pub sort: ProjectSort,
    pub order: SortOrder,
    pub page: PageRequest,
}

pub async fn list(svc: &Services, ctx: &RequestContext, mut q: ProjectQuery) -> AppResult<Page<ProjectDetail>> {
    let actor = guard::actor(ctx)?;
    if !actor.is_admin() {
        q.filter.member = Some(actor.user_id);
    }
    let sort_name = format!("{}:{}", q.sort.column(), q.order.sql());
    let after = q
        .page
        .for_sort(&sort_name)
        .map_err(|e| AppError::invalid_field("query.cursor", "value_error", e))?;
    let rows = projects::list(&svc.pool, &q.filter, q.sort, q.order, after, q.page.limit).await?;
    let page = Page::from_overfetch(rows, q.page.limit, |p| Cursor {
        sort: sort_name.clone(),
        key: q.sort.cursor_key(p),
        id: p.id,
    });
    Ok(Page {
        items: with_details(svc, page.items).await?,
        next_cursor: page.next_cursor,
    })
}

pub async fn get(svc: &Services, ctx: &RequestContext, id: i64) -> AppResult<ProjectDetail> {
    let project = visible(svc, guard::actor(ctx)?, id).await?;
    let mut details = with_details(svc, vec![project]).await?;
    details.pop().ok_or_else(|| not_found(id))
}

async fn with_details(svc: &Services, projects: Vec<Project>) -> AppResult<Vec<ProjectDetail>> {
    let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
    let mut domain_ids: Vec<i64> = projects.iter().map(|p| p.domain_id).collect();
    domain_ids.sort_unstable();
    domain_ids.dedup();
    let pairs = memberships::of_projects(&svc.pool, &ids).await?;
    let user_ids: Vec<i64> = pairs.iter().map(|(u, _)| *u).collect();
    let members: HashMap<i64, User> = users::find_many(&svc.pool, &user_ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let domains: HashMap<i64, Domain> = projects::domains(&svc.pool, &domain_ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    Ok(projects
        .into_iter()
        .map(|project| ProjectDetail {
            domain: domains.get(&project.domain_id).cloned(),
            accounts: pairs
                .iter()
                .filter(|(_, p)| *p == project.id)
                .filter_map(|(u, _)| members.get(u).cloned())
                .collect(),
            project,
        })
        .collect())
}

/// NHN tenant credentials given at creation; the password is encrypted
/// before it is stored and never logged or audited.
pub struct NhnTenant {
    pub tenant_id: String,
    pub username: String,
    pub password: String,
    pub identity_url: Option<String>,
    pub region: Option<String>,
}

pub enum CloudSetup {
    OpenStack,
    Nhn(NhnTenant),
}

pub struct NewProject {
    pub name: ProjectName,
    pub cloud: CloudSetup,
}

/// Writes the project (status `CREATING`) and its audit event first, then
/// creates the cloud side: OpenStack through the provisioner; NHN by
/// storing the tenant credentials, encrypted.
pub async fn create(svc: &Services, ctx: &RequestContext, input: NewProject) -> AppResult<Project> {
    guard::admin(ctx)?;
    let provider = match input.cloud {
        CloudSetup::OpenStack => Provider::OpenStack,
        CloudSetup::Nhn(_) => Provider::Nhn,
    };
    let mut tx = begin(&svc.pool).await?;
    let domain_id = projects::default_domain_id(&mut *tx).await?;
    let id = projects::insert(&mut tx, domain_id, &input.name, provider).await?;
    let event = AuditEvent::success("project.create", "project", Some(id))
        .in_project(Some(id))
        .with_detail(json!({"name": input.name.as_str(), "provider": provider.as_str()}));
    match &input.cloud {
        CloudSetup::Nhn(tenant) => {
            store_nhn_credentials(svc, &mut tx, id, tenant).await?;
            projects::set_provisioned(&mut *tx, id, Some(&tenant.tenant_id), "ACTIVE", None).await?;
            audit::record(&mut tx, ctx, event).await?;
            tx.commit().await?;
        }
        CloudSetup::OpenStack => {
            audit::record(&mut tx, ctx, event.with_outcome(Outcome::Accepted)).await?;
            tx.commit().await?;
            provision_openstack(svc, id, &input.name).await?;
        }
    }
    projects::find(&svc.pool, id).await?.ok_or_else(|| not_found(id))
}

async fn store_nhn_credentials(
    svc: &Services,
    tx: &mut sqlx::MySqlConnection,
    project_id: i64,
    tenant: &NhnTenant,
) -> AppResult<()> {
    let cipher = svc.credential_cipher.as_ref().ok_or_else(|| {
        AppError::bad_request(
            "CLOUD_CREDENTIAL_KEY_MISSING",
            "NHN projects need CLOUD_CREDENTIAL_KEY to be configured on the server",
        )
    })?;
    let sealed = cipher.encrypt(&tenant.password)?;
    cloud_credentials::insert(
        tx,
        &NewCredential {
            project_id,
            provider: Provider::Nhn.as_str(),
            identity_url: tenant.identity_url.as_deref(),
            region: tenant.region.as_deref(),
            tenant_id: &tenant.tenant_id,
            username: &tenant.username,
            secret_ciphertext: &sealed.ciphertext,
            secret_nonce: &sealed.nonce,
            key_id: &sealed.key_id,
        },
    )
    .await?;
    Ok(())
}

async fn provision_openstack(svc: &Services, id: i64, name: &ProjectName) -> AppResult<()> {
    let request = ProvisionRequest {
        project_id: id,
        name: name.as_str().to_owned(),
    };
    match svc.provisioner.create_project(&request).await {
        Ok(cloud) => projects::set_provisioned(&svc.pool, id, Some(&cloud.openstack_id), "ACTIVE", None).await,
        Err(e) => {
            tracing::warn!(project_id = id, error = ?e, "cloud project creation failed");
            projects::set_provisioned(&svc.pool, id, None, "ERROR", Some(&e.message)).await?;
            Err(e)
        }
    }
}

pub async fn rename(
    svc: &Services,
    ctx: &RequestContext,
    id: i64,
    name: ProjectName,
    if_match: Option<i64>,
) -> AppResult<Project> {
    let current = visible(svc, guard::actor(ctx)?, id).await?;
    guard::if_match(if_match, current.version)?;
    let mut tx = begin(&svc.pool).await?;
    projects::rename(&mut tx, id, current.version, &name).await?;
    let event = AuditEvent::success("project.rename", "project", Some(id))
        .in_project(Some(id))
        .with_detail(json!({"name": name.as_str()}));
    audit::record(&mut tx, ctx, event).await?;
    let project = projects::find(&mut *tx, id).await?.ok_or_else(|| not_found(id))?;
    tx.commit().await?;
    Ok(project)
}

/// Refused while live resources remain. Memberships go and the members'
/// tokens for the project die; the cloud project is removed afterwards.
pub async fn delete(svc: &Services, ctx: &RequestContext, id: i64, if_match: Option<i64>) -> AppResult<()> {
    guard::admin(ctx)?;
    let mut tx = begin(&svc.pool).await?;
    let current = projects::lock(&mut tx, id).await?.ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, current.version)?;
    let live = projects::count_live_resources(&mut tx, id).await?;
    if live > 0 {
        return Err(AppError::conflict(
            "PROJECT_NOT_EMPTY",
            format!("the project still has {live} live servers, volumes, security groups or floating IPs"),
        ));
    }
    projects::delete(&mut tx, id, current.version).await?;
    let members = memberships::remove_all_of_project(&mut tx, id).await?;
    for user_id in &members {
        revoke_user_tokens(svc, &mut tx, *user_id, Some(id), "project_deleted").await?;
    }
    cloud_credentials::delete_of_project(&mut tx, id).await?;
    let event = AuditEvent::success("project.delete", "project", Some(id)).in_project(Some(id));
    audit::record(&mut tx, ctx, event).await?;
    tx.commit().await?;
    svc.revocations.forget_all();
    if let (Provider::OpenStack, Some(cloud_id)) = (current.provider, current.openstack_id.as_deref())
        && let Err(e) = svc.provisioner.delete_project(cloud_id).await
    {
        tracing::warn!(project_id = id, error = ?e, "cloud project deletion failed; left for the reconciler");
    }
    Ok(())
}

pub async fn add_member(svc: &Services, ctx: &RequestContext, project_id: i64, user_id: i64) -> AppResult<()> {
    visible(svc, guard::actor(ctx)?, project_id).await?;
    let mut tx = begin(&svc.pool).await?;
    users::lock(&mut tx, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("USER_NOT_FOUND", format!("user {user_id} does not exist")))?;
    memberships::add(&mut tx, project_id, user_id).await?;
    let event = AuditEvent::success("project.member_add", "user", Some(user_id)).in_project(Some(project_id));
    audit::record(&mut tx, ctx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The removed user's tokens for this project die.
pub async fn remove_member(svc: &Services, ctx: &RequestContext, project_id: i64, user_id: i64) -> AppResult<()> {
    visible(svc, guard::actor(ctx)?, project_id).await?;
    let mut tx = begin(&svc.pool).await?;
    if !memberships::remove(&mut tx, project_id, user_id).await? {
        return Err(AppError::conflict(
            "USER_ROLE_NOT_IN_PROJECT",
            format!("user {user_id} is not a member of project {project_id}"),
        ));
    }
    revoke_user_tokens(svc, &mut tx, user_id, Some(project_id), "membership_removed").await?;
    let event = AuditEvent::success("project.member_remove", "user", Some(user_id)).in_project(Some(project_id));
    audit::record(&mut tx, ctx, event).await?;
    tx.commit().await?;
    svc.revocations.forget_all();
    Ok(())
}
