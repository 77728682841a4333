//! `X-Request-Id`: taken from the request when it is at most 64 characters
//! of `[A-Za-z0-9._-]`, generated otherwise; echoed on every response and
//! available to the error body and logs through [`current`].

use actix_web::Error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served ("" outside a request).
pub fn current() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_default()
}

pub fn accept_or_generate(given: Option<&str>) -> String {
    match given {
        Some(id)
            if (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) =>
        {
            id.to_owned()
        }
        _ => uuid::Uuid::new_v4().to_string(),
    }
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let id = accept_or_generate(req.headers().get(HEADER).and_then(|v| v.to_str().ok()));
    let header = HeaderValue::from_str(&id).ok();
    let result = REQUEST_ID.scope(id.clone(), next.call(req)).await;
    match result {
        Ok(mut res) => {
            if let Some(value) = header {
                res.headers_mut().insert(HeaderName::from_static(HEADER), value);
            }
            Ok(res.map_into_boxed_body())
        }
        // An error that escaped the handlers is rendered now, while the id is known.
        Err(e) => {
            let mut response = REQUEST_ID
                .scope(id, async { e.as_response_error().error_response() })
                .await;
            if let Some(value) = header {
                response.headers_mut().insert(HeaderName::from_static(HEADER), value);
            }
            Err(InternalError::from_response(e.to_string(), response).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_well_formed_id_is_kept() {
        assert_eq!(accept_or_generate(Some("abc.DEF_1-2")), "abc.DEF_1-2");
    }

    #[test]
    fn a_bad_or_overlong_id_is_replaced() {
        assert_ne!(accept_or_generate(Some("has space")), "has space");
        let long = "a".repeat(65);
        assert_ne!(accept_or_generate(Some(&long)), long);
        assert_eq!(accept_or_generate(None).len(), 36);
    }
}
