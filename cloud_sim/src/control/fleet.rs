//! Many settled servers at once, for benchmarks and large worlds: each one
//! running, with its port bound and its root volume attached, as a finished
//! boot from volume leaves them.
use std::collections::BTreeMap;

use serde_json::json;

use super::out_of_band::{OutOfBand, ResourceKind, oob_create};
use crate::state::cloud::Cloud;
use crate::state::model::{ServerVolume, Volume, VolumeAttachment};

/// One server of a fleet.
#[derive(Debug, Clone, Default)]
pub struct FleetServer {
    pub name: String,
    pub metadata: BTreeMap<String, String>,
    pub root_gb: u64,
}

/// What was made for one [`FleetServer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededServer {
    pub server_id: String,
    pub port_id: String,
    pub root_volume_id: String,
    pub fixed_ip: String,
    pub mac_address: String,
}

const ROOT_DEVICE: &str = "/dev/vda";

impl OutOfBand {
    /// Creates the servers in `project_id` under one lock: `ACTIVE`, a port on
    /// the project's network (`ACTIVE`, `compute:<az>`), and a bootable
    /// `in-use` root volume attached at `/dev/vda` and deleted with the
    /// server. Nothing is counted as an API operation.
    pub fn seed_fleet(&self, project_id: &str, servers: &[FleetServer]) -> Result<Vec<SeededServer>, String> {
        self.with_cloud(|c| servers.iter().map(|s| seed_one(c, project_id, s)).collect())
    }
}

fn seed_one(c: &mut Cloud, project_id: &str, spec: &FleetServer) -> Result<SeededServer, String> {
    let server_id = oob_create(
        c,
        ResourceKind::Server,
        project_id,
        &json!({"name": spec.name, "status": "ACTIVE", "metadata": spec.metadata}),
    )?;
    let port_id = c
        .servers
        .get(&server_id)
        .and_then(|s| s.port_ids.first().cloned())
        .ok_or_else(|| format!("project {project_id} has no network for the server's port"))?;
    let (fixed_ip, mac_address) = c
        .ports
        .get(&port_id)
        .map(|p| {
            let ip = p.fixed_ips.first().map(|f| f.ip_address.clone()).unwrap_or_default();
            (ip, p.mac.clone())
        })
        .unwrap_or_default();
    let root_volume_id = c.uuid();
    let attachment_id = c.uuid();
    let bdm_uuid = c.uuid();
    let seq = c.next_seq();
    let now = c.now;
    let az = c.default_az();
    let volume_type = c.default_volume_type.clone();
    let image_id = c.images.keys().next().cloned();
    c.volumes.insert(
        root_volume_id.clone(),
        Volume {
            id: root_volume_id.clone(),
            name: Some(String::new()),
            description: None,
            project_id: project_id.to_string(),
            user_id: String::new(),
            size: spec.root_gb.max(1),
            status: "in-use".into(),
            volume_type,
            image_id,
            az,
            attachments: vec![VolumeAttachment {
                attachment_id: attachment_id.clone(),
                server_id: server_id.clone(),
                device: ROOT_DEVICE.into(),
                attached_at: now,
            }],
            metadata: BTreeMap::new(),
            created: now,
            updated: Some(now),
            seq,
        },
    );
    if let Some(server) = c.servers.get_mut(&server_id) {
        server.volumes.push(ServerVolume {
            volume_id: root_volume_id.clone(),
            device: ROOT_DEVICE.into(),
            delete_on_termination: true,
            attachment_id,
            bdm_uuid,
        });
    }
    Ok(SeededServer {
        server_id,
        port_id,
        root_volume_id,
        fixed_ip,
        mac_address,
    })
}
