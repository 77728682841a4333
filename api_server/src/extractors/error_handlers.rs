//! actix's own extractors answer in our 422 shape too.

use actix_web::{HttpRequest, error, web};
use common::error::{AppError, FieldError};

use crate::error::ApiError;

/// Every path parameter is an integer id: the first one that is not names the field.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req: &HttpRequest| {
        let errors: Vec<FieldError> = req
            .match_info()
            .iter()
            .filter(|(_, v)| v.parse::<i64>().is_err())
            .map(|(name, _)| FieldError::new(format!("path.{name}"), "int_parsing", "must be an integer id"))
            .collect();
        let errors = if errors.is_empty() {
            vec![FieldError::new("path", "value_error", err.to_string())]
        } else {
            errors
        };
        error::Error::from(ApiError(AppError::validation(errors)))
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        error::Error::from(ApiError(AppError::invalid_field(
            "query",
            "query_invalid",
            err.to_string(),
        )))
    })
}

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().error_handler(|err, _| {
        error::Error::from(ApiError(AppError::invalid_field(
            "body",
            "json_invalid",
            err.to_string(),
        )))
    })
}
