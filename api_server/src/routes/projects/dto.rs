//! Request and response bodies of the project routes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use common::application::projects::ProjectDetail;
use common::application::quotas::QuotaReport;
use common::domain::quota::QuotaKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::routes::users::dto::{DomainResponse, UserResponse};

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectDetailResponse {
    pub id: i64,
    pub openstack_id: Option<String>,
    pub name: String,
    pub domain: Option<DomainResponse>,
    pub accounts: Vec<UserResponse>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&ProjectDetail> for ProjectDetailResponse {
    fn from(d: &ProjectDetail) -> Self {
        let p = &d.project;
        Self {
            id: p.id,
            openstack_id: p.openstack_id.clone(),
            name: p.name.clone(),
            domain: d.domain.as_ref().map(DomainResponse::from),
            accounts: d.accounts.iter().map(UserResponse::from).collect(),
            created_at: p.created_at,
            updated_at: p.updated_at,
            deleted_at: p.deleted_at,
            version: p.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectListResponse {
    pub projects: Vec<ProjectDetailResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
pub struct CreateProjectRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// `openstack` (default) or `nhn`.
    pub provider: Option<String>,
    /// NHN only: the tenant's credentials (stored encrypted).
    pub cloud: Option<CloudCredentialsRequest>,
}

/// No `Debug`: it holds a password.
#[derive(Deserialize, ToSchema)]
pub struct CloudCredentialsRequest {
    pub tenant_id: String,
    pub username: String,
    /// The API password of the NHN user; never returned or logged.
    pub password: String,
    pub identity_url: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RenameProjectRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaEntry {
    pub limit: i64,
    pub in_use: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuotaResponse {
    pub project_id: i64,
    /// Per kind: servers, vcpus, ram_mb, volumes, volume_gb, floating_ips, security_groups.
    pub quotas: BTreeMap<String, QuotaEntry>,
}

impl From<&QuotaReport> for QuotaResponse {
    fn from(r: &QuotaReport) -> Self {
        Self {
            project_id: r.project_id,
            quotas: QuotaKind::ALL
                .iter()
                .map(|k| {
                    let entry = QuotaEntry {
                        limit: r.limits.get(*k),
                        in_use: r.usage.get(*k),
                    };
                    (k.as_str().to_owned(), entry)
                })
                .collect(),
        }
    }
}

/// New limits by kind; kinds left out keep theirs.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"servers": 20, "vcpus": 40}))]
pub struct QuotaUpdateRequest(pub BTreeMap<String, serde_json::Value>);
