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

/// Attributes every Neutron resource can be filtered on, plus the per-collection ones.
fn known_attributes(key: &str) -> &'static [&'static str] {
    match key {
        "networks" => &[
            "id",
            "name",
            "status",
            "shared",
            "router:external",
            "admin_state_up",
            "mtu",
            "project_id",
            "tenant_id",
            "description",
        ],
        "subnets" => &[
            "id",
            "name",
            "network_id",
            "cidr",
            "gateway_ip",
            "ip_version",
            "enable_dhcp",
            "project_id",
            "tenant_id",
        ],
        "ports" => &[
            "id",
            "name",
            "network_id",
            "status",
            "device_id",
            "device_owner",
            "mac_address",
            "admin_state_up",
            "project_id",
            "tenant_id",
            "security_groups",
            "description",
        ],
        "security_groups" => &[
            "id",
            "name",
            "description",
            "project_id",
            "tenant_id",
            "stateful",
            "shared",
        ],
        "security_group_rules" => &[
            "id",
            "security_group_id",
            "direction",
            "ethertype",
            "protocol",
            "port_range_min",
            "port_range_max",
            "remote_ip_prefix",
            "remote_group_id",
            "project_id",
            "tenant_id",
        ],
        "floatingips" => &[
            "id",
            "floating_ip_address",
            "floating_network_id",
            "port_id",
            "fixed_ip_address",
            "router_id",
            "status",
            "project_id",
            "tenant_id",
            "description",
        ],
        _ => &["id", "name", "project_id", "tenant_id", "status"],
    }
}

pub fn respond(items: Vec<Value>, req: &Req, collection: &str, key: &str) -> ApiResult<Resp> {
    let mut items = filter_by_attributes(items, req, NOT_FILTERS, known_attributes(key))?;
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
    body.insert(key.to_string(), Value::Array(select_fields(page.items, req)));
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
