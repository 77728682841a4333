//! Images: Glance v2 (list/get).

use serde_json::Value;

use super::wire::*;
use crate::infrastructure::cloud::error::{CloudResult, CloudService};
use crate::infrastructure::cloud::model::*;
use crate::infrastructure::cloud::pager::{Collection, collect_all};
use crate::infrastructure::cloud::session::{Req, Session};
use crate::infrastructure::cloud::timestamp::parse_timestamp;

const S: CloudService = CloudService::Image;
const IMAGES: Collection = Collection {
    key: "images",
    links_key: None,
    top_level_next: true,
};

pub(crate) fn image_from_wire(v: &Value) -> CloudResult<CloudImage> {
    Ok(CloudImage {
        id: required_str(S, v, "id")?,
        name: str_field(v, "name"),
        status: str_field(v, "status").unwrap_or_default(),
        visibility: str_field(v, "visibility"),
        min_disk_gb: u64_field(v, "min_disk").unwrap_or_default(),
        min_ram_mb: u64_field(v, "min_ram").unwrap_or_default(),
        size_bytes: u64_field(v, "size"),
        created_at: str_field(v, "created_at").and_then(|t| parse_timestamp(&t)),
        updated_at: str_field(v, "updated_at").and_then(|t| parse_timestamp(&t)),
    })
}

pub(crate) async fn list_images(s: &Session, q: &ImageListQuery) -> CloudResult<Vec<CloudImage>> {
    let req = Req::get(S, "/images", "/images".into()).query_opt("status", q.status.as_deref());
    collect_all(s, &req, IMAGES, q.page_size)
        .await?
        .iter()
        .map(image_from_wire)
        .collect()
}

/// The image object is not wrapped in `{"image": ...}`.
pub(crate) async fn get_image(s: &Session, id: &str) -> CloudResult<CloudImage> {
    let v: Value = s
        .json(&Req::get(S, "/images/{id}", format!("/images/{}", seg(id))))
        .await?;
    image_from_wire(&v)
}
