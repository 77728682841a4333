use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::projects::{self, CloudSetup, NewProject, NhnTenant};
use common::domain::project::{ProjectName, Provider};

use super::dto::CreateProjectRequest;
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, JsonBody};
use crate::routes::respond;
use crate::routes::users::dto::ProjectResponse;

/// Create a project and its cloud side (admin).
#[utoipa::path(post, path = "/projects", tag = "projects", security(("bearer" = [])),
    request_body = CreateProjectRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat-safe key")),
    responses(
        (status = 201, description = "Created", body = ProjectResponse),
        (status = 403, description = "Not an admin (ADMIN_ROLE_REQUIRED)", body = ErrorBody),
        (status = 409, description = "Name taken (PROJECT_NAME_DUPLICATED)", body = ErrorBody),
        (status = 422, description = "Invalid body", body = ErrorBody),
        (status = 502, description = "The cloud failed (CLOUD_ERROR)", body = ErrorBody),
        (status = 503, description = "The cloud is unreachable (CLOUD_UNAVAILABLE)", body = ErrorBody),
    ))]
pub async fn handle(
    services: web::Data<Services>,
    user: CurrentUser,
    body: JsonBody<CreateProjectRequest>,
) -> ApiResult<HttpResponse> {
    let input = parse(body.0)?;
    let project = projects::create(&services, &user.ctx(), input).await?;
    Ok(respond::with_etag(
        StatusCode::CREATED,
        &ProjectResponse::from(&project),
        project.version,
    ))
}

fn parse(body: CreateProjectRequest) -> ApiResult<NewProject> {
    let mut fields = Fields::new();
    let name = fields.check("body.name", ProjectName::parse(&body.name));
    let provider = match body.provider.as_deref() {
        None => Some(Provider::OpenStack),
        Some(p) => fields.check("body.provider", Provider::parse(p).ok_or("must be openstack or nhn")),
    };
    let cloud = match (provider, body.cloud) {
        (Some(Provider::Nhn), Some(c)) => Some(CloudSetup::Nhn(NhnTenant {
            tenant_id: c.tenant_id,
            username: c.username,
            password: c.password,
            identity_url: c.identity_url,
            region: c.region,
        })),
        (Some(Provider::Nhn), None) => {
            fields.add("body.cloud", "missing", "NHN projects need the tenant credentials");
            None
        }
        (Some(Provider::OpenStack), _) => Some(CloudSetup::OpenStack),
        (None, _) => None,
    };
    fields.finish()?;
    let (Some(name), Some(cloud)) = (name, cloud) else {
        return Err(Fields::unreachable().into());
    };
    Ok(NewProject { name, cloud })
}
