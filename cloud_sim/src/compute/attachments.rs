//! /servers/{id}/os-volume_attachments and /servers/{id}/os-interface.
use serde_json::{Value, json};

use super::microversion::Microversion;
use super::view::volume_attachment;
use super::{server_not_found, visible_server};
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, bool_field, str_field};
use crate::http::response::Resp;
use crate::state::cloud::{Cloud, NewPort};
use crate::state::model::{Port, ServerVolume};
use crate::state::transitions::Event;

const ATTACHABLE_VM_STATES: &[&str] = &[
    "active",
    "paused",
    "stopped",
    "resized",
    "soft-delete",
    "shelved",
    "shelved_offloaded",
];

pub fn list_volumes(cloud: &mut Cloud, ctx: &Ctx, mv: Microversion, id: &str) -> ApiResult<Resp> {
    let s = visible_server(cloud, ctx, id)?;
    let items: Vec<Value> = s.volumes.iter().map(|v| volume_attachment(id, v, mv)).collect();
    Ok(Resp::ok(json!({"volumeAttachments": items})))
}

pub fn show_volume(cloud: &mut Cloud, ctx: &Ctx, mv: Microversion, id: &str, vid: &str) -> ApiResult<Resp> {
    let s = visible_server(cloud, ctx, id)?;
    let v = s
        .volumes
        .iter()
        .find(|v| v.volume_id == vid)
        .ok_or_else(|| ApiError::not_found("VolumeBDMNotFound", &format!("volume_id not found: {vid}")))?;
    Ok(Resp::ok(json!({"volumeAttachment": volume_attachment(id, v, mv)})))
}

pub fn attach_volume(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: Microversion, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("volumeAttachment")?;
    let vid = str_field(&body, "volumeId")
        .ok_or_else(|| {
            ApiError::bad_request(
                "Invalid input for field/attribute volumeAttachment. Value: 'volumeId' is a required property",
            )
        })?
        .to_string();
    let s = visible_server(cloud, ctx, id)?;
    if !ATTACHABLE_VM_STATES.contains(&s.vm_state.as_str()) || s.task_state.is_some() {
        return Err(ApiError::conflict(
            "InstanceInvalidState",
            &format!(
                "Cannot 'attach_volume' instance {id} while it is in vm_state {}",
                s.vm_state
            ),
        ));
    }
    let project = s.project_id.clone();
    let vol = cloud
        .volumes
        .get(&vid)
        .filter(|v| v.project_id == project)
        .ok_or_else(|| ApiError::not_found("VolumeNotFound", &format!("Volume {vid} could not be found.")))?;
    if vol.status != "available" {
        return Err(ApiError::bad_request(&format!(
            "Invalid volume: volume {vid} status must be 'available', currently '{}'",
            vol.status
        )));
    }
    if !cloud.nhn && vol.az != "nova" && cloud.servers.get(id).is_some_and(|s| s.az != vol.az) {
        return Err(ApiError::bad_request(
            "Invalid volume: the volume is in a different availability zone",
        ));
    }
    if cloud.nhn && cloud.servers.get(id).is_some_and(|s| s.az != vol.az) {
        return Err(ApiError::bad_request(
            "Invalid volume: the volume is in a different availability zone",
        ));
    }
    let device = cloud.first_free_device(id);
    let attachment = ServerVolume {
        volume_id: vid.clone(),
        device,
        delete_on_termination: mv.at_least(79) && bool_field(&body, "delete_on_termination").unwrap_or(false),
        attachment_id: cloud.uuid(),
        bdm_uuid: cloud.uuid(),
    };
    let now = cloud.now;
    // cinder's attachment API reserves; NHN documents the legacy `attaching`
    let pending = if cloud.nhn { "attaching" } else { "reserved" };
    if let Some(v) = cloud.volumes.get_mut(&vid) {
        v.status = pending.into();
        v.updated = Some(now);
    }
    let view = volume_attachment(id, &attachment, mv);
    let s = cloud.servers.get_mut(id).ok_or_else(|| server_not_found(id))?;
    s.volumes.push(attachment);
    s.updated = now;
    cloud.schedule(
        1.0,
        Event::VolumeAttached {
            volume_id: vid,
            server_id: id.to_string(),
        },
    );
    cloud.count("volume.attach");
    if mv.at_least(101) {
        return Ok(Resp::empty(202));
    }
    Ok(Resp::ok(json!({"volumeAttachment": view})))
}

pub fn detach_volume(cloud: &mut Cloud, ctx: &Ctx, id: &str, vid: &str) -> ApiResult<Resp> {
    let s = visible_server(cloud, ctx, id)?;
    let att = s
        .volumes
        .iter()
        .find(|v| v.volume_id == vid)
        .ok_or_else(|| ApiError::not_found("VolumeBDMNotFound", &format!("volume_id not found: {vid}")))?;
    if s.image_id.is_none() && att.device == "/dev/vda" {
        return Err(ApiError::bad_request("Cannot detach a root device volume"));
    }
    if s.task_state.is_some() {
        return Err(ApiError::conflict(
            "InstanceInvalidState",
            &format!(
                "Cannot 'detach_volume' instance {id} while it is in task_state {}",
                s.task_state.clone().unwrap_or_default()
            ),
        ));
    }
    let status = cloud.volumes.get(vid).map(|v| v.status.clone()).unwrap_or_default();
    if status != "in-use" {
        return Err(ApiError::bad_request(&format!(
            "Invalid volume: Unable to detach volume. Volume status must be 'in-use' and attach_status must be 'attached' to detach. Currently: status: '{status}'"
        )));
    }
    let now = cloud.now;
    if let Some(v) = cloud.volumes.get_mut(vid) {
        v.status = "detaching".into();
        v.updated = Some(now);
    }
    cloud.schedule(
        1.0,
        Event::VolumeDetached {
            volume_id: vid.to_string(),
            server_id: id.to_string(),
        },
    );
    cloud.count("volume.detach");
    Ok(Resp::empty(202))
}

