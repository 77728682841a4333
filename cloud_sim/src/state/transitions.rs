//! Asynchronous status changes: events due at a time, applied lazily before each request.
use std::collections::{BTreeMap, BTreeSet};

use super::cloud::Cloud;
use super::model::{ServerFault, VolumeAttachment};

#[derive(Debug, Clone)]
pub enum Event {
    ServerResized {
        server_id: String,
    },
    ServerBuildStep {
        server_id: String,
        task_state: String,
    },
    ServerBuilt {
        server_id: String,
    },
    ServerTaskDone {
        server_id: String,
        vm_state: String,
        power_state: u8,
    },
    ServerDeleted {
        server_id: String,
    },
    VolumeDownloading {
        volume_id: String,
    },
    VolumeReady {
        volume_id: String,
    },
    VolumeAttached {
        volume_id: String,
        server_id: String,
    },
    VolumeDetached {
        volume_id: String,
        server_id: String,
    },
    VolumeExtended {
        volume_id: String,
        new_size: u64,
        back_to: String,
    },
    VolumeDeleted {
        volume_id: String,
    },
    PortActive {
        port_id: String,
    },
    FloatingIpStatus {
        fip_id: String,
        status: String,
    },
}

impl Event {
    /// The name used to stick or fail transitions (`server.create`, `volume.attach`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ServerBuildStep { .. } | Event::ServerBuilt { .. } => "server.create",
            Event::ServerTaskDone { .. } => "server.action",
            Event::ServerDeleted { .. } => "server.delete",
            Event::ServerResized { .. } => "server.resize",
            Event::VolumeDownloading { .. } | Event::VolumeReady { .. } => "volume.create",
            Event::VolumeAttached { .. } => "volume.attach",
            Event::VolumeDetached { .. } => "volume.detach",
            Event::VolumeExtended { .. } => "volume.extend",
            Event::VolumeDeleted { .. } => "volume.delete",
            Event::PortActive { .. } => "port.bind",
            Event::FloatingIpStatus { .. } => "floatingip.status",
        }
    }
}

/// Transitions that tests have asked to hang (never complete) or to end in an error state.
#[derive(Debug, Clone, Default)]
pub struct TransitionFaults {
    pub stuck: BTreeSet<String>,
    /// kind -> how many upcoming transitions of that kind fail.
    pub fail: BTreeMap<String, u32>,
}

impl Cloud {
    /// Applies every due event (events scheduled while applying are applied too if already due).
    pub fn advance(&mut self, faults: &mut TransitionFaults) {
        for _ in 0..10_000 {
            let due: Vec<(crate::time_fmt::Ts, u64)> = self
                .events
                .range(..=(self.now, u64::MAX))
                .filter(|(_, e)| !faults.stuck.contains(e.kind()))
                .map(|(k, _)| *k)
                .take(256)
                .collect();
            if due.is_empty() {
                return;
            }
            for key in due {
                if let Some(event) = self.events.remove(&key) {
                    let fail = match faults.fail.get_mut(event.kind()) {
                        Some(n) if *n > 0 => {
                            *n -= 1;
                            true
                        }
                        _ => false,
                    };
                    self.apply(event, fail);
                }
            }
        }
    }

