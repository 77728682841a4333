//! Wraps every admin route: 401 without a valid token, 403 for members,
//! before the route looks at its path, query or body, so a member learns
//! nothing about what the route would accept. (The use cases check again.)

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use common::application::guard;

use crate::error::ApiError;
use crate::extractors::CurrentUser;

pub async fn check(
    user: CurrentUser,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    guard::admin(&user.ctx()).map_err(ApiError)?;
    next.call(req).await
}
