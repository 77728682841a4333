//! POST /servers: validation, root volume (block_device_mapping_v2), ports, then BUILD.
use serde_json::{Value, json};

use super::microversion::Microversion;
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, bool_field, int_field, str_field, string_field, string_map};
use crate::http::response::Resp;
use crate::state::cloud::{Cloud, NewPort};
use crate::state::model::{Server, ServerVolume, Volume};
use crate::state::transitions::Event;

enum Nic {
    Port(String),
    Network { id: String, fixed_ip: Option<String> },
    Subnet(String),
}

struct Bdm {
    boot_index: Option<i64>,
    source: String,
    destination: String,
    uuid: Option<String>,
    size: Option<u64>,
    volume_type: Option<String>,
    delete_on_termination: bool,
}

fn last_segment(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

fn parse_bdms(server: &Value) -> ApiResult<Vec<Bdm>> {
    let Some(list) = server.get("block_device_mapping_v2") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| ApiError::bad_request("Invalid input for field/attribute block_device_mapping_v2."))?;
    list.iter()
        .map(|b| {
            let source = string_field(b, "source_type").unwrap_or_else(|| "volume".into());
            if !["image", "volume", "snapshot", "blank"].contains(&source.as_str()) {
                return Err(ApiError::bad_request(
                    "Block Device Mapping is Invalid: source_type is invalid.",
                ));
            }
            Ok(Bdm {
                boot_index: int_field(b, "boot_index"),
                destination: string_field(b, "destination_type").unwrap_or_else(|| "volume".into()),
                uuid: string_field(b, "uuid"),
                size: int_field(b, "volume_size").map(|v| v.max(0) as u64),
                volume_type: string_field(b, "volume_type"),
                delete_on_termination: bool_field(b, "delete_on_termination").unwrap_or(false),
                source,
            })
        })
        .collect()
}

fn parse_networks(server: &Value, mv: Microversion, nhn: bool) -> ApiResult<Option<Vec<Nic>>> {
    let Some(networks) = server.get("networks") else {
        if mv.at_least(37) && !nhn {
            return Err(ApiError::bad_request(
                "Invalid input for field/attribute server. Value: 'networks' is a required property",
            ));
        }
        return Ok(None);
    };
    match networks {
        Value::String(s) if (s == "auto" || s == "none") && mv.at_least(37) => {
            if s == "none" {
                Ok(Some(Vec::new()))
            } else {
                Ok(None)
            }
        }
        Value::Array(items) => items
            .iter()
            .map(|n| {
                if let Some(p) = str_field(n, "port") {
                    Ok(Nic::Port(p.to_string()))
                } else if let Some(u) = str_field(n, "uuid") {
                    Ok(Nic::Network {
                        id: u.to_string(),
                        fixed_ip: string_field(n, "fixed_ip"),
                    })
                } else if let (true, Some(s)) = (nhn, str_field(n, "subnet")) {
                    Ok(Nic::Subnet(s.to_string()))
                } else {
                    Err(ApiError::bad_request(
                        "Bad networks format: network uuid is not in proper format",
                    ))
                }
            })
            .collect::<ApiResult<Vec<Nic>>>()
            .map(Some),
        _ => Err(ApiError::bad_request("Bad networks format")),
    }
}

