//! Cinder v3 (OpenStack) and NHN's Cinder v2 block storage.
pub mod types;
pub mod view;
pub mod volumes;

use serde_json::json;

use crate::http::auth::authenticate;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::Req;
use crate::http::response::Resp;
use crate::http::route::Route;
use crate::state::State;

pub const MAX_MINOR: u32 = 71;

/// `OpenStack-API-Version: volume 3.N`; absent = 3.0; NHN's v2 API has none.
pub fn microversion(req: &Req, nhn: bool) -> ApiResult<u32> {
    if nhn {
        return Ok(0);
    }
    let Some(value) = req.header("openstack-api-version").and_then(|v| {
        v.split(',')
            .map(str::trim)
            .find_map(|p| p.strip_prefix("volume ").map(str::trim))
    }) else {
        return Ok(0);
    };
    if value.eq_ignore_ascii_case("latest") {
        return Ok(MAX_MINOR);
    }
    let (major, minor) = value
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
        .ok_or_else(|| {
            ApiError::bad_request(&format!(
                "API Version String {value} is of invalid format. Must be of format MajorNum.MinorNum."
            ))
        })?;
    if major != 3 || minor > MAX_MINOR {
        return Err(ApiError::new(
            406,
            "NotAcceptable",
            &format!("Version {value} is not supported by the API. Minimum is 3.0 and maximum is 3.{MAX_MINOR}."),
        ));
    }
    Ok(minor)
}

pub fn handle(st: &mut State, route: &Route, req: &Req) -> ApiResult<Resp> {
    if route.versionless {
        return Ok(Resp::json(
            300,
            json!({"versions": [{
                "id": "v3.0", "status": "CURRENT", "version": format!("3.{MAX_MINOR}"), "min_version": "3.0",
                "updated": "2023-08-31T00:00:00Z",
                "links": [{"rel": "self", "href": format!("{}/v3/", route.root)}],
                "media-types": [{"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}]
            }]}),
        ));
    }
    let nhn = route.service.is_nhn();
    let mv = microversion(req, nhn)?;
    let ctx = authenticate(st, route, req)?;
    let cloud = st.clouds.get_mut(&ctx.cloud).ok_or_else(ApiError::route_not_found)?;
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    let resp = match (req.method.as_str(), segs.as_slice()) {
        ("GET", ["volumes"]) => volumes::list(cloud, &ctx, req, mv, false),
        ("GET", ["volumes", "detail"]) => volumes::list(cloud, &ctx, req, mv, true),
        ("POST", ["volumes"]) => volumes::create(cloud, &ctx, req, mv),
        ("GET", ["volumes", id]) => volumes::show(cloud, &ctx, req, mv, id),
        ("PUT", ["volumes", id]) => volumes::update(cloud, &ctx, req, mv, id),
        ("DELETE", ["volumes", id]) => volumes::delete(cloud, &ctx, id),
        ("POST", ["volumes", id, "action"]) => volumes::action(cloud, &ctx, req, mv, id),
        ("GET", ["types"]) => types::list(cloud),
        ("GET", ["types", "default"]) => types::default_type(cloud),
        ("GET", ["types", id]) => types::show(cloud, id),
        ("GET", ["os-availability-zone"]) => {
            let zones: Vec<serde_json::Value> = cloud
                .azs
                .iter()
                .map(|z| json!({"zoneName": z, "zoneState": {"available": true}}))
                .collect();
            Ok(Resp::ok(json!({"availabilityZoneInfo": zones})))
        }
        _ => Err(ApiError::not_found("NotFound", "The resource could not be found.")),
    }?;
    if nhn {
        return Ok(resp);
    }
    Ok(resp
        .with_header("OpenStack-API-Version", &format!("volume 3.{mv}"))
        .with_header("Vary", "OpenStack-API-Version"))
}
