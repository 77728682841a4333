//! POST /servers/{id}/action (os-start, os-stop, reboot, legacy VNC) and remote-consoles.
use serde_json::{Value, json};

use super::microversion::Microversion;
use super::{server_not_found, visible_server};
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, str_field};
use crate::http::response::Resp;
use crate::state::cloud::Cloud;
use crate::state::transitions::Event;

fn invalid_state(action: &str, id: &str, vm_state: &str, task: Option<&str>) -> ApiError {
    let msg = match task {
        Some(t) => format!("Cannot '{action}' instance {id} while it is in task_state {t}"),
        None => format!("Cannot '{action}' instance {id} while it is in vm_state {vm_state}"),
    };
    ApiError::conflict("InstanceInvalidState", &msg)
}

pub fn action(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: Microversion, id: &str) -> ApiResult<Resp> {
    let body = req.json()?;
    let name = body
        .as_object()
        .and_then(|m| m.keys().next().cloned())
        .ok_or_else(|| ApiError::bad_request("Malformed request body"))?;
    let server = visible_server(cloud, ctx, id)?;
    let vm = server.vm_state.clone();
    let task = server.task_state.clone();
    let (task_name, target_vm, power, action_name) = match name.as_str() {
        "os-stop" => {
            if !(vm == "active" || vm == "error") || task.is_some() {
                return Err(invalid_state("stop", id, &vm, task.as_deref()));
            }
            ("powering-off", "stopped", 4u8, "stop")
        }
        "os-start" => {
            if vm != "stopped" || task.is_some() {
                return Err(invalid_state("start", id, &vm, task.as_deref()));
            }
            ("powering-on", "active", 1, "start")
        }
        "reboot" => {
            let kind = body
                .pointer("/reboot/type")
                .and_then(Value::as_str)
                .map(str::to_ascii_uppercase)
                .ok_or_else(|| ApiError::bad_request("Missing argument 'type' for reboot"))?;
            match kind.as_str() {
                "SOFT" => {
                    if vm != "active" || task.is_some() {
                        return Err(invalid_state("reboot", id, &vm, task.as_deref()));
                    }
                    ("rebooting", "active", 1, "reboot")
                }
                "HARD" => {
                    let vm_ok = ["active", "stopped", "paused", "suspended", "error"].contains(&vm.as_str());
                    let task_ok = task.as_deref().is_none_or(|t| t.starts_with("reboot"));
                    if !vm_ok || !task_ok {
                        return Err(invalid_state("reboot", id, &vm, task.as_deref()));
                    }
                    ("rebooting_hard", "active", 1, "reboot")
                }
                _ => {
                    return Err(ApiError::bad_request(
                        "Argument 'type' for reboot must be a string with value 'SOFT' or 'HARD'",
                    ));
                }
            }
        }
        "resize" | "confirmResize" | "revertResize" => {
            return resize_action(cloud, ctx, id, &name, &body);
        }
        "shelve" => {
            if !(vm == "active" || vm == "stopped" || vm == "paused" || vm == "suspended") || task.is_some() {
                return Err(invalid_state("shelve", id, &vm, task.as_deref()));
            }
            ("shelving", "shelved_offloaded", 4, "shelve")
        }
        "unshelve" => {
            if !(vm == "shelved" || vm == "shelved_offloaded") || task.is_some() {
                return Err(invalid_state("unshelve", id, &vm, task.as_deref()));
            }
            ("unshelving", "active", 1, "unshelve")
        }
        "os-getVNCConsole" if !cloud.nhn && !mv.at_least(6) => {
            return legacy_console(cloud, ctx, req, id, &body);
        }
        "os-getVNCConsole" => {
            return Err(ApiError::not_found("NotFound", "The resource could not be found."));
        }
        other => {
            return Err(ApiError::bad_request(&format!("There is no such action: {other}")));
        }
    };
    let now = cloud.now;
    let s = cloud.servers.get_mut(id).ok_or_else(|| server_not_found(id))?;
    s.task_state = Some(task_name.to_string());
    s.updated = now;
    cloud.schedule(
        1.0,
        Event::ServerTaskDone {
            server_id: id.to_string(),
            vm_state: target_vm.to_string(),
            power_state: power,
        },
    );
    cloud.count(&format!("server.{action_name}"));
    Ok(Resp::empty(202))
}

