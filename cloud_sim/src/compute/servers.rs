//! Server list (filters, all_tenants, changes-since, paging), show, update, delete.
use serde_json::{Value, json};

use super::microversion::Microversion;
use super::view::{self, KNOWN_STATUSES};
use super::{server_not_found, visible_server};
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::paging::{Page, links, paginate_by};
use crate::http::request::{Req, str_field};
use crate::http::response::Resp;
use crate::state::cloud::Cloud;
use crate::state::model::Server;
use crate::state::transitions::Event;
use crate::time_fmt::parse_lenient;

fn truthy(v: &str) -> bool {
    !matches!(v.to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off")
}

/// Nova's `name` filter is a regular expression; this supports literals, `.`, `*`, `^` and `$`.
pub fn name_matches(pattern: &str, text: &str) -> bool {
    fn here(p: &[char], t: &[char]) -> bool {
        match p {
            [] => true,
            ['$'] => t.is_empty(),
            [c, '*', rest @ ..] => {
                let mut i = 0;
                loop {
                    if here(rest, &t[i..]) {
                        return true;
                    }
                    if i < t.len() && (*c == '.' || t[i] == *c) {
                        i += 1;
                    } else {
                        return false;
                    }
                }
            }
            [c, rest @ ..] => !t.is_empty() && (*c == '.' || t[0] == *c) && here(rest, &t[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    if let Some(('^', rest)) = p.split_first() {
        return here(rest, &t);
    }
    (0..=t.len()).any(|i| here(&p, &t[i..]))
}

pub fn list(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: Microversion, detail: bool) -> ApiResult<Resp> {
    let all_tenants = req.q("all_tenants").is_some_and(truthy);
    if all_tenants && !ctx.is_admin {
        let rule = if detail {
            "detail:get_all_tenants"
        } else {
            "index:get_all_tenants"
        };
        return Err(ApiError::forbidden(&format!(
            "Policy doesn't allow os_compute_api:servers:{rule} to be performed."
        )));
    }
    let since = match req.q("changes-since") {
        Some(v) => Some(parse_lenient(v).ok_or_else(|| ApiError::bad_request("Invalid filter field: changes-since."))?),
        None => None,
    };
    let before = match req.q("changes-before").filter(|_| mv.at_least(66)) {
        Some(v) => {
            Some(parse_lenient(v).ok_or_else(|| ApiError::bad_request("Invalid filter field: changes-before."))?)
        }
        None => None,
    };
    if let (Some(a), Some(b)) = (since, before)
        && a > b
    {
        return Err(ApiError::bad_request(
            "The value of changes-since must be less than or equal to changes-before.",
        ));
    }
    let statuses: Vec<String> = req.q_all("status").iter().map(|s| s.to_ascii_uppercase()).collect();
    if mv.at_least(38)
        && let Some(bad) = statuses.iter().find(|s| !KNOWN_STATUSES.contains(&s.as_str()))
    {
        return Err(ApiError::bad_request(&format!("Invalid status value: {bad}")));
    }
    let project_filter = req
        .q("project_id")
        .or_else(|| req.q("tenant_id"))
        .filter(|_| all_tenants);
    let show_deleted = since.is_some() || (ctx.is_admin && req.q("deleted").is_some_and(truthy));
    let mut matching: Vec<&Server> = cloud
        .servers
        .values()
        .filter(|s| {
            if all_tenants {
                project_filter.is_none_or(|p| s.project_id == p)
            } else {
                s.project_id == ctx.project_id
            }
        })
        .filter(|s| show_deleted || !s.deleted)
        .filter(|s| since.is_none_or(|t| s.updated >= t))
        .filter(|s| before.is_none_or(|t| s.updated <= t))
        .filter(|s| statuses.is_empty() || statuses.iter().any(|st| st == view::status(s)))
        .filter(|s| req.q("name").is_none_or(|n| name_matches(n, &s.name)))
        .filter(|s| req.q("flavor").is_none_or(|f| s.flavor_id == f))
        .filter(|s| req.q("image").is_none_or(|i| s.image_id.as_deref() == Some(i)))
        .filter(|s| req.q("key_name").is_none_or(|k| s.key_name.as_deref() == Some(k)))
        .filter(|s| req.q("availability_zone").is_none_or(|z| s.az == z))
        .collect();
    let desc = req.q("sort_dir") != Some("asc");
    matching.sort_by(|a, b| {
        let ord = a.created.cmp(&b.created).then(a.seq.cmp(&b.seq));
        if desc { ord.reverse() } else { ord }
    });
    let (matching, next_marker) = paginate_by(matching, |s| Some(s.id.as_str()), req, cloud.max_limit, None)?;
    let fips = view::FipIndex::build(cloud);
    let items: Vec<Value> = matching
        .iter()
        .map(|s| {
            if detail {
                view::detail(cloud, s, mv, &req.root, &req.base_url, &fips)
            } else {
                view::summary(s, &req.root, &req.base_url)
            }
        })
        .collect();
    let page = Page { items, next_marker };
    let collection = if detail { "servers/detail" } else { "servers" };
    let mut body = json!({});
    if let Some(l) = links(req, collection, &page, cloud.max_limit) {
        body["servers_links"] = l;
    }
    body["servers"] = Value::Array(page.items);
    Ok(Resp::ok(body))
}

pub fn show(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: Microversion, id: &str) -> ApiResult<Resp> {
    let s = visible_server(cloud, ctx, id)?;
    Ok(Resp::ok(
        json!({"server": view::detail(cloud, s, mv, &req.root, &req.base_url, &view::FipIndex::build(cloud))}),
    ))
}

pub fn update(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: Microversion, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("server")?;
    visible_server(cloud, ctx, id)?;
    let now = cloud.now;
    let s = cloud.servers.get_mut(id).ok_or_else(|| server_not_found(id))?;
    if let Some(name) = str_field(&body, "name") {
        if name.trim().is_empty() || name.len() > 255 {
            return Err(ApiError::bad_request("Invalid input for field/attribute name."));
        }
        s.name = name.to_string();
    }
    if mv.at_least(19) && body.get("description").is_some() {
        s.description = str_field(&body, "description").map(str::to_string);
    }
    s.updated = now;
    cloud.count("server.update");
    let s = visible_server(cloud, ctx, id)?;
    Ok(Resp::ok(
        json!({"server": view::detail(cloud, s, mv, &req.root, &req.base_url, &view::FipIndex::build(cloud))}),
    ))
}

pub fn delete(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    visible_server(cloud, ctx, id)?;
    let now = cloud.now;
    let s = cloud.servers.get_mut(id).ok_or_else(|| server_not_found(id))?;
    if s.task_state.as_deref() != Some("deleting") {
        s.task_state = Some("deleting".into());
        s.updated = now;
        cloud.schedule(
            1.0,
            Event::ServerDeleted {
                server_id: id.to_string(),
            },
        );
    }
    cloud.count("server.delete");
    Ok(Resp::empty(204))
}

pub fn metadata(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let s = visible_server(cloud, ctx, id)?;
    Ok(Resp::ok(json!({"metadata": s.metadata})))
}
