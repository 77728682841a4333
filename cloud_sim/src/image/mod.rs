//! Glance v2 images (list/get); images are unwrapped, errors are webob style.
use serde_json::{Value, json};

use crate::http::auth::authenticate;
use crate::http::error::{ApiError, ApiResult};
use crate::http::paging::paginate;
use crate::http::request::Req;
use crate::http::response::Resp;
use crate::http::route::Route;
use crate::state::State;
use crate::state::model::Image;
use crate::time_fmt::seconds_z;

pub fn handle(st: &mut State, route: &Route, req: &Req) -> ApiResult<Resp> {
    if route.versionless {
        return Ok(Resp::json(
            300,
            json!({"versions": [
                {"id": "v2.16", "status": "CURRENT", "links": [{"rel": "self", "href": format!("{}/v2/", route.root)}]},
                {"id": "v2.0", "status": "SUPPORTED", "links": [{"rel": "self", "href": format!("{}/v2/", route.root)}]}
            ]}),
        ));
    }
    let ctx = authenticate(st, route, req)?;
    let cloud = st.clouds.get(&ctx.cloud).ok_or_else(ApiError::route_not_found)?;
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["images"]) => {
            let items: Vec<Value> = cloud
                .images
                .values()
                .filter(|i| i.visibility == "public" || i.owner == ctx.project_id)
                .filter(|i| req.q("name").is_none_or(|n| i.name == n))
                .filter(|i| {
                    req.q("status")
                        .is_none_or(|s| s.trim_start_matches("in:").split(',').any(|x| x == i.status))
                })
                .filter(|i| req.q("visibility").is_none_or(|v| v == "all" || i.visibility == v))
                .filter(|i| req.q("owner").is_none_or(|o| i.owner == o))
                .map(view)
                .collect();
            let limit = req.limit()?.unwrap_or(25).min(1000);
            let page = paginate(items, req, 1000, Some(25))?;
            let mut body = json!({"images": page.items, "schema": "/v2/schemas/images", "first": "/v2/images"});
            if let Some(m) = page.next_marker {
                body["next"] = json!(format!("/v2/images?marker={m}&limit={limit}"));
            }
            Ok(Resp::ok(body))
        }
        ("GET", ["images", id]) => cloud
            .images
            .get(*id)
            .filter(|i| i.visibility == "public" || i.owner == ctx.project_id)
            .map(|i| Resp::ok(view(i)))
            .ok_or_else(|| ApiError::not_found("NotFound", &format!("No image found with ID {id}"))),
        _ => Err(ApiError::not_found("NotFound", "The resource could not be found.")),
    }
}

fn view(i: &Image) -> Value {
    let mut v = json!({
        "id": i.id, "name": i.name, "status": i.status, "visibility": i.visibility, "owner": i.owner,
        "protected": false, "os_hidden": false, "disk_format": i.disk_format, "container_format": i.container_format,
        "size": i.size, "virtual_size": null, "min_disk": i.min_disk, "min_ram": i.min_ram,
        "checksum": format!("{:032x}", i.size), "os_hash_algo": "sha512", "os_hash_value": format!("{:0128x}", i.size),
        "tags": [], "created_at": seconds_z(&i.created), "updated_at": seconds_z(&i.created),
        "self": format!("/v2/images/{}", i.id), "file": format!("/v2/images/{}/file", i.id), "schema": "/v2/schemas/image"
    });
    for (k, val) in &i.properties {
        v[k] = json!(val);
    }
    v
}
