//! Cinder volume JSON (zone-less microsecond timestamps, `bootable` as a string).
use serde_json::{Value, json};

use crate::state::cloud::Cloud;
use crate::state::model::Volume;
use crate::time_fmt::micros_naive;

fn links(root: &str, id: &str) -> Value {
    json!([{"rel": "self", "href": format!("{root}/volumes/{id}")}, {"rel": "bookmark", "href": format!("{root}/volumes/{id}")}])
}

pub fn summary(v: &Volume, root: &str) -> Value {
    json!({"id": v.id, "name": v.name, "links": links(root, &v.id)})
}

pub fn detail(cloud: &Cloud, v: &Volume, root: &str, mv: u32, admin: bool) -> Value {
    let attachments: Vec<Value> = v
        .attachments
        .iter()
        .map(|a| {
            json!({"id": v.id, "attachment_id": a.attachment_id, "volume_id": v.id, "server_id": a.server_id,
                   "host_name": null, "device": a.device, "attached_at": micros_naive(&a.attached_at)})
        })
        .collect();
    let mut out = json!({
        "id": v.id, "name": v.name, "description": v.description, "status": v.status, "size": v.size,
        "volume_type": v.volume_type, "bootable": if v.image_id.is_some() { "true" } else { "false" },
        "availability_zone": v.az, "multiattach": false, "encrypted": false, "attachments": attachments,
        "os-vol-tenant-attr:tenant_id": v.project_id, "user_id": v.user_id, "metadata": v.metadata,
        "snapshot_id": null, "source_volid": null, "consistencygroup_id": null,
        "migration_status": null, "replication_status": null,
        "created_at": micros_naive(&v.created), "updated_at": v.updated.as_ref().map(micros_naive),
        "links": links(root, &v.id)
    });
    if let Some(img) = v.image_id.as_ref().and_then(|i| cloud.images.get(i)) {
        out["volume_image_metadata"] = json!({
            "image_id": img.id, "image_name": img.name, "min_disk": img.min_disk.to_string(),
            "min_ram": img.min_ram.to_string(), "size": img.size.to_string(),
            "disk_format": img.disk_format, "container_format": img.container_format, "checksum": ""
        });
    }
    if mv >= 13 {
        out["group_id"] = Value::Null;
    }
    if mv >= 21 {
        out["provider_id"] = Value::Null;
    }
    if mv >= 48 {
        out["service_uuid"] = Value::Null;
        out["shared_targets"] = json!(true);
    }
    if mv >= 61 {
        out["cluster_name"] = Value::Null;
    }
    if mv >= 63 {
        out["volume_type_id"] = json!(cloud.find_volume_type(&v.volume_type).map(|t| t.id.clone()));
    }
    if mv >= 65 {
        out["consumes_quota"] = json!(true);
    }
    if admin {
        out["os-vol-host-attr:host"] = json!("simhost@lvm#lvm");
        out["os-vol-mig-status-attr:migstat"] = Value::Null;
        out["os-vol-mig-status-attr:name_id"] = Value::Null;
    }
    out
}
