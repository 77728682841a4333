//! Block storage: Cinder v3 (OpenStack, microversion pinned) and NHN Block Storage (v2).

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::wire::*;
use crate::infrastructure::cloud::error::{CloudResult, CloudService};
use crate::infrastructure::cloud::model::*;
use crate::infrastructure::cloud::pager::{Collection, collect_all};
use crate::infrastructure::cloud::session::{Dialect, Req, Session};
use crate::infrastructure::cloud::timestamp::{format_filter_time, parse_timestamp};

const S: CloudService = CloudService::BlockStorage;
const VOLUMES: Collection = Collection::linked("volumes", "volumes_links");
const TYPES: Collection = Collection::linked("volume_types", "volume_types_links");

pub(crate) fn volume_from_wire(v: &Value) -> CloudResult<CloudVolume> {
    let metadata = string_map(v.get("metadata"));
    Ok(CloudVolume {
        id: required_str(S, v, "id")?,
        name: str_field(v, "name"),
        description: str_field(v, "description"),
        project_id: str_field(v, "os-vol-tenant-attr:tenant_id"),
        status: str_field(v, "status").unwrap_or_default(),
        size_gb: u64_field(v, "size").unwrap_or_default(),
        volume_type: str_field(v, "volume_type"),
        bootable: bool_field(v, "bootable").unwrap_or(false),
        availability_zone: str_field(v, "availability_zone"),
        attachments: array(v, "attachments")
            .iter()
            .filter_map(|a| {
                Some(CloudVolumeAttachment {
                    server_id: str_field(a, "server_id")?,
                    volume_id: str_field(a, "volume_id").or_else(|| str_field(v, "id"))?,
                    device: str_field(a, "device"),
                })
            })
            .collect(),
        image_id: v.get("volume_image_metadata").and_then(|m| str_field(m, "image_id")),
        inventory_id: metadata.get(INVENTORY_ID_KEY).cloned(),
        metadata,
        created_at: str_field(v, "created_at").and_then(|t| parse_timestamp(&t)),
        updated_at: str_field(v, "updated_at").and_then(|t| parse_timestamp(&t)),
    })
}

pub(crate) fn create_volume_body(r: &CreateVolumeRequest) -> Value {
    let mut volume = Map::new();
    volume.insert("size".into(), json!(r.size_gb));
    volume.insert("name".into(), json!(r.name));
    if let Some(d) = &r.description {
        volume.insert("description".into(), json!(d));
    }
    if let Some(t) = &r.volume_type {
        volume.insert("volume_type".into(), json!(t));
    }
    if let Some(i) = &r.image_id {
        volume.insert("imageRef".into(), json!(i));
    }
    if let Some(az) = &r.availability_zone {
        volume.insert("availability_zone".into(), json!(az));
    }
    let mut metadata: Map<String, Value> = r.metadata.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    metadata.insert(INVENTORY_ID_KEY.into(), json!(r.inventory_id));
    volume.insert("metadata".into(), Value::Object(metadata));
    json!({ "volume": volume })
}

pub(crate) async fn create_volume(s: &Session, r: &CreateVolumeRequest) -> CloudResult<CloudVolume> {
    let v: Value = s
        .json(&Req::post(S, "/volumes", "/volumes".into(), create_volume_body(r)))
        .await?;
    volume_from_wire(&unwrap_key(S, v, "volume")?)
}

pub(crate) async fn get_volume(s: &Session, id: &str) -> CloudResult<CloudVolume> {
    let v: Value = s
        .json(&Req::get(S, "/volumes/{id}", format!("/volumes/{}", seg(id))))
        .await?;
    volume_from_wire(&unwrap_key(S, v, "volume")?)
}

