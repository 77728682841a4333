//! Volume types.
use serde_json::{Value, json};

use crate::http::error::{ApiError, ApiResult};
use crate::http::response::Resp;
use crate::state::cloud::Cloud;
use crate::state::model::VolumeType;

fn view(t: &VolumeType) -> Value {
    json!({
        "id": t.id, "name": t.name, "description": t.description, "is_public": true,
        "os-volume-type-access:is_public": true, "extra_specs": {"volume_backend_name": t.backend},
        "qos_specs_id": null
    })
}

pub fn list(cloud: &mut Cloud) -> ApiResult<Resp> {
    let items: Vec<Value> = cloud.volume_types.values().map(view).collect();
    Ok(Resp::ok(json!({"volume_types": items})))
}

pub fn show(cloud: &mut Cloud, id: &str) -> ApiResult<Resp> {
    let t = cloud
        .volume_types
        .get(id)
        .ok_or_else(|| ApiError::not_found("VolumeTypeNotFound", &format!("Volume type {id} could not be found.")))?;
    Ok(Resp::ok(json!({"volume_type": view(t)})))
}

pub fn default_type(cloud: &mut Cloud) -> ApiResult<Resp> {
    let name = cloud.default_volume_type.clone();
    let t = cloud
        .find_volume_type(&name)
        .ok_or_else(|| ApiError::not_found("VolumeTypeNotFound", "Default volume type can not be found."))?;
    Ok(Resp::ok(json!({"volume_type": view(t)})))
}