fn resize_action(cloud: &mut Cloud, ctx: &Ctx, id: &str, name: &str, body: &Value) -> ApiResult<Resp> {
    let server = visible_server(cloud, ctx, id)?;
    let vm = server.vm_state.clone();
    let task = server.task_state.clone();
    let now = cloud.now;
    match name {
        "resize" => {
            let flavor = body
                .pointer("/resize/flavorRef")
                .and_then(Value::as_str)
                .map(|f| f.rsplit('/').next().unwrap_or(f).to_string())
                .ok_or_else(|| ApiError::bad_request("Resize requests require 'flavorRef' attribute."))?;
            if !(vm == "active" || vm == "stopped") || task.is_some() {
                return Err(invalid_state("resize", id, &vm, task.as_deref()));
            }
            if !cloud.flavors.contains_key(&flavor) {
                return Err(ApiError::bad_request(&format!("Unable to find flavor {flavor}")));
            }
            if flavor == server.flavor_id {
                return Err(ApiError::bad_request("When resizing, instances must change flavor!"));
            }
            let old = server.flavor_id.clone();
            let s = cloud.servers.get_mut(id).ok_or_else(|| server_not_found(id))?;
            s.resize = Some(crate::state::model::PendingResize {
                old_flavor: old,
                new_flavor: flavor,
                prev_vm_state: vm,
            });
            s.task_state = Some("resize_prep".into());
            s.updated = now;
            cloud.schedule(
                1.0,
                Event::ServerResized {
                    server_id: id.to_string(),
                },
            );
            cloud.count("server.resize");
            Ok(Resp::empty(202))
        }
        "confirmResize" => {
            if vm != "resized" || task.is_some() {
                return Err(invalid_state("confirmResize", id, &vm, task.as_deref()));
            }
            let s = cloud.servers.get_mut(id).ok_or_else(|| server_not_found(id))?;
            if let Some(r) = s.resize.take() {
                s.vm_state = r.prev_vm_state;
            }
            s.updated = now;
            Ok(Resp::empty(204))
        }
        _ => {
            if vm != "resized" || task.is_some() {
                return Err(invalid_state("revertResize", id, &vm, task.as_deref()));
            }
            let s = cloud.servers.get_mut(id).ok_or_else(|| server_not_found(id))?;
            let (prev, power) = match s.resize.take() {
                Some(r) => {
                    s.flavor_id = r.old_flavor;
                    let power = if r.prev_vm_state == "stopped" { 4 } else { 1 };
                    (r.prev_vm_state, power)
                }
                None => ("active".to_string(), 1),
            };
            s.task_state = Some("resize_reverting".into());
            s.updated = now;
            cloud.schedule(
                1.0,
                Event::ServerTaskDone {
                    server_id: id.to_string(),
                    vm_state: prev,
                    power_state: power,
                },
            );
            Ok(Resp::empty(202))
        }
    }
}

fn console_url(cloud: &mut Cloud, req: &Req) -> String {
    let token = cloud.uuid();
    format!("{}/vnc/vnc_auto.html?path=%3Ftoken%3D{token}", req.base_url)
}

fn check_console_ready(cloud: &Cloud, ctx: &Ctx, id: &str) -> ApiResult<()> {
    let s = visible_server(cloud, ctx, id)?;
    if s.vm_state == "building" || s.task_state.as_deref() == Some("deleting") {
        return Err(ApiError::conflict(
            "InstanceNotReady",
            &format!("Instance {id} is not ready yet."),
        ));
    }
    Ok(())
}

fn legacy_console(cloud: &mut Cloud, ctx: &Ctx, req: &Req, id: &str, body: &Value) -> ApiResult<Resp> {
    let kind = body
        .pointer("/os-getVNCConsole/type")
        .and_then(Value::as_str)
        .unwrap_or("novnc")
        .to_string();
    if kind != "novnc" && kind != "xvpvnc" {
        return Err(ApiError::bad_request(&format!("Unavailable console type {kind}.")));
    }
    check_console_ready(cloud, ctx, id)?;
    let url = console_url(cloud, req);
    cloud.count("server.console");
    Ok(Resp::ok(json!({"console": {"type": kind, "url": url}})))
}

pub fn remote_console(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: Microversion, id: &str) -> ApiResult<Resp> {
    if !mv.at_least(6) {
        return Err(ApiError::not_found("NotFound", "The resource could not be found."));
    }
    let body = req.json_object("remote_console")?;
    let protocol = str_field(&body, "protocol").unwrap_or("");
    let kind = str_field(&body, "type").unwrap_or("");
    let supported = matches!(
        (protocol, kind),
        ("vnc", "novnc") | ("vnc", "xvpvnc") | ("spice", "spice-html5") | ("serial", "serial")
    );
    if !supported {
        return Err(ApiError::bad_request(&format!("Unavailable console type {kind}.")));
    }
    check_console_ready(cloud, ctx, id)?;
    let url = console_url(cloud, req);
    cloud.count("server.console");
    Ok(Resp::ok(
        json!({"remote_console": {"protocol": protocol, "type": kind, "url": url}}),
    ))
}
