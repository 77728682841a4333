//! Walking paged collections to the end (`limit` + `marker`).

use std::collections::HashSet;

use serde_json::Value;

use super::error::{CloudError, CloudResult};
use super::session::{Req, Session};

pub(crate) const DEFAULT_PAGE_SIZE: u32 = 200;
const MAX_PAGES: usize = 100_000;

/// How a collection announces its next page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Collection {
    /// Key of the item array (`servers`, `ports`, ...).
    pub key: &'static str,
    /// `<key>_links` array with `rel: next` (Nova, Neutron, Cinder).
    pub links_key: Option<&'static str>,
    /// Glance puts a top-level `next` URL.
    pub top_level_next: bool,
}

impl Collection {
    pub const fn linked(key: &'static str, links_key: &'static str) -> Self {
        Collection {
            key,
            links_key: Some(links_key),
            top_level_next: false,
        }
    }
}

/// Fetches every page of `base` and returns all items. Stops when no next page
/// is announced and the page was short, or when a page brings no new ids
/// (services that ignore `marker`). Any failed page fails the listing.
pub(crate) async fn collect_all(
    session: &Session,
    base: &Req,
    collection: Collection,
    page_size: Option<u32>,
) -> CloudResult<Vec<Value>> {
    let limit = page_size.unwrap_or(DEFAULT_PAGE_SIZE).max(1);
    let mut items = Vec::new();
    let mut seen = HashSet::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut req = base.clone().query("limit", limit.to_string());
        if let Some(m) = &marker {
            req = req.query("marker", m.clone());
        }
        let body: Value = session.json(&req).await?;
        let page = body.get(collection.key).and_then(Value::as_array).ok_or_else(|| {
            CloudError::invalid_response(base.service, format!("listing without a `{}` array", collection.key))
        })?;
        let mut fresh = 0usize;
        for item in page {
            let duplicate = item
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| !seen.insert(id.to_owned()));
            if !duplicate {
                fresh += 1;
                items.push(item.clone());
            }
        }
        let announced = next_marker(&body, collection);
        let last_id = page
            .last()
            .and_then(|i| i.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let next = match announced {
            Some(m) => Some(m),
            None if page.len() as u64 >= u64::from(limit) => last_id,
            None => None,
        };
        match next {
            Some(m) if fresh > 0 && marker.as_deref() != Some(m.as_str()) => marker = Some(m),
            _ => return Ok(items),
        }
    }
    Err(CloudError::invalid_response(
        base.service,
        "listing did not end after the maximum number of pages",
    ))
}

fn next_marker(body: &Value, collection: Collection) -> Option<String> {
    let href = if collection.top_level_next {
        body.get("next").and_then(Value::as_str).map(str::to_owned)
    } else {
        collection.links_key.and_then(|key| {
            body.get(key)?.as_array()?.iter().find_map(|link| {
                (link.get("rel")?.as_str()? == "next").then(|| link.get("href")?.as_str().map(str::to_owned))?
            })
        })
    }?;
    marker_from_href(&href)
}

/// The `marker` query parameter of a (possibly relative) next link.
pub(crate) fn marker_from_href(href: &str) -> Option<String> {
    let url = reqwest::Url::parse(href)
        .or_else(|_| reqwest::Url::parse("http://relative.invalid/")?.join(href))
        .ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "marker")
        .map(|(_, v)| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn marker_comes_from_absolute_and_relative_links() {
        assert_eq!(
            marker_from_href("http://nova/v2.1/servers/detail?limit=2&marker=abc-1"),
            Some("abc-1".into())
        );
        assert_eq!(marker_from_href("/v2/images?marker=img%2D9"), Some("img-9".into()));
        assert_eq!(marker_from_href("/v2/images"), None);
    }

    #[test]
    fn next_marker_reads_links_and_glance_next() {
        let nova = json!({"servers": [], "servers_links": [
            {"rel": "next", "href": "http://x/servers?marker=m1&limit=1"}]});
        assert_eq!(
            next_marker(&nova, Collection::linked("servers", "servers_links")),
            Some("m1".into())
        );
        let glance = json!({"images": [], "next": "/v2/images?marker=m2"});
        let c = Collection {
            key: "images",
            links_key: None,
            top_level_next: true,
        };
        assert_eq!(next_marker(&glance, c), Some("m2".into()));
    }
}
