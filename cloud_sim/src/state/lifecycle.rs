//! Cross-service effects: the end of a server delete, device names, volume usage and types.
use super::cloud::Cloud;
use super::model::VolumeType;
use super::transitions::Event;

impl Cloud {
    /// The end of a server delete: tombstone it, release ports and volumes.
    pub fn destroy_server(&mut self, server_id: &str) {
        let now = self.now;
        let Some(s) = self.servers.get_mut(server_id) else {
            return;
        };
        if s.deleted {
            return;
        }
        s.deleted = true;
        s.vm_state = "deleted".into();
        s.task_state = None;
        s.power_state = 0;
        s.updated = now;
        s.terminated_at = Some(now);
        let ports = std::mem::take(&mut s.port_ids);
        let owned = std::mem::take(&mut s.owned_port_ids);
        let volumes = std::mem::take(&mut s.volumes);
        for p in ports {
            if owned.contains(&p) {
                self.remove_port(&p);
            } else {
                self.unbind_port(&p);
            }
        }
        for v in volumes {
            if v.delete_on_termination {
                self.volumes.remove(&v.volume_id);
            } else if let Some(vol) = self.volumes.get_mut(&v.volume_id) {
                vol.status = "available".into();
                vol.attachments.clear();
                vol.updated = Some(now);
            }
        }
        self.events.retain(|_, e| match e {
            Event::ServerBuildStep { server_id: s, .. }
            | Event::ServerBuilt { server_id: s }
            | Event::ServerTaskDone { server_id: s, .. }
            | Event::ServerResized { server_id: s } => s != server_id,
            _ => true,
        });
    }

    pub fn first_free_device(&self, server_id: &str) -> String {
        let used: Vec<String> = self
            .servers
            .get(server_id)
            .map(|s| s.volumes.iter().map(|v| v.device.clone()).collect())
            .unwrap_or_default();
        for c in b'a'..=b'z' {
            let d = format!("/dev/vd{}", c as char);
            if !used.contains(&d) {
                return d;
            }
        }
        "/dev/vdz".to_string()
    }

    pub fn project_gigabytes(&self, project_id: &str) -> u64 {
        self.volumes
            .values()
            .filter(|v| v.project_id == project_id)
            .map(|v| v.size)
            .sum()
    }

    pub fn find_volume_type(&self, name_or_id: &str) -> Option<&VolumeType> {
        self.volume_types
            .get(name_or_id)
            .or_else(|| self.volume_types.values().find(|t| t.name == name_or_id))
    }
}
