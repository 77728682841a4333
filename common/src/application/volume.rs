//! Volumes: create (CREATING until the cloud says available), rename,
//! extend (the new size is stored when the cloud confirms it), delete.

use std::collections::BTreeMap;

use serde_json::json;

use super::intent::{self, Intent, Witness};
use super::project_cloud::{Scope, cloud_error, cloud_of, scope};
use super::volume_provision::{self, Provisioned, VolumeOrder};
use super::{Services, catalog_choice, guard, quotas, refresh};
use crate::domain::auth::RequestContext;
use crate::domain::page::{Cursor, Page, PageRequest, SortOrder};
use crate::domain::quota::{Amounts, QuotaKind};
use crate::domain::resource_name::ResourceName;
use crate::domain::server::inventory_id;
use crate::domain::volume::{Volume, VolumeStatus};
use crate::error::{AppError, AppResult};
use crate::infrastructure::cloud::UpdateVolumeRequest;
use crate::infrastructure::db::volumes::{NewVolume, VolumeIntent, VolumeSort};
use crate::infrastructure::db::{begin, servers, volumes};

pub fn not_found(id: i64) -> AppError {
    AppError::not_found("VOLUME_NOT_FOUND", format!("volume {id} does not exist"))
}

pub fn busy(id: i64) -> AppError {
    AppError::conflict(
        "VOLUME_BUSY",
        format!("volume {id} has an action in flight; try again when it has finished"),
    )
}

pub fn status_invalid(v: &Volume, verb: &str) -> AppError {
    AppError::conflict(
        "VOLUME_STATUS_INVALID",
        format!("volume {} cannot be {verb} while {}", v.id, v.status.as_str()),
    )
}

/// A volume and the server it is attached to (`(id, name)`).
#[derive(Debug, Clone)]
pub struct VolumeDetail {
    pub volume: Volume,
    pub server: Option<(i64, String)>,
}

pub struct VolumeQuery {
    pub sort: VolumeSort,
    pub order: SortOrder,
    pub page: PageRequest,
}

pub async fn list(svc: &Services, ctx: &RequestContext, q: VolumeQuery) -> AppResult<Page<VolumeDetail>> {
    let project_id = scope(ctx)?.project_id;
    let sort_name = format!("{}:{}", q.sort.column(), q.order.sql());
    let after = q
        .page
        .for_sort(&sort_name)
        .map_err(|e| AppError::invalid_field("query.cursor", "value_error", e))?;
    let rows = volumes::list(&svc.pool, project_id, q.sort, q.order, after, q.page.limit).await?;
    let page = Page::from_overfetch(rows, q.page.limit, |v| Cursor {
        sort: sort_name.clone(),
        key: q.sort.cursor_key(v),
        id: v.id,
    });
    Ok(Page {
        items: with_servers(svc, project_id, page.items).await?,
        next_cursor: page.next_cursor,
    })
}