/// Full or incremental listing. With `changes_since` on OpenStack two
/// queries run (`updated_at` is null until a volume's first update, so
/// `created_at` is asked too) and are merged; NHN (no time filters) gets the
/// full listing, a superset.
pub(crate) async fn list_volumes(s: &Session, q: &VolumeListQuery, all_tenants: bool) -> CloudResult<Vec<CloudVolume>> {
    let mut base = Req::get(S, "/volumes/detail", "/volumes/detail".into());
    if all_tenants {
        base = base.query("all_tenants", "1");
    }
    let since = match (q.changes_since, s.dialect) {
        (Some(t), Dialect::OpenStack) => Some(format_filter_time(t)),
        _ => None,
    };
    let raw = match since {
        None => collect_all(s, &base, VOLUMES, q.page_size).await?,
        Some(t) => {
            let updated = base.clone().query("updated_at", format!("gte:{t}"));
            let created = base.query("created_at", format!("gte:{t}"));
            let mut items = collect_all(s, &updated, VOLUMES, q.page_size).await?;
            let mut seen: HashSet<String> = items.iter().filter_map(|i| str_field(i, "id")).collect();
            for item in collect_all(s, &created, VOLUMES, q.page_size).await? {
                if str_field(&item, "id").is_some_and(|id| seen.insert(id)) {
                    items.push(item);
                }
            }
            items
        }
    };
    raw.iter().map(volume_from_wire).collect()
}

pub(crate) async fn update_volume(s: &Session, id: &str, r: &UpdateVolumeRequest) -> CloudResult<CloudVolume> {
    let mut volume = Map::new();
    if let Some(n) = &r.name {
        volume.insert("name".into(), json!(n));
    }
    if let Some(d) = &r.description {
        volume.insert("description".into(), json!(d));
    }
    let v: Value = s
        .json(&Req::put(
            S,
            "/volumes/{id}",
            format!("/volumes/{}", seg(id)),
            json!({ "volume": volume }),
        ))
        .await?;
    volume_from_wire(&unwrap_key(S, v, "volume")?)
}

pub(crate) async fn extend_volume(s: &Session, id: &str, new_size_gb: u32) -> CloudResult<()> {
    s.empty(&Req::post(
        S,
        "/volumes/{id}/action",
        format!("/volumes/{}/action", seg(id)),
        json!({ "os-extend": { "new_size": new_size_gb } }),
    ))
    .await
}

pub(crate) async fn delete_volume(s: &Session, id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(S, "/volumes/{id}", format!("/volumes/{}", seg(id))))
        .await
}

pub(crate) async fn list_volume_types(s: &Session) -> CloudResult<Vec<CloudVolumeType>> {
    let req = Req::get(S, "/types", "/types".into());
    collect_all(s, &req, TYPES, None)
        .await?
        .iter()
        .map(|t| {
            Ok(CloudVolumeType {
                id: required_str(S, t, "id")?,
                name: str_field(t, "name").unwrap_or_default(),
                description: str_field(t, "description"),
                is_public: bool_field(t, "is_public").or_else(|| bool_field(t, "os-volume-type-access:is_public")),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn volume_parsing_handles_string_booleans_and_null_updated_at() {
        let v = volume_from_wire(&json!({
            "id": "v1", "name": null, "status": "in-use", "size": 10, "bootable": "true",
            "os-vol-tenant-attr:tenant_id": "p1", "volume_type": "lvm",
            "attachments": [{"server_id": "s1", "volume_id": "v1", "device": "/dev/vdb"}],
            "volume_image_metadata": {"image_id": "img"},
            "metadata": {"inventory_id": "inv-9"},
            "created_at": "2018-11-29T06:50:07.770785", "updated_at": null
        }))
        .unwrap();
        assert!(v.bootable);
        assert_eq!(v.name, None);
        assert_eq!(v.image_id.as_deref(), Some("img"));
        assert_eq!(v.attachments[0].server_id, "s1");
        assert_eq!(v.inventory_id.as_deref(), Some("inv-9"));
        assert!(v.created_at.is_some());
        assert_eq!(v.updated_at, None);
    }

    #[test]
    fn create_body_stores_inventory_id_in_metadata() {
        let body = create_volume_body(&CreateVolumeRequest {
            name: "data".into(),
            description: None,
            size_gb: 10,
            volume_type: Some("ssd".into()),
            image_id: None,
            availability_zone: None,
            metadata: BTreeMap::new(),
            inventory_id: "inv-3".into(),
        });
        assert_eq!(body["volume"]["size"], 10);
        assert_eq!(body["volume"]["metadata"][INVENTORY_ID_KEY], "inv-3");
        assert!(body["volume"].get("imageRef").is_none());
    }
}