pub fn create(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: Microversion) -> ApiResult<Resp> {
    let server = req.json_object("server")?;
    let name = str_field(&server, "name")
        .filter(|n| !n.trim().is_empty() && n.len() <= 255)
        .ok_or_else(|| ApiError::bad_request("Invalid input for field/attribute name."))?
        .to_string();
    let flavor_ref = str_field(&server, "flavorRef").ok_or_else(|| {
        ApiError::bad_request("Invalid input for field/attribute server. Value: 'flavorRef' is a required property")
    })?;
    let flavor = cloud
        .flavors
        .get(last_segment(flavor_ref))
        .cloned()
        .ok_or_else(|| ApiError::bad_request(&format!("Flavor {flavor_ref} could not be found.")))?;
    let bdms = parse_bdms(&server)?;
    let boots_from_volume = bdms
        .iter()
        .any(|b| b.boot_index == Some(0) && b.destination == "volume");
    let image_ref = str_field(&server, "imageRef")
        .filter(|s| !s.is_empty())
        .map(last_segment);
    if cloud.nhn && bdms.is_empty() && !flavor.local_disk {
        return Err(ApiError::bad_request("Missing Block Device Mapping attribute"));
    }
    if !boots_from_volume && image_ref.is_none() && !bdms.iter().any(|b| b.boot_index == Some(0)) {
        return Err(ApiError::bad_request("Missing imageRef attribute"));
    }
    if let Some(img) = image_ref {
        match cloud.images.get(img) {
            None => {
                return Err(ApiError::bad_request(&format!("Image {img} could not be found.")));
            }
            Some(i) if i.status != "active" => {
                return Err(ApiError::bad_request(&format!("Image {img} is not active.")));
            }
            _ => {}
        }
    }
    let used = cloud
        .servers
        .values()
        .filter(|s| s.project_id == ctx.project_id && !s.deleted)
        .count();
    if used >= cloud.quotas.instances {
        let q = cloud.quotas.instances;
        return Err(ApiError::forbidden(&format!(
            "Quota exceeded for instances: Requested 1, but already used {used} of {q} instances"
        )));
    }
    let key_name = string_field(&server, "key_name");
    if let Some(k) = &key_name
        && !cloud.keypairs.contains_key(&(ctx.user_id.clone(), k.clone()))
    {
        return Err(ApiError::bad_request("Invalid key_name provided."));
    }
    let az = string_field(&server, "availability_zone").unwrap_or_else(|| cloud.default_az());
    if !cloud.azs.contains(&az) {
        return Err(ApiError::bad_request(&format!(
            "The requested availability zone is not available: {az}"
        )));
    }
    let sg_names: Vec<String> = match server.get("security_groups").and_then(Value::as_array) {
        Some(list) => list.iter().filter_map(|g| string_field(g, "name")).collect(),
        None => vec!["default".to_string()],
    };
    cloud.ensure_default_sg(&ctx.project_id);
    let mut sg_ids = Vec::new();
    for n in &sg_names {
        let sg = cloud
            .security_groups
            .values()
            .find(|g| g.project_id == ctx.project_id && (g.name == *n || g.id == *n))
            .ok_or_else(|| {
                ApiError::bad_request(&format!("Security group {n} not found for project {}.", ctx.project_id))
            })?;
        sg_ids.push(sg.id.clone());
    }

    // Resolve NICs and volumes before changing anything, so a 400 leaves no trace.
    let nics = match parse_networks(&server, mv, cloud.nhn)? {
        Some(n) => n,
        None => {
            let own: Vec<&String> = cloud
                .networks
                .values()
                .filter(|n| n.project_id == ctx.project_id && !n.external)
                .map(|n| &n.id)
                .collect();
            match own.as_slice() {
                [] => Vec::new(),
                [one] => vec![Nic::Network {
                    id: (*one).clone(),
                    fixed_ip: None,
                }],
                _ => {
                    return Err(ApiError::conflict(
                        "NetworkAmbiguous",
                        "Multiple possible networks found, use a Network ID to be more specific.",
                    ));
                }
            }
        }
    };
    for nic in &nics {
        match nic {
            Nic::Port(p) => {
                let port = cloud
                    .ports
                    .get(p)
                    .filter(|x| ctx.is_admin || x.project_id == ctx.project_id)
                    .ok_or_else(|| ApiError::bad_request(&format!("Port id {p} could not be found.")))?;
                if !port.device_id.is_empty() {
                    return Err(ApiError::conflict("PortInUse", &format!("Port {p} is still in use.")));
                }
            }
            Nic::Network { id, .. } => {
                cloud
                    .networks
                    .get(id)
                    .filter(|n| n.shared || n.project_id == ctx.project_id || ctx.is_admin)
                    .ok_or_else(|| ApiError::bad_request(&format!("Network {id} could not be found.")))?;
            }
            Nic::Subnet(s) => {
                cloud
                    .subnets
                    .get(s)
                    .filter(|x| x.project_id == ctx.project_id || ctx.is_admin)
                    .ok_or_else(|| ApiError::bad_request(&format!("Subnet {s} could not be found.")))?;
            }
        }
    }
    let mut gigabytes = 0u64;
    for b in &bdms {
        match b.source.as_str() {
            "image" => {
                let img = b.uuid.as_deref().unwrap_or("");
                let image = cloud
                    .images
                    .get(img)
                    .ok_or_else(|| ApiError::bad_request(&format!("Image {img} could not be found.")))?;
                if b.destination == "volume" {
                    let size = b.size.ok_or_else(|| {
                        ApiError::bad_request(
                            "Block Device Mapping is Invalid: You specified more local devices than the limit allows",
                        )
                    })?;
                    if size < u64::from(image.min_disk) || size == 0 {
                        return Err(ApiError::bad_request(&format!(
                            "Volume is smaller than the minimum size specified in image metadata. Volume size is {size} GiB. Minimum size is {} GiB.",
                            image.min_disk
                        )));
                    }
                    gigabytes += size;
                }
            }
            "volume" => {
                let vid = b.uuid.as_deref().unwrap_or("");
                let vol = cloud
                    .volumes
                    .get(vid)
                    .filter(|v| v.project_id == ctx.project_id)
                    .ok_or_else(|| {
                        ApiError::bad_request(&format!("Block Device Mapping is Invalid: failed to get volume {vid}."))
                    })?;
                if vol.status != "available" {
                    return Err(ApiError::bad_request(&format!(
                        "Invalid volume: volume {vid} status must be 'available', currently {}",
                        vol.status
                    )));
                }
            }
            "blank" => gigabytes += b.size.unwrap_or(0),
            _ => {
                return Err(ApiError::bad_request(
                    "Block Device Mapping is Invalid: snapshot sources are not supported.",
                ));
            }
        }
        if let Some(t) = &b.volume_type
            && cloud.find_volume_type(t).is_none()
        {
            return Err(ApiError::bad_request(&format!("Volume type {t} could not be found.")));
        }
    }
    if cloud.project_gigabytes(&ctx.project_id) + gigabytes > cloud.quotas.gigabytes {
        return Err(ApiError::forbidden("Quota exceeded for gigabytes"));
    }

    let id = cloud.uuid();
    let now = cloud.now;
    let mut volumes = Vec::new();
    for (i, b) in bdms.iter().enumerate() {
        let device = format!("/dev/vd{}", (b'a' + i as u8).min(b'z') as char);
        let volume_id = match b.source.as_str() {
            "volume" => {
                let vid = b.uuid.clone().unwrap_or_default();
                if let Some(v) = cloud.volumes.get_mut(&vid) {
                    v.status = "reserved".into();
                    v.updated = Some(now);
                }
                vid
            }
            "image" if b.destination != "volume" => continue,
            _ => {
                let vid = cloud.uuid();
                let seq = cloud.next_seq();
                let vtype = b
                    .volume_type
                    .as_deref()
                    .and_then(|t| cloud.find_volume_type(t))
                    .map(|t| t.name.clone())
                    .unwrap_or_else(|| cloud.default_volume_type.clone());
                let image_id = if b.source == "image" { b.uuid.clone() } else { None };
                cloud.volumes.insert(
                    vid.clone(),
                    Volume {
                        id: vid.clone(),
                        name: Some(String::new()),
                        description: None,
                        project_id: ctx.project_id.clone(),
                        user_id: ctx.user_id.clone(),
                        size: b.size.unwrap_or(1),
                        status: "creating".into(),
                        volume_type: vtype,
                        image_id,
                        az: az.clone(),
                        attachments: Vec::new(),
                        metadata: Default::default(),
                        created: now,
                        updated: None,
                        seq,
                    },
                );
                cloud.count("volume.create");
                vid
            }
        };
        volumes.push(ServerVolume {
            volume_id,
            device,
            delete_on_termination: b.delete_on_termination,
            attachment_id: cloud.uuid(),
            bdm_uuid: cloud.uuid(),
        });
    }

    let mut port_ids = Vec::new();
    let mut owned = Vec::new();
    for nic in nics {
        let pid = match nic {
            Nic::Port(p) => p,
            Nic::Network { id: net, fixed_ip } => {
                let fixed = fixed_ip.map(|ip| vec![(None, Some(ip))]).unwrap_or_default();
                let pid = create_owned_port(cloud, ctx, &net, fixed, &sg_ids)?;
                owned.push(pid.clone());
                pid
            }
            Nic::Subnet(s) => {
                let net = cloud.subnets.get(&s).map(|x| x.network_id.clone()).unwrap_or_default();
                let pid = create_owned_port(cloud, ctx, &net, vec![(Some(s), None)], &sg_ids)?;
                owned.push(pid.clone());
                pid
            }
        };
        if let Some(p) = cloud.ports.get_mut(&pid) {
            p.device_id = id.clone();
            p.device_owner = format!("compute:{az}");
            p.updated = now;
            p.revision += 1;
        }
        port_ids.push(pid);
    }

    let admin_pass = cloud.rng.hex(12);
    let host_id = cloud.rng.hex(56);
    let seq = cloud.next_seq();
    let image_id = if boots_from_volume {
        None
    } else {
        image_ref.map(str::to_string)
    };
    cloud.servers.insert(
        id.clone(),
        Server {
            id: id.clone(),
            name,
            description: string_field(&server, "description"),
            project_id: ctx.project_id.clone(),
            user_id: ctx.user_id.clone(),
            flavor_id: flavor.id.clone(),
            image_id,
            key_name,
            metadata: string_map(server.get("metadata")),
            vm_state: "building".into(),
            task_state: Some("scheduling".into()),
            power_state: 0,
            az,
            created: now,
            updated: now,
            launched_at: None,
            terminated_at: None,
            port_ids,
            owned_port_ids: owned,
            volumes,
            security_groups: sg_names.clone(),
            fault: None,
            host_id,
            deleted: false,
            addresses_visible: false,
            resize: None,
            seq,
        },
    );
    cloud.count("server.create");
    cloud.schedule(
        0.25,
        Event::ServerBuildStep {
            server_id: id.clone(),
            task_state: "networking".into(),
        },
    );
    cloud.schedule(
        0.5,
        Event::ServerBuildStep {
            server_id: id.clone(),
            task_state: "block_device_mapping".into(),
        },
    );
    cloud.schedule(
        0.75,
        Event::ServerBuildStep {
            server_id: id.clone(),
            task_state: "spawning".into(),
        },
    );
    cloud.schedule(1.0, Event::ServerBuilt { server_id: id.clone() });

    let sgs: Vec<Value> = sg_names.iter().map(|n| json!({"name": n})).collect();
    let location = format!("{}/servers/{id}", req.root);
    Ok(Resp::json(
        202,
        json!({"server": {
            "id": id,
            "links": [{"rel": "self", "href": location}, {"rel": "bookmark", "href": format!("{}/compute/servers/{id}", req.base_url)}],
            "OS-DCF:diskConfig": "MANUAL",
            "security_groups": sgs,
            "adminPass": admin_pass
        }}),
    )
    .with_header("Location", &location))
}

fn create_owned_port(
    cloud: &mut Cloud,
    ctx: &Ctx,
    network_id: &str,
    fixed_ips: Vec<(Option<String>, Option<String>)>,
    sg_ids: &[String],
) -> ApiResult<String> {
    let pid = cloud.create_port(NewPort {
        project_id: &ctx.project_id,
        network_id,
        name: String::new(),
        security_groups: Some(sg_ids.to_vec()),
        fixed_ips,
        admin_state_up: true,
        description: String::new(),
    })?;
    cloud.count("port.create");
    Ok(pid)
}