pub async fn get(svc: &Services, ctx: &RequestContext, id: i64) -> AppResult<VolumeDetail> {
    let project_id = scope(ctx)?.project_id;
    let v = volumes::find(&svc.pool, project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut all = with_servers(svc, project_id, vec![v]).await?;
    all.pop().ok_or_else(|| not_found(id))
}

async fn with_servers(svc: &Services, project_id: i64, vols: Vec<Volume>) -> AppResult<Vec<VolumeDetail>> {
    let mut ids: Vec<i64> = vols.iter().filter_map(|v| v.server_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let names: BTreeMap<i64, String> = servers::find_many(&svc.pool, project_id, &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    Ok(vols
        .into_iter()
        .map(|volume| VolumeDetail {
            server: volume.server_id.and_then(|s| names.get(&s).map(|n| (s, n.clone()))),
            volume,
        })
        .collect())
}

pub struct NewVolumeInput {
    pub name: ResourceName,
    pub description: String,
    pub size_gb: u32,
    pub volume_type_id: String,
    pub image_id: Option<String>,
}

pub async fn create(svc: &Services, ctx: &RequestContext, input: NewVolumeInput) -> AppResult<VolumeDetail> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let volume_type = catalog_choice::volume_type(svc, scope.project_id, &input.volume_type_id).await?;
    if let Some(image_id) = &input.image_id {
        catalog_choice::image(svc, scope.project_id, image_id, input.size_gb, "body.size").await?;
    }
    let id = write_create(svc, &scope, &input, &volume_type.id).await?;
    let order = VolumeOrder {
        project_id: scope.project_id,
        volume_id: id,
        name: input.name.as_str().to_owned(),
        size_gb: input.size_gb,
        volume_type: Some(volume_type.name.clone()),
        image_id: input.image_id.clone(),
    };
    match volume_provision::provision(&svc.pool, cloud.as_ref(), &order, Witness::Request(&scope)).await? {
        Provisioned::Refused(e) => return Err(cloud_error(e)),
        Provisioned::Created(_) | Provisioned::Unknown => {}
    }
    refresh::request(&svc.pool, refresh::volume(id), &scope).await;
    get(svc, ctx, id).await
}

async fn write_create(svc: &Services, scope: &Scope, input: &NewVolumeInput, type_id: &str) -> AppResult<i64> {
    let mut tx = begin(&svc.pool).await?;
    let requested = Amounts::new()
        .with(QuotaKind::Volumes, 1)
        .with(QuotaKind::VolumeGb, i64::from(input.size_gb));
    quotas::check_quota(&mut tx, &svc.quota_defaults, scope.project_id, &requested).await?;
    let new = NewVolume {
        project_id: scope.project_id,
        name: input.name.as_str(),
        description: &input.description,
        size_gb: input.size_gb,
        volume_type_id: Some(type_id),
        image_id: input.image_id.as_deref(),
        root_of_server: None,
        user_id: Some(scope.user_id),
    };
    let id = volumes::insert(&mut tx, &new).await?;
    let intent = Intent {
        resource_type: "volume",
        resource_id: id,
        action: "create",
        audit_action: "volume.create",
        detail: Some(json!({"name": input.name.as_str(), "size": input.size_gb})),
    };
    intent::record(&mut tx, scope, intent).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_info(
    svc: &Services,
    ctx: &RequestContext,
    id: i64,
    name: ResourceName,
    description: String,
    if_match: Option<i64>,
) -> AppResult<VolumeDetail> {
    let scope = scope(ctx)?;
    let mut tx = begin(&svc.pool).await?;
    let v = volumes::lock(&mut tx, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, v.version)?;
    volumes::update_info(&mut tx, id, v.version, name.as_str(), &description).await?;
    let detail = json!({"name": name.as_str(), "description": description});
    intent::record_done(&mut tx, &scope, "volume.update", "volume", id, Some(detail)).await?;
    tx.commit().await?;
    if let Some(cloud_id) = &v.openstack_id {
        let cloud = cloud_of(svc, scope.project_id).await?;
        let request = UpdateVolumeRequest {
            name: Some(name.as_str().to_owned()),
            description: None,
        };
        if let Err(e) = cloud.update_volume(cloud_id, &request).await {
            tracing::warn!(volume_id = id, error = %e, "cloud rename failed; the reconciler will retry");
        }
    }
    get(svc, ctx, id).await
}

/// Grow only. `size` stays what the cloud has; `requested_size_gb` holds
/// the request until the cloud confirms it.
pub async fn resize(
    svc: &Services,
    ctx: &RequestContext,
    id: i64,
    new_size: u32,
    if_match: Option<i64>,
) -> AppResult<VolumeDetail> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let mut tx = begin(&svc.pool).await?;
    let v = volumes::lock(&mut tx, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, v.version)?;
    if i64::from(new_size) <= v.size_gb {
        return Err(AppError::bad_request(
            "VOLUME_RESIZE_NOT_ALLOWED",
            format!(
                "a volume can only grow: {} GiB is not more than {} GiB",
                new_size, v.size_gb
            ),
        ));
    }
    if v.is_busy() {
        return Err(busy(id));
    }
    if !matches!(v.status, VolumeStatus::Available | VolumeStatus::InUse) {
        return Err(status_invalid(&v, "extended"));
    }
    let cloud_id = v.openstack_id.clone().ok_or_else(|| busy(id))?;
    let extra = Amounts::new().with(QuotaKind::VolumeGb, i64::from(new_size) - v.size_gb);
    quotas::check_quota(&mut tx, &svc.quota_defaults, scope.project_id, &extra).await?;
    let intent = VolumeIntent {
        status: VolumeStatus::Extending,
        task: "extending",
        action: "extend",
        attach_to: None,
        requested_size_gb: Some(new_size),
    };
    volumes::begin_action(&mut tx, id, v.version, &intent).await?;
    let record = Intent {
        resource_type: "volume",
        resource_id: id,
        action: "extend",
        audit_action: "volume.extend",
        detail: Some(json!({"from": v.size_gb, "to": new_size})),
    };
    intent::record(&mut tx, &scope, record).await?;
    tx.commit().await?;
    if let Err(e) = cloud.extend_volume(&cloud_id, new_size).await
        && !e.is_outcome_unknown()
    {
        let message = e.message();
        let mut tx = begin(&svc.pool).await?;
        volumes::revert_action(&mut *tx, id, "extend", v.status, &message).await?;
        intent::record_failure(&mut tx, Witness::Request(&scope), "volume", id, &message).await?;
        tx.commit().await?;
        return Err(cloud_error(e));
    }
    refresh::request(&svc.pool, refresh::volume(id), &scope).await;
    get(svc, ctx, id).await
}

/// What a delete request ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeDeletion {
    /// The cloud is deleting it (202).
    Accepted,
    /// Nothing was left in the cloud; the row is gone (204).
    Gone,
}

pub async fn delete(svc: &Services, ctx: &RequestContext, id: i64, if_match: Option<i64>) -> AppResult<VolumeDeletion> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let mut tx = begin(&svc.pool).await?;
    let v = volumes::lock(&mut tx, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, v.version)?;
    if v.server_id.is_some() {
        return Err(AppError::conflict(
            "ATTACHED_VOLUME_DELETION",
            format!("volume {id} is attached to a server; detach it first"),
        ));
    }
    if v.pending_action.as_deref() == Some("delete") {
        return Ok(VolumeDeletion::Accepted);
    }
    if v.is_busy() && v.openstack_id.is_some() {
        return Err(busy(id));
    }
    let intent = VolumeIntent {
        status: VolumeStatus::Deleting,
        task: "deleting",
        action: "delete",
        attach_to: None,
        requested_size_gb: None,
    };
    volumes::begin_action(&mut tx, id, v.version, &intent).await?;
    let record = Intent {
        resource_type: "volume",
        resource_id: id,
        action: "delete",
        audit_action: "volume.delete",
        detail: Some(json!({"name": v.name})),
    };
    intent::record(&mut tx, &scope, record).await?;
    tx.commit().await?;
    let cloud_id = match &v.openstack_id {
        Some(known) => Some(known.clone()),
        None => match cloud.find_volume_by_inventory_id(&inventory_id("volume", id)).await {
            Ok(found) => found.map(|c| c.id),
            Err(e) if e.is_outcome_unknown() => {
                refresh::request(&svc.pool, refresh::volume(id), &scope).await;
                return Ok(VolumeDeletion::Accepted);
            }
            Err(e) => return Err(cloud_error(e)),
        },
    };
    let gone = match cloud_id {
        None => true,
        Some(cloud_id) => match cloud.delete_volume(&cloud_id).await {
            Ok(()) => false,
            Err(e) if e.is_not_found() => true,
            Err(e) if e.is_outcome_unknown() => false,
            Err(e) => {
                let message = e.message();
                let mut tx = begin(&svc.pool).await?;
                if let Some(current) = volumes::lock(&mut tx, scope.project_id, id).await? {
                    volumes::mark_error(&mut tx, id, current.version, &message).await?;
                }
                intent::record_failure(&mut tx, Witness::Request(&scope), "volume", id, &message).await?;
                tx.commit().await?;
                return Err(cloud_error(e));
            }
        },
    };
    if !gone {
        refresh::request(&svc.pool, refresh::volume(id), &scope).await;
        return Ok(VolumeDeletion::Accepted);
    }
    let mut tx = begin(&svc.pool).await?;
    if let Some(current) = volumes::lock(&mut tx, scope.project_id, id).await? {
        volumes::finish_delete(&mut tx, id, current.version).await?;
    }
    tx.commit().await?;
    Ok(VolumeDeletion::Gone)
}
