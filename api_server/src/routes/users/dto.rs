//! Request and response bodies of the account routes.

use chrono::{DateTime, Utc};
use common::application::users::UserDetail;
use common::domain::project::{Domain, Project};
use common::domain::user::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: i64,
    pub openstack_id: Option<String>,
    pub domain_id: i64,
    pub account_id: String,
    pub name: String,
    /// `admin` or `member`.
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&User> for UserResponse {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            openstack_id: u.openstack_id.clone(),
            domain_id: u.domain_id,
            account_id: u.account_id.clone(),
            name: u.name.clone(),
            role: u.role.as_str().to_owned(),
            created_at: u.created_at,
            updated_at: u.updated_at,
            deleted_at: u.deleted_at,
            version: u.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DomainResponse {
    pub id: i64,
    pub openstack_id: Option<String>,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&Domain> for DomainResponse {
    fn from(d: &Domain) -> Self {
        Self {
            id: d.id,
            openstack_id: d.openstack_id.clone(),
            name: d.name.clone(),
            created_at: d.created_at,
            updated_at: d.updated_at,
            deleted_at: d.deleted_at,
            version: d.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectResponse {
    pub id: i64,
    pub openstack_id: Option<String>,
    pub domain_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&Project> for ProjectResponse {
    fn from(p: &Project) -> Self {
        Self {
            id: p.id,
            openstack_id: p.openstack_id.clone(),
            domain_id: p.domain_id,
            name: p.name.clone(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            deleted_at: p.deleted_at,
            version: p.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetailResponse {
    #[serde(flatten)]
    pub user: UserResponse,
    pub domain: Option<DomainResponse>,
    pub projects: Vec<ProjectResponse>,
}

impl From<&UserDetail> for UserDetailResponse {
    fn from(d: &UserDetail) -> Self {
        Self {
            user: UserResponse::from(&d.user),
            domain: d.domain.as_ref().map(DomainResponse::from),
            projects: d.projects.iter().map(ProjectResponse::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserListResponse {
    pub users: Vec<UserDetailResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
pub struct SignUpRequest {
    /// 4..20 characters of `[a-z0-9_.-]`.
    #[schema(min_length = 4, max_length = 20, pattern = r"^[a-z0-9_.-]+$")]
    pub account_id: String,
    /// 1..15 characters.
    #[schema(min_length = 1, max_length = 15)]
    pub name: String,
    /// 8..128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RenameUserRequest {
    #[schema(min_length = 1, max_length = 15)]
    pub name: String,
}

/// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    /// Required when changing your own password.
    pub current_password: Option<String>,
    #[serde(alias = "password")]
    #[schema(min_length = 8, max_length = 128)]
    pub new_password: String,
}