fn interface_view(p: &Port) -> Value {
    let ips: Vec<Value> = p
        .fixed_ips
        .iter()
        .map(|f| json!({"ip_address": f.ip_address, "subnet_id": f.subnet_id}))
        .collect();
    json!({"port_id": p.id, "net_id": p.network_id, "mac_addr": p.mac, "port_state": p.status, "fixed_ips": ips})
}

pub fn list_interfaces(cloud: &mut Cloud, ctx: &Ctx, id: &str) -> ApiResult<Resp> {
    let s = visible_server(cloud, ctx, id)?;
    let items: Vec<Value> = s
        .port_ids
        .iter()
        .filter_map(|p| cloud.ports.get(p))
        .map(interface_view)
        .collect();
    Ok(Resp::ok(json!({"interfaceAttachments": items})))
}

pub fn show_interface(cloud: &mut Cloud, ctx: &Ctx, id: &str, pid: &str) -> ApiResult<Resp> {
    let s = visible_server(cloud, ctx, id)?;
    let port = s
        .port_ids
        .iter()
        .find(|p| *p == pid)
        .and_then(|p| cloud.ports.get(p))
        .ok_or_else(|| ApiError::not_found("PortNotFound", &format!("Port {pid} is not attached")))?;
    Ok(Resp::ok(json!({"interfaceAttachment": interface_view(port)})))
}

fn check_interface_state(cloud: &Cloud, ctx: &Ctx, id: &str, action: &str) -> ApiResult<()> {
    let s = visible_server(cloud, ctx, id)?;
    if !["active", "paused", "stopped"].contains(&s.vm_state.as_str()) || s.task_state.is_some() {
        return Err(ApiError::conflict(
            "InstanceInvalidState",
            &format!("Cannot '{action}' instance {id} while it is in vm_state {}", s.vm_state),
        ));
    }
    Ok(())
}

pub fn attach_interface(cloud: &mut Cloud, ctx: &Ctx, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("interfaceAttachment")?;
    check_interface_state(cloud, ctx, id, "attach_interface")?;
    let project = cloud.servers.get(id).map(|s| s.project_id.clone()).unwrap_or_default();
    let az = cloud.servers.get(id).map(|s| s.az.clone()).unwrap_or_default();
    let (pid, owned) = match (str_field(&body, "port_id"), str_field(&body, "net_id")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request("Must not input both network_id and port_id"));
        }
        (Some(p), None) => {
            let port = cloud
                .ports
                .get(p)
                .filter(|x| x.project_id == project || ctx.is_admin)
                .ok_or_else(|| ApiError::not_found("PortNotFound", &format!("Port {p} could not be found.")))?;
            if !port.device_id.is_empty() {
                return Err(ApiError::conflict("PortInUse", &format!("Port {p} is still in use.")));
            }
            (p.to_string(), false)
        }
        (None, Some(net)) => {
            let fixed: Vec<(Option<String>, Option<String>)> = body
                .get("fixed_ips")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|f| (None, str_field(f, "ip_address").map(str::to_string)))
                        .collect()
                })
                .unwrap_or_default();
            let pid = cloud.create_port(NewPort {
                project_id: &project,
                network_id: net,
                name: String::new(),
                security_groups: None,
                fixed_ips: fixed,
                admin_state_up: true,
                description: String::new(),
            })?;
            cloud.count("port.create");
            (pid, true)
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "Invalid input: 'port_id' or 'net_id' is required",
            ));
        }
    };
    let now = cloud.now;
    if let Some(p) = cloud.ports.get_mut(&pid) {
        p.device_id = id.to_string();
        p.device_owner = format!("compute:{az}");
        p.updated = now;
        p.revision += 1;
    }
    let s = cloud.servers.get_mut(id).ok_or_else(|| server_not_found(id))?;
    s.port_ids.push(pid.clone());
    if owned {
        s.owned_port_ids.push(pid.clone());
    }
    s.updated = now;
    cloud.schedule(1.0, Event::PortActive { port_id: pid.clone() });
    cloud.count("server.interface_attach");
    let port = cloud.ports.get(&pid).ok_or_else(ApiError::route_not_found)?;
    Ok(Resp::ok(json!({"interfaceAttachment": interface_view(port)})))
}

pub fn detach_interface(cloud: &mut Cloud, ctx: &Ctx, id: &str, pid: &str) -> ApiResult<Resp> {
    check_interface_state(cloud, ctx, id, "detach_interface")?;
    let s = cloud.servers.get_mut(id).ok_or_else(|| server_not_found(id))?;
    if !s.port_ids.iter().any(|p| p == pid) {
        return Err(ApiError::not_found(
            "PortNotFound",
            &format!("Port {pid} is not attached"),
        ));
    }
    let owned = s.owned_port_ids.iter().any(|p| p == pid);
    s.port_ids.retain(|p| p != pid);
    s.owned_port_ids.retain(|p| p != pid);
    if owned {
        cloud.remove_port(pid);
    } else {
        cloud.unbind_port(pid);
    }
    cloud.count("server.interface_detach");
    Ok(Resp::empty(202))
}
