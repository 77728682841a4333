//! limit/marker paging, `*_links`, and Neutron-style attribute filters over JSON views.
use serde_json::{Value, json};

use super::error::{ApiError, ApiResult};
use super::request::{Req, percent_encode};

pub struct Page {
    pub items: Vec<Value>,
    pub next_marker: Option<String>,
}

/// Cuts `items` (already filtered and sorted) after `marker`, at most `limit` (capped at `max`).
/// A next marker is given when the page is full, as nova and neutron do.
pub fn paginate_by<T>(
    items: Vec<T>,
    id_of: impl Fn(&T) -> Option<&str>,
    req: &Req,
    max: usize,
    default_limit: Option<usize>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let limit = req.limit()?.or(default_limit);
    let limit = limit.map(|l| l.min(max)).unwrap_or(max);
    let start = match req.q("marker") {
        None => 0,
        Some(m) => {
            let pos = items
                .iter()
                .position(|v| id_of(v) == Some(m))
                .ok_or_else(|| ApiError::bad_request(&format!("marker [{m}] not found")))?;
            pos + 1
        }
    };
    let page: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next_marker = if limit > 0 && page.len() == limit {
        page.last().and_then(&id_of).map(str::to_string)
    } else {
        None
    };
    Ok((page, next_marker))
}

pub fn paginate(items: Vec<Value>, req: &Req, max: usize, default_limit: Option<usize>) -> ApiResult<Page> {
    let (items, next_marker) = paginate_by(items, |v| v.get("id").and_then(Value::as_str), req, max, default_limit)?;
    Ok(Page { items, next_marker })
}

/// `{root}/{collection}?<original params without limit/marker>&limit=N&marker=M`.
pub fn next_href(req: &Req, collection: &str, marker: &str, default_limit: usize) -> String {
    let limit = req
        .q("limit")
        .map(str::to_string)
        .unwrap_or_else(|| default_limit.to_string());
    let mut params: Vec<String> = req
        .query
        .iter()
        .filter(|(k, _)| k != "limit" && k != "marker")
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect();
    params.push(format!("limit={limit}"));
    params.push(format!("marker={marker}"));
    format!("{}/{}?{}", req.root, collection, params.join("&"))
}

pub fn links(req: &Req, collection: &str, page: &Page, default_limit: usize) -> Option<Value> {
    page.next_marker
        .as_ref()
        .map(|m| json!([{"rel": "next", "href": next_href(req, collection, m, default_limit)}]))
}

fn value_matches(v: &Value, wanted: &str) -> bool {
    match v {
        Value::String(s) => s == wanted,
        Value::Bool(b) => wanted.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        Value::Number(n) => n.to_string() == wanted,
        Value::Null => wanted.is_empty() || wanted == "null" || wanted == "None",
        Value::Array(items) => items.iter().any(|i| value_matches(i, wanted)),
        Value::Object(_) => false,
    }
}

/// Keeps items whose attribute equals one of the values given for it (repeat = OR, keys = AND).
/// Unknown attributes are a 400 (`filter-validation`).
pub fn filter_by_attributes(items: Vec<Value>, req: &Req, ignored: &[&str], known: &[&str]) -> ApiResult<Vec<Value>> {
    let mut keys: Vec<&str> = req.query.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let keys: Vec<&str> = keys.into_iter().filter(|k| !ignored.contains(k)).collect();
    if keys.is_empty() {
        return Ok(items);
    }
    for k in &keys {
        let in_items = items.first().is_some_and(|f| f.get(*k).is_some());
        if *k != "fixed_ips" && !in_items && !known.contains(k) {
            return Err(ApiError::bad_request(&format!(
                "[{k}] is invalid attribute for filtering"
            )));
        }
    }
    Ok(items
        .into_iter()
        .filter(|item| {
            keys.iter().all(|k| {
                let wanted = req.q_all(k);
                if *k == "fixed_ips" {
                    return wanted.iter().any(|w| fixed_ip_matches(item, w));
                }
                item.get(*k).is_some_and(|v| wanted.iter().any(|w| value_matches(v, w)))
            })
        })
        .collect())
}

fn fixed_ip_matches(item: &Value, wanted: &str) -> bool {
    let Some((key, val)) = wanted.split_once('=') else {
        return false;
    };
    item.get("fixed_ips")
        .and_then(Value::as_array)
        .is_some_and(|ips| ips.iter().any(|ip| ip.get(key).and_then(Value::as_str) == Some(val)))
}

/// `?fields=id&fields=name` column selection.
pub fn select_fields(items: Vec<Value>, req: &Req) -> Vec<Value> {
    let fields = req.q_all("fields");
    if fields.is_empty() {
        return items;
    }
    items
        .into_iter()
        .map(|item| match item {
            Value::Object(map) => {
                Value::Object(map.into_iter().filter(|(k, _)| fields.contains(&k.as_str())).collect())
            }
            other => other,
        })
        .collect()
}
