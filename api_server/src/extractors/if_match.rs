//! `If-Match: "<version>"` on PUT and DELETE. Absent or `*`: no condition.

use actix_web::dev::Payload;
use actix_web::http::header::IF_MATCH;
use actix_web::{FromRequest, HttpRequest};
use common::error::AppError;
use std::future::{Ready, ready};

use crate::error::ApiError;

pub struct IfMatch(pub Option<i64>);

pub fn parse(raw: &str) -> Option<Option<i64>> {
    let raw = raw.trim();
    if raw == "*" {
        return Some(None);
    }
    let tag = raw.strip_prefix("W/").unwrap_or(raw);
    let tag = tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(tag);
    tag.parse().ok().map(Some)
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(IF_MATCH) else {
            return ready(Ok(IfMatch(None)));
        };
        let parsed = value.to_str().ok().and_then(parse);
        ready(parsed.map(IfMatch).ok_or_else(|| {
            ApiError(AppError::invalid_field(
                "header.If-Match",
                "value_error",
                "must be an ETag this service sent, e.g. \"3\"",
            ))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn quoted_weak_and_bare_versions_parse() {
        assert_eq!(parse("\"3\""), Some(Some(3)));
        assert_eq!(parse("W/\"4\""), Some(Some(4)));
        assert_eq!(parse("5"), Some(Some(5)));
        assert_eq!(parse("*"), Some(None));
        assert_eq!(parse("\"abc\""), None);
    }
}
