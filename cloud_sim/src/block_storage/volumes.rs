//! Volumes: list (filters, time comparisons, paging), create, show, update, delete, os-extend.
use serde_json::{Value, json};

use super::view;
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::paging::{Page, links, paginate_by};
use crate::http::request::{Req, int_field, str_field, string_field, string_map};
use crate::http::response::Resp;
use crate::state::cloud::Cloud;
use crate::state::model::Volume;
use crate::state::transitions::Event;
use crate::time_fmt::{Ts, parse_lenient};

const DELETABLE: &[&str] = &[
    "available",
    "error",
    "error_restoring",
    "error_extending",
    "error_managing",
];

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("VolumeNotFound", &format!("Volume {id} could not be found."))
}

fn visible<'a>(cloud: &'a Cloud, ctx: &Ctx, id: &str) -> ApiResult<&'a Volume> {
    cloud
        .volumes
        .get(id)
        .filter(|v| ctx.is_admin || v.project_id == ctx.project_id)
        .ok_or_else(|| not_found(id))
}

/// `updated_at=gte:2024-01-01T00:00:00,lt:...` (volume API 3.60).
fn time_filter(spec: &str) -> ApiResult<Vec<(String, Ts)>> {
    spec.split(',')
        .map(|part| {
            let (op, value) = part
                .split_once(':')
                .filter(|(op, _)| ["gt", "gte", "eq", "neq", "lt", "lte"].contains(op))
                .ok_or_else(|| ApiError::bad_request(&format!("Invalid filter: {part}")))?;
            let t =
                parse_lenient(value).ok_or_else(|| ApiError::bad_request(&format!("Invalid time value: {value}")))?;
            Ok((op.to_string(), t))
        })
        .collect()
}

fn time_ok(t: Option<Ts>, conds: &[(String, Ts)]) -> bool {
    conds.iter().all(|(op, v)| match t {
        None => false,
        Some(t) => match op.as_str() {
            "gt" => t > *v,
            "gte" => t >= *v,
            "eq" => t == *v,
            "neq" => t != *v,
            "lt" => t < *v,
            _ => t <= *v,
        },
    })
}

pub fn list(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: u32, detail: bool) -> ApiResult<Resp> {
    let all = req.q("all_tenants").is_some_and(|v| v != "0" && v != "false") && ctx.is_admin;
    let mut updated = Vec::new();
    let mut created = Vec::new();
    if mv >= 60 {
        if let Some(s) = req.q("updated_at") {
            updated = time_filter(s)?;
        }
        if let Some(s) = req.q("created_at") {
            created = time_filter(s)?;
        }
    }
    let metadata: Option<serde_json::Map<String, Value>> = req
        .q("metadata")
        .and_then(|m| serde_json::from_str::<Value>(&m.replace('\'', "\"")).ok())
        .and_then(|v| v.as_object().cloned());
    let mut vols: Vec<&Volume> = cloud
        .volumes
        .values()
        .filter(|v| {
            if all {
                req.q("project_id").is_none_or(|p| v.project_id == p)
            } else {
                v.project_id == ctx.project_id
            }
        })
        .filter(|v| req.q("status").is_none_or(|s| v.status == s))
        .filter(|v| req.q("name").is_none_or(|n| v.name.as_deref() == Some(n)))
        .filter(|v| {
            req.q("bootable")
                .is_none_or(|b| (b == "true" || b == "1") == v.image_id.is_some())
        })
        .filter(|v| req.q("availability_zone").is_none_or(|z| v.az == z))
        .filter(|v| {
            metadata.as_ref().is_none_or(|m| {
                m.iter()
                    .all(|(k, want)| v.metadata.get(k).map(String::as_str) == want.as_str())
            })
        })
        .filter(|v| updated.is_empty() || time_ok(v.updated, &updated))
        .filter(|v| created.is_empty() || time_ok(Some(v.created), &created))
        .collect();
    let (key, dir) = match req.q("sort") {
        Some(s) => {
            let first = s.split(',').next().unwrap_or("created_at");
            let (k, d) = first.split_once(':').unwrap_or((first, "desc"));
            (k.to_string(), d.to_string())
        }
        None => (
            req.q("sort_key").unwrap_or("created_at").to_string(),
            req.q("sort_dir").unwrap_or("desc").to_string(),
        ),
    };
    vols.sort_by(|a, b| {
        let o = match key.as_str() {
            "name" => a.name.cmp(&b.name),
            "size" => a.size.cmp(&b.size),
            "status" => a.status.cmp(&b.status),
            "id" => a.id.cmp(&b.id),
            _ => a.created.cmp(&b.created).then(a.seq.cmp(&b.seq)),
        };
        if dir == "asc" { o } else { o.reverse() }
    });
    let total = vols.len();
    let (vols, next_marker) = paginate_by(vols, |v| Some(v.id.as_str()), req, cloud.max_limit, None)?;
    let items: Vec<Value> = vols
        .iter()
        .map(|v| {
            if detail {
                view::detail(cloud, v, &req.root, mv, ctx.is_admin)
            } else {
                view::summary(v, &req.root)
            }
        })
        .collect();
    let page = Page { items, next_marker };
    let collection = if detail { "volumes/detail" } else { "volumes" };
    let mut body = json!({});
    if let Some(l) = links(req, collection, &page, cloud.max_limit) {
        body["volumes_links"] = l;
    }
    if mv >= 45 && req.q("with_count").is_some_and(|v| v == "true" || v == "1") {
        body["count"] = json!(total);
    }
    body["volumes"] = Value::Array(page.items);
    Ok(Resp::ok(body))
}

