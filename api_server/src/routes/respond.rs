//! Success responses: JSON with `ETag: "<version>"` for single resources.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{ETAG, EntityTag};
use serde::Serialize;

pub fn with_etag(status: StatusCode, body: &impl Serialize, version: i64) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((ETAG, EntityTag::new_strong(version.to_string()).to_string()))
        .json(body)
}

pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}
