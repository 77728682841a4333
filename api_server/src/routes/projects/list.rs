use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::projects::{self, ProjectQuery};
use common::domain::page::SortOrder;
use common::infrastructure::db::projects::{ProjectFilter, ProjectSort};

use super::dto::{ProjectDetailResponse, ProjectListResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, QueryParams};

/// Projects: an admin sees all, a member its own.
#[utoipa::path(get, path = "/projects", tag = "projects", security(("bearer" = [])),
    params(
        ("ids" = Option<String>, Query, description = "Comma-separated or repeated project ids"),
        ("name" = Option<String>, Query, description = "Exact name"),
        ("name_like" = Option<String>, Query, description = "Name contains"),
        ("sort_by" = Option<String>, Query, description = "name or created_at (default)"),
        ("order" = Option<String>, Query, description = "asc (default) or desc"),
        ("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "One page of projects", body = ProjectListResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 422, description = "Invalid query", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let query = parse(&q)?;
    let page = projects::list(&services, &user.ctx(), query).await?;
    Ok(HttpResponse::Ok().json(ProjectListResponse {
        projects: page.items.iter().map(ProjectDetailResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

fn parse(q: &QueryParams) -> ApiResult<ProjectQuery> {
    let mut fields = Fields::new();
    let filter = ProjectFilter {
        ids: q.list(&mut fields, "ids", "integer ids"),
        name: q.string("name"),
        name_like: q.string("name_like"),
        member: None,
    };
    let sort = q.choice(
        &mut fields,
        "sort_by",
        &[("created_at", ProjectSort::CreatedAt), ("name", ProjectSort::Name)],
    );
    let order = q.order(&mut fields, "order", SortOrder::Asc);
    let page = q.page(&mut fields);
    fields.finish()?;
    Ok(ProjectQuery {
        filter,
        sort: sort.unwrap_or(ProjectSort::CreatedAt),
        order,
        page,
    })
}