pub fn show(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: u32, id: &str) -> ApiResult<Resp> {
    let v = visible(cloud, ctx, id)?;
    Ok(Resp::ok(
        json!({"volume": view::detail(cloud, v, &req.root, mv, ctx.is_admin)}),
    ))
}

fn over_quota(message: String) -> ApiError {
    ApiError::new(413, "OverLimit", &message).with_header("Retry-After", "0")
}

pub fn create(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: u32) -> ApiResult<Resp> {
    let body = req.json_object("volume")?;
    let size = int_field(&body, "size")
        .filter(|s| *s > 0)
        .ok_or_else(|| ApiError::bad_request("Invalid input received: 'size' must be an integer greater than 0"))?
        as u64;
    let vtype = match str_field(&body, "volume_type") {
        Some(t) => cloud.find_volume_type(t).map(|t| t.name.clone()).ok_or_else(|| {
            ApiError::not_found(
                "VolumeTypeNotFoundByName",
                &format!("Volume type with name {t} could not be found."),
            )
        })?,
        None => cloud.default_volume_type.clone(),
    };
    let image_id = match str_field(&body, "imageRef").filter(|s| !s.is_empty()) {
        Some(img) => {
            let image = cloud
                .images
                .get(img)
                .ok_or_else(|| ApiError::not_found("ImageNotFound", &format!("Image {img} could not be found.")))?;
            if u64::from(image.min_disk) > size {
                return Err(ApiError::bad_request(&format!(
                    "Invalid input received: Image minDisk size {} is larger than the volume size {size}.",
                    image.min_disk
                )));
            }
            Some(img.to_string())
        }
        None => None,
    };
    let source = match str_field(&body, "source_volid") {
        Some(src) => Some(visible(cloud, ctx, src)?.clone()),
        None => None,
    };
    let az = string_field(&body, "availability_zone").unwrap_or_else(|| cloud.default_az());
    if !cloud.azs.contains(&az) {
        return Err(ApiError::bad_request(&format!(
            "Invalid input received: Availability zone '{az}' is invalid."
        )));
    }
    let count = cloud
        .volumes
        .values()
        .filter(|v| v.project_id == ctx.project_id)
        .count();
    if count >= cloud.quotas.volumes {
        return Err(over_quota(format!(
            "VolumeLimitExceeded: Maximum number of volumes allowed ({}) exceeded for quota 'volumes'.",
            cloud.quotas.volumes
        )));
    }
    let used = cloud.project_gigabytes(&ctx.project_id);
    if used + size > cloud.quotas.gigabytes {
        return Err(over_quota(format!(
            "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested {size}G, quota is {}G and {used}G has been consumed.",
            cloud.quotas.gigabytes
        )));
    }
    let id = cloud.uuid();
    let seq = cloud.next_seq();
    let now = cloud.now;
    let image_id = image_id.or_else(|| source.as_ref().and_then(|s| s.image_id.clone()));
    let from_image = image_id.is_some();
    cloud.volumes.insert(
        id.clone(),
        Volume {
            id: id.clone(),
            name: string_field(&body, "name"),
            description: string_field(&body, "description"),
            project_id: ctx.project_id.clone(),
            user_id: ctx.user_id.clone(),
            size,
            status: "creating".into(),
            volume_type: vtype,
            image_id,
            az,
            attachments: Vec::new(),
            metadata: string_map(body.get("metadata")),
            created: now,
            updated: None,
            seq,
        },
    );
    if from_image {
        cloud.schedule(0.5, Event::VolumeDownloading { volume_id: id.clone() });
    }
    cloud.schedule(1.0, Event::VolumeReady { volume_id: id.clone() });
    cloud.count("volume.create");
    let v = visible(cloud, ctx, &id)?;
    Ok(Resp::json(
        202,
        json!({"volume": view::detail(cloud, v, &req.root, mv, ctx.is_admin)}),
    ))
}

