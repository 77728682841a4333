//! A JSON request body whose failures say where: malformed JSON and a wrong
//! content type answer 422 at `body`; a missing or mistyped field at its
//! path (`body.rules.0.ether_type`).

use actix_web::dev::Payload;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{FromRequest, HttpRequest, web};
use common::error::{AppError, FieldError};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::error::Category;

use crate::error::ApiError;

pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            });
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(body_error("content_type", "Content-Type must be application/json"));
            }
            let bytes = body.await.map_err(|e| body_error("body_read", e.to_string()))?;
            parse(&bytes).map(JsonBody).map_err(ApiError)
        })
    }
}

fn body_error(kind: &str, message: impl Into<String>) -> ApiError {
    ApiError(AppError::validation(vec![FieldError::new("body", kind, message)]))
}

pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = result.map_err(|e| {
        let mut field = String::from("body");
        for segment in e.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => field.push_str(&format!(".{index}")),
                Segment::Map { key } | Segment::Enum { variant: key } => field.push_str(&format!(".{key}")),
                Segment::Unknown => {}
            }
        }
        let inner = e.into_inner();
        let message = inner.to_string();
        let kind = match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                field = String::from("body");
                "json_invalid"
            }
            Category::Data if message.starts_with("missing field") => "missing",
            Category::Data => "type_error",
        };
        if kind == "missing"
            && let Some(name) = message.split('`').nth(1)
        {
            field.push('.');
            field.push_str(name);
        }
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        AppError::validation(vec![FieldError::new(field, kind, message)])
    })?;
    de.end()
        .map_err(|e| AppError::validation(vec![FieldError::new("body", "json_invalid", e.to_string())]))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Rule {
        ether_type: String,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Group {
        name: String,
        rules: Vec<Rule>,
    }

    fn field_of(json: &str) -> (String, String) {
        let e = parse::<Group>(json.as_bytes()).unwrap_err();
        (e.field_errors[0].field.clone(), e.field_errors[0].kind.clone())
    }

    #[test]
    fn missing_field_is_named_by_its_path() {
        assert_eq!(field_of(r#"{"rules": []}"#), ("body.name".into(), "missing".into()));
        assert_eq!(
            field_of(r#"{"name": "a", "rules": [{}]}"#),
            ("body.rules.0.ether_type".into(), "missing".into())
        );
    }

    #[test]
    fn mistyped_field_is_named_by_its_path() {
        assert_eq!(
            field_of(r#"{"name": "a", "rules": [{"ether_type": 4}]}"#),
            ("body.rules.0.ether_type".into(), "type_error".into())
        );
    }

    #[test]
    fn malformed_json_is_reported_at_body() {
        assert_eq!(field_of(r#"{"name": "#), ("body".into(), "json_invalid".into()));
    }
}