    fn apply(&mut self, event: Event, fail: bool) {
        let now = self.now;
        match event {
            Event::ServerBuildStep { server_id, task_state } => {
                if let Some(s) = self.servers.get_mut(&server_id).filter(|s| s.vm_state == "building") {
                    if fail {
                        s.vm_state = "error".into();
                        s.task_state = None;
                        s.fault = Some(ServerFault {
                            code: 500,
                            message: "No valid host was found. There are not enough hosts available.".into(),
                            created: now,
                        });
                        self.clear_pending_for_server(&server_id);
                    } else {
                        if task_state == "block_device_mapping" {
                            s.addresses_visible = true;
                            let vols: Vec<String> = s.volumes.iter().map(|v| v.volume_id.clone()).collect();
                            for v in vols {
                                if let Some(vol) = self.volumes.get_mut(&v).filter(|v| v.status == "creating") {
                                    vol.status = "downloading".into();
                                    vol.updated = Some(now);
                                }
                            }
                        }
                        if let Some(s) = self.servers.get_mut(&server_id) {
                            s.task_state = Some(task_state);
                            s.updated = now;
                        }
                    }
                }
            }
            Event::ServerBuilt { server_id } => self.finish_build(&server_id, fail),
            Event::ServerTaskDone {
                server_id,
                vm_state,
                power_state,
            } => {
                if let Some(s) = self.servers.get_mut(&server_id).filter(|s| !s.deleted) {
                    if s.task_state.as_deref() == Some("deleting") {
                        return;
                    }
                    if !fail {
                        s.vm_state = vm_state;
                        s.power_state = power_state;
                    }
                    s.task_state = None;
                    s.updated = now;
                }
            }
            Event::ServerDeleted { server_id } => {
                if fail {
                    if let Some(s) = self.servers.get_mut(&server_id) {
                        s.vm_state = "error".into();
                        s.task_state = None;
                        s.updated = now;
                    }
                } else {
                    self.destroy_server(&server_id);
                }
            }
            Event::ServerResized { server_id } => {
                let nhn = self.nhn;
                if let Some(s) = self.servers.get_mut(&server_id).filter(|s| !s.deleted) {
                    s.task_state = None;
                    s.updated = now;
                    let Some(r) = s.resize.clone() else { return };
                    if fail {
                        s.vm_state = r.prev_vm_state;
                        s.resize = None;
                    } else if nhn {
                        // NHN confirms resizes automatically
                        s.flavor_id = r.new_flavor;
                        s.vm_state = r.prev_vm_state;
                        s.resize = None;
                    } else {
                        s.flavor_id = r.new_flavor;
                        s.vm_state = "resized".into();
                    }
                }
            }
            Event::VolumeDownloading { volume_id } => {
                if let Some(v) = self.volumes.get_mut(&volume_id).filter(|v| v.status == "creating") {
                    v.status = if fail { "error".into() } else { "downloading".into() };
                    v.updated = Some(now);
                }
            }
            Event::VolumeReady { volume_id } => {
                if let Some(v) = self
                    .volumes
                    .get_mut(&volume_id)
                    .filter(|v| v.status == "creating" || v.status == "downloading")
                {
                    v.status = if fail { "error".into() } else { "available".into() };
                    v.updated = Some(now);
                }
            }
            Event::VolumeAttached { volume_id, server_id } => {
                let device = self
                    .servers
                    .get(&server_id)
                    .and_then(|s| s.volumes.iter().find(|v| v.volume_id == volume_id))
                    .map(|v| (v.device.clone(), v.attachment_id.clone()));
                let Some(v) = self.volumes.get_mut(&volume_id) else {
                    return;
                };
                if v.status != "reserved" && v.status != "attaching" {
                    return;
                }
                match (fail, device) {
                    (false, Some((device, attachment_id))) => {
                        v.status = "in-use".into();
                        v.attachments = vec![VolumeAttachment {
                            attachment_id,
                            server_id,
                            device,
                            attached_at: now,
                        }];
                    }
                    _ => {
                        v.status = "available".into();
                        v.attachments.clear();
                        if let Some(s) = self.servers.get_mut(&server_id) {
                            s.volumes.retain(|sv| sv.volume_id != volume_id);
                        }
                    }
                }
                if let Some(v) = self.volumes.get_mut(&volume_id) {
                    v.updated = Some(now);
                }
            }
            Event::VolumeDetached { volume_id, server_id } => {
                let Some(v) = self.volumes.get_mut(&volume_id).filter(|v| v.status == "detaching") else {
                    return;
                };
                v.updated = Some(now);
                if fail {
                    v.status = "in-use".into();
                    return;
                }
                v.status = "available".into();
                v.attachments.retain(|a| a.server_id != server_id);
                if let Some(s) = self.servers.get_mut(&server_id) {
                    s.volumes.retain(|sv| sv.volume_id != volume_id);
                    s.updated = now;
                }
            }
            Event::VolumeExtended {
                volume_id,
                new_size,
                back_to,
            } => {
                if let Some(v) = self.volumes.get_mut(&volume_id).filter(|v| v.status == "extending") {
                    if fail {
                        v.status = "error_extending".into();
                    } else {
                        v.status = back_to;
                        v.size = new_size;
                    }
                    v.updated = Some(now);
                }
            }
            Event::VolumeDeleted { volume_id } => {
                if fail {
                    if let Some(v) = self.volumes.get_mut(&volume_id) {
                        v.status = "error_deleting".into();
                        v.updated = Some(now);
                    }
                } else {
                    self.volumes.remove(&volume_id);
                }
            }
            Event::PortActive { port_id } => {
                if let Some(p) = self.ports.get_mut(&port_id).filter(|p| !p.device_id.is_empty()) {
                    p.status = if fail { "DOWN".into() } else { "ACTIVE".into() };
                    p.updated = now;
                    p.revision += 1;
                }
            }
            Event::FloatingIpStatus { fip_id, status } => {
                if let Some(f) = self.floating_ips.get_mut(&fip_id) {
                    let expected_port = status == "ACTIVE";
                    if f.port_id.is_some() == expected_port {
                        f.status = if fail { "ERROR".into() } else { status };
                        f.updated = now;
                        f.revision += 1;
                    }
                }
            }
        }
    }

    fn clear_pending_for_server(&mut self, server_id: &str) {
        self.events.retain(|_, e| match e {
            Event::ServerBuildStep { server_id: s, .. } | Event::ServerBuilt { server_id: s } => s != server_id,
            _ => true,
        });
    }

    fn finish_build(&mut self, server_id: &str, fail: bool) {
        let now = self.now;
        let Some(s) = self.servers.get_mut(server_id).filter(|s| s.vm_state == "building") else {
            return;
        };
        s.updated = now;
        s.task_state = None;
        if fail {
            s.vm_state = "error".into();
            s.power_state = 0;
            s.fault = Some(ServerFault {
                code: 500,
                message: "No valid host was found. There are not enough hosts available.".into(),
                created: now,
            });
            let vols: Vec<String> = s.volumes.iter().map(|v| v.volume_id.clone()).collect();
            for v in vols {
                if let Some(vol) = self.volumes.get_mut(&v) {
                    vol.status = "error".into();
                    vol.updated = Some(now);
                }
            }
            return;
        }
        s.vm_state = "active".into();
        s.power_state = 1;
        s.launched_at = Some(now);
        s.addresses_visible = true;
        let host = s.host_id.clone();
        let ports = s.port_ids.clone();
        let vols: Vec<(String, String, String)> = s
            .volumes
            .iter()
            .map(|v| (v.volume_id.clone(), v.device.clone(), v.attachment_id.clone()))
            .collect();
        for (vid, device, attachment_id) in vols {
            if let Some(vol) = self.volumes.get_mut(&vid) {
                vol.status = "in-use".into();
                vol.updated = Some(now);
                vol.attachments = vec![VolumeAttachment {
                    attachment_id,
                    server_id: server_id.to_string(),
                    device,
                    attached_at: now,
                }];
            }
        }
        for pid in ports {
            if let Some(p) = self.ports.get_mut(&pid) {
                p.status = "ACTIVE".into();
                p.host_id = host.clone();
                p.updated = now;
                p.revision += 1;
            }
        }
    }
}