pub fn update(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: u32, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("volume")?;
    visible(cloud, ctx, id)?;
    let now = cloud.now;
    let v = cloud.volumes.get_mut(id).ok_or_else(|| not_found(id))?;
    if body.get("name").is_some() {
        v.name = string_field(&body, "name");
    }
    if body.get("description").is_some() {
        v.description = string_field(&body, "description");
    }
    if body.get("metadata").is_some() {
        v.metadata = string_map(body.get("metadata"));
    }
    v.updated = Some(now);
    cloud.count("volume.update");
    let v = visible(cloud, ctx, id)?;
    Ok(Resp::ok(
        json!({"volume": view::detail(cloud, v, &req.root, mv, ctx.is_admin)}),
    ))
}

pub fn delete(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let v = visible(cloud, ctx, id)?;
    if !DELETABLE.contains(&v.status.as_str()) || !v.attachments.is_empty() {
        return Err(ApiError::bad_request(&format!(
            "Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots after volume transfer. (volume {id} is {})",
            v.status
        )));
    }
    let now = cloud.now;
    if let Some(v) = cloud.volumes.get_mut(id) {
        v.status = "deleting".into();
        v.updated = Some(now);
    }
    cloud.schedule(
        1.0,
        Event::VolumeDeleted {
            volume_id: id.to_string(),
        },
    );
    cloud.count("volume.delete");
    Ok(Resp::empty(202))
}

pub fn action(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: u32, id: &str) -> ApiResult<Resp> {
    let body = req.json()?;
    if let Some(extend) = body.get("os-extend") {
        return extend_volume(cloud, ctx, mv, id, extend);
    }
    let name = body
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .unwrap_or_default();
    visible(cloud, ctx, id)?;
    Err(ApiError::bad_request(&format!("There is no such action: {name}")))
}

fn extend_volume(cloud: &mut Cloud, ctx: &Ctx, mv: u32, id: &str, extend: &Value) -> ApiResult<Resp> {
    let v = visible(cloud, ctx, id)?;
    let new_size = int_field(extend, "new_size")
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::bad_request("Invalid input received: new_size must be an integer"))?
        as u64;
    let in_use_ok = mv >= 42 && !cloud.nhn;
    let status_ok = v.status == "available" || (in_use_ok && v.status == "in-use");
    if !status_ok {
        let expected = if in_use_ok {
            "'available', 'in-use'"
        } else {
            "'available'"
        };
        return Err(ApiError::bad_request(&format!(
            "Invalid volume: Volume {id} status must be '{{'status': {expected}}}' to extend, currently {}.",
            v.status
        )));
    }
    if new_size <= v.size {
        return Err(ApiError::bad_request(&format!(
            "Invalid input received: New size for extend must be greater than current size. (current: {}, extended: {new_size}).",
            v.size
        )));
    }
    let used = cloud.project_gigabytes(&v.project_id);
    let delta = new_size - v.size;
    if used + delta > cloud.quotas.gigabytes {
        return Err(over_quota(format!(
            "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested {delta}G, quota is {}G and {used}G has been consumed.",
            cloud.quotas.gigabytes
        )));
    }
    let back_to = v.status.clone();
    let now = cloud.now;
    if let Some(v) = cloud.volumes.get_mut(id) {
        v.status = "extending".into();
        v.updated = Some(now);
    }
    cloud.schedule(
        1.0,
        Event::VolumeExtended {
            volume_id: id.to_string(),
            new_size,
            back_to,
        },
    );
    cloud.count("volume.extend");
    Ok(Resp::empty(202))
}
