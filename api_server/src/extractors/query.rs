//! The query string as name/value pairs, with typed reads whose failures
//! answer 422 at `query.<name>`.

use std::future::{Ready, ready};
use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use common::domain::page::{Cursor, PageRequest, SortOrder};
use common::error::AppError;

use super::Fields;
use crate::error::ApiError;

pub struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn string(&self, name: &str) -> Option<String> {
        self.get(name).map(str::to_owned)
    }

    pub fn parsed<T: FromStr>(&self, fields: &mut Fields, name: &str, expected: &str) -> Option<T> {
        let raw = self.get(name)?;
        fields.check(
            &format!("query.{name}"),
            raw.parse::<T>().map_err(|_| format!("must be {expected}")),
        )
    }

    /// Every value of a repeated or comma-separated parameter (`ids=1,2&ids=3`).
    pub fn list<T: FromStr>(&self, fields: &mut Fields, name: &str, expected: &str) -> Option<Vec<T>> {
        let raws: Vec<&str> = self
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .filter(|v| !v.is_empty())
            .collect();
        if raws.is_empty() {
            return None;
        }
        let parsed: Result<Vec<T>, _> = raws.iter().map(|r| r.parse::<T>()).collect();
        fields.check(
            &format!("query.{name}"),
            parsed.map_err(|_| format!("must be {expected}")),
        )
    }

    /// One of `allowed` (the first is the default).
    pub fn choice<T: Copy>(&self, fields: &mut Fields, name: &str, allowed: &[(&str, T)]) -> Option<T> {
        let Some(raw) = self.get(name) else {
            return allowed.first().map(|(_, v)| *v);
        };
        let found = allowed.iter().find(|(n, _)| *n == raw).map(|(_, v)| *v);
        if found.is_none() {
            let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
            fields.add(
                &format!("query.{name}"),
                "enum",
                format!("must be one of {}", names.join(", ")),
            );
        }
        found
    }

    pub fn order(&self, fields: &mut Fields, name: &str, default: SortOrder) -> SortOrder {
        match self.get(name) {
            None => default,
            Some(raw) => SortOrder::parse(raw).unwrap_or_else(|| {
                fields.add(&format!("query.{name}"), "enum", "must be asc or desc");
                default
            }),
        }
    }

    /// `limit` (1..=1000, default 100) and `cursor`.
    pub fn page(&self, fields: &mut Fields) -> PageRequest {
        let limit = fields.check("query.limit", PageRequest::parse_limit(self.get("limit")));
        let after = self.get("cursor").and_then(|raw| {
            fields.check(
                "query.cursor",
                Cursor::decode(raw).ok_or("is not a cursor this service returned"),
            )
        });
        PageRequest {
            limit: limit.unwrap_or(common::domain::page::DEFAULT_LIMIT),
            after,
        }
    }
}

impl FromRequest for QueryParams {
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            web::Query::<Vec<(String, String)>>::from_query(req.query_string())
                .map(|q| QueryParams(q.into_inner()))
                .map_err(|e| ApiError(AppError::invalid_field("query", "query_invalid", e.to_string()))),
        )
    }
}
