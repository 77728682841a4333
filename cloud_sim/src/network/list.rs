//! The common list pipeline: attribute filters, changed_since, limit/marker, fields, `*_links`.
use serde_json::{Map, Value};

use crate::http::error::{ApiError, ApiResult};
use crate::http::paging::{filter_by_attributes, links, paginate, select_fields};
use crate::http::request::Req;
use crate::http::response::Resp;
use crate::time_fmt::parse_lenient;

const NOT_FILTERS: &[&str] = &[
    "limit",
    "marker",
    "fields",
    "sort_key",
    "sort_dir",
    "page_reverse",
    "changed_since",
    "verbose",
];

pub fn respond(items: Vec<Value>, req: &Req, collection: &str, key: &str) -> ApiResult<Resp> {
    let mut items = filter_by_attributes(items, req, NOT_FILTERS)?;
    if let Some(since) = req.q("changed_since") {
        let t = parse_lenient(since).ok_or_else(|| {
            ApiError::bad_request(&format!(
                "Invalid input for changed_since. Reason: '{since}' is not a valid timestamp."
            ))
        })?;
        items.retain(|v| {
            v.get("updated_at")
                .and_then(Value::as_str)
                .and_then(parse_lenient)
                .is_some_and(|u| u >= t.with_nanosecond_zeroed())
        });
    }
    if let Some(sort_key) = req.q("sort_key") {
        let desc = req.q("sort_dir") == Some("desc");
        items.sort_by(|a, b| {
            let ka = a.get(sort_key).map(Value::to_string).unwrap_or_default();
            let kb = b.get(sort_key).map(Value::to_string).unwrap_or_default();
            let o = ka.cmp(&kb);
            if desc { o.reverse() } else { o }
        });
    }
    let page = paginate(items, req, usize::MAX, None)?;
    let mut body = Map::new();
    if req.q("limit").is_some()
        && let Some(l) = links(req, collection, &page, usize::MAX)
    {
        body.insert(format!("{key}_links"), l);
    }
    body.insert(
        key.to_string(),
        Value::Array(select_fields(page.items, req)),
    );
    Ok(Resp::ok(Value::Object(body)))
}

trait ZeroNanos {
    fn with_nanosecond_zeroed(self) -> Self;
}

impl ZeroNanos for crate::time_fmt::Ts {
    fn with_nanosecond_zeroed(self) -> Self {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}
