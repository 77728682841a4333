use actix_web::{HttpResponse, web};
use common::application::Services;
use common::application::users::{self, UserQuery};
use common::domain::page::SortOrder;
use common::infrastructure::db::users::{UserFilter, UserSort};

use super::dto::{UserDetailResponse, UserListResponse};
use crate::error::{ApiResult, ErrorBody};
use crate::extractors::{CurrentUser, Fields, QueryParams};

/// List live users (any logged-in user).
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])),
    params(
        ("user_id" = Option<i64>, Query, description = "Only this user id"),
        ("account_id" = Option<String>, Query, description = "Only this account id"),
        ("name" = Option<String>, Query, description = "Only this name"),
        ("sort_by" = Option<String>, Query, description = "created_at (default), account_id or name"),
        ("sort_order" = Option<String>, Query, description = "asc (default) or desc"),
        ("limit" = Option<u32>, Query, description = "1..1000, default 100", minimum = 1, maximum = 1000),
        ("cursor" = Option<String>, Query, description = "next_cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "One page of users", body = UserListResponse),
        (status = 401, description = "Missing or invalid token (INVALID_ACCESS_TOKEN)", body = ErrorBody),
        (status = 422, description = "Invalid query", body = ErrorBody),
    ))]
pub async fn handle(services: web::Data<Services>, user: CurrentUser, q: QueryParams) -> ApiResult<HttpResponse> {
    let query = parse(&q)?;
    let page = users::list(&services, &user.ctx(), query).await?;
    Ok(HttpResponse::Ok().json(UserListResponse {
        users: page.items.iter().map(UserDetailResponse::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

fn parse(q: &QueryParams) -> ApiResult<UserQuery> {
    let mut fields = Fields::new();
    let filter = UserFilter {
        id: q.parsed(&mut fields, "user_id", "an integer id"),
        account_id: q.string("account_id"),
        name: q.string("name"),
    };
    let sort = q.choice(
        &mut fields,
        "sort_by",
        &[
            ("created_at", UserSort::CreatedAt),
            ("account_id", UserSort::AccountId),
            ("name", UserSort::Name),
        ],
    );
    let order = q.order(&mut fields, "sort_order", SortOrder::Asc);
    let page = q.page(&mut fields);
    fields.finish()?;
    Ok(UserQuery {
        filter,
        sort: sort.unwrap_or(UserSort::CreatedAt),
        order,
        page,
    })
}
