//! Compute: Nova v2.1 (OpenStack, microversion pinned) and NHN Instance (v2).

use serde_json::{Map, Value, json};

use super::wire::*;
use crate::infrastructure::cloud::error::{CloudResult, CloudService};
use crate::infrastructure::cloud::model::*;
use crate::infrastructure::cloud::pager::{Collection, collect_all};
use crate::infrastructure::cloud::session::{Dialect, Req, Session};
use crate::infrastructure::cloud::timestamp::{format_filter_time, parse_timestamp};

const S: CloudService = CloudService::Compute;
const SERVERS: Collection = Collection::linked("servers", "servers_links");
const FLAVORS: Collection = Collection::linked("flavors", "flavors_links");

pub(crate) fn server_from_wire(v: &Value) -> CloudResult<CloudServer> {
    let metadata = string_map(v.get("metadata"));
    let flavor = v.get("flavor");
    let image_id = v
        .get("image")
        .and_then(|i| i.get("id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut addresses = Vec::new();
    if let Some(networks) = v.get("addresses").and_then(Value::as_object) {
        for (network_name, list) in networks {
            for a in list.as_array().map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(address) = str_field(a, "addr") {
                    addresses.push(CloudServerAddress {
                        network_name: network_name.clone(),
                        address,
                        version: u64_field(a, "version").map(|n| n as u8),
                        kind: str_field(a, "OS-EXT-IPS:type"),
                        mac_address: str_field(a, "OS-EXT-IPS-MAC:mac_addr"),
                    });
                }
            }
        }
    }
    Ok(CloudServer {
        id: required_str(S, v, "id")?,
        name: str_field(v, "name").unwrap_or_default(),
        project_id: str_field(v, "tenant_id").or_else(|| str_field(v, "project_id")),
        status: str_field(v, "status").unwrap_or_else(|| "UNKNOWN".into()),
        task_state: str_field(v, "OS-EXT-STS:task_state"),
        vm_state: str_field(v, "OS-EXT-STS:vm_state"),
        power_state: i64_field(v, "OS-EXT-STS:power_state"),
        flavor_id: flavor.and_then(|f| str_field(f, "id")),
        flavor_name: flavor.and_then(|f| str_field(f, "original_name")),
        image_id,
        availability_zone: str_field(v, "OS-EXT-AZ:availability_zone"),
        addresses,
        attached_volume_ids: array(v, "os-extended-volumes:volumes_attached")
            .iter()
            .filter_map(|a| str_field(a, "id"))
            .collect(),
        security_group_names: array(v, "security_groups")
            .iter()
            .filter_map(|g| str_field(g, "name"))
            .collect(),
        inventory_id: metadata.get(INVENTORY_ID_KEY).cloned(),
        metadata,
        description: str_field(v, "description"),
        fault_message: v.get("fault").and_then(|f| str_field(f, "message")),
        created_at: str_field(v, "created").and_then(|t| parse_timestamp(&t)),
        updated_at: str_field(v, "updated").and_then(|t| parse_timestamp(&t)),
    })
}

pub(crate) fn create_server_body(dialect: Dialect, r: &CreateServerRequest) -> Value {
    let networks: Vec<Value> = if r.port_ids.is_empty() {
        r.network_id.iter().map(|n| json!({ "uuid": n })).collect()
    } else {
        r.port_ids.iter().map(|p| json!({ "port": p })).collect()
    };
    let mut bdm = json!({
        "boot_index": 0,
        "uuid": r.image_id,
        "source_type": "image",
        "destination_type": "volume",
        "volume_size": r.root_volume_size_gb,
        "delete_on_termination": r.delete_root_volume_on_termination,
    });
    if let (Some(t), Some(obj)) = (&r.root_volume_type, bdm.as_object_mut()) {
        obj.insert("volume_type".into(), json!(t));
    }
    let mut metadata: Map<String, Value> = r.metadata.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
    metadata.insert(INVENTORY_ID_KEY.into(), json!(r.inventory_id));
    let mut server = Map::new();
    server.insert("name".into(), json!(r.name));
    server.insert("flavorRef".into(), json!(r.flavor_id));
    server.insert("networks".into(), Value::Array(networks));
    server.insert("block_device_mapping_v2".into(), Value::Array(vec![bdm]));
    if !r.security_group_names.is_empty() {
        server.insert(
            "security_groups".into(),
            Value::Array(r.security_group_names.iter().map(|n| json!({ "name": n })).collect()),
        );
    }
    if let Some(k) = &r.key_name {
        server.insert("key_name".into(), json!(k));
    }
    if let Some(az) = &r.availability_zone {
        server.insert("availability_zone".into(), json!(az));
    }
    if let Some(d) = &r.description {
        match dialect {
            // `description` needs microversion 2.19; NHN has none, keep it in metadata.
            Dialect::OpenStack => {
                server.insert("description".into(), json!(d));
            }
            Dialect::Nhn => {
                metadata.insert("description".into(), json!(d));
            }
        }
    }
    server.insert("metadata".into(), Value::Object(metadata));
    json!({ "server": server })
}

pub(crate) async fn create_server(s: &Session, r: &CreateServerRequest) -> CloudResult<CreatedServer> {
    let body = create_server_body(s.dialect, r);
    let v: Value = s.json(&Req::post(S, "/servers", "/servers".into(), body)).await?;
    let server = unwrap_key(S, v, "server")?;
    Ok(CreatedServer {
        id: required_str(S, &server, "id")?,
    })
}

pub(crate) async fn get_server(s: &Session, id: &str) -> CloudResult<CloudServer> {
    let v: Value = s
        .json(&Req::get(S, "/servers/{id}", format!("/servers/{}", seg(id))))
        .await?;
    server_from_wire(&unwrap_key(S, v, "server")?)
}

/// `all_tenants` lists every project's servers (admin token only).
pub(crate) async fn list_servers(s: &Session, q: &ServerListQuery, all_tenants: bool) -> CloudResult<Vec<CloudServer>> {
    let mut req = Req::get(S, "/servers/detail", "/servers/detail".into())
        .query_opt("changes-since", q.changes_since.map(format_filter_time));
    if all_tenants {
        req = req.query("all_tenants", "1");
    }
    collect_all(s, &req, SERVERS, q.page_size)
        .await?
        .iter()
        .map(server_from_wire)
        .collect()
}

pub(crate) async fn update_server(s: &Session, id: &str, r: &UpdateServerRequest) -> CloudResult<()> {
    let mut server = Map::new();
    if let Some(n) = &r.name {
        server.insert("name".into(), json!(n));
    }
    let mut description_in_metadata = None;
    if let Some(d) = &r.description {
        match s.dialect {
            Dialect::OpenStack => {
                server.insert("description".into(), json!(d));
            }
            Dialect::Nhn => description_in_metadata = Some(d),
        }
    }
    if !server.is_empty() {
        s.empty(&Req::put(
            S,
            "/servers/{id}",
            format!("/servers/{}", seg(id)),
            json!({ "server": server }),
        ))
        .await?;
    }
    if let Some(d) = description_in_metadata {
        // POST merges into the existing metadata (PUT would replace it).
        s.empty(
            &Req::post(
                S,
                "/servers/{id}/metadata",
                format!("/servers/{}/metadata", seg(id)),
                json!({ "metadata": { "description": d } }),
            )
            .idempotent(),
        )
        .await?;
    }
    Ok(())
}

pub(crate) async fn delete_server(s: &Session, id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(S, "/servers/{id}", format!("/servers/{}", seg(id))))
        .await
}

pub(crate) async fn server_action(s: &Session, id: &str, body: Value) -> CloudResult<()> {
    s.empty(&Req::post(
        S,
        "/servers/{id}/action",
        format!("/servers/{}/action", seg(id)),
        body,
    ))
    .await
}

pub(crate) fn reboot_body(kind: RebootKind) -> Value {
    let kind = match kind {
        RebootKind::Soft => "SOFT",
        RebootKind::Hard => "HARD",
    };
    json!({ "reboot": { "type": kind } })
}

pub(crate) async fn console_url(s: &Session, id: &str) -> CloudResult<String> {
    let v: Value = match s.dialect {
        Dialect::OpenStack => {
            s.json(
                &Req::post(
                    S,
                    "/servers/{id}/remote-consoles",
                    format!("/servers/{}/remote-consoles", seg(id)),
                    json!({ "remote_console": { "protocol": "vnc", "type": "novnc" } }),
                )
                .idempotent(),
            )
            .await?
        }
        // NHN has no microversions: only the legacy action exists.
        Dialect::Nhn => {
            s.json(
                &Req::post(
                    S,
                    "/servers/{id}/action",
                    format!("/servers/{}/action", seg(id)),
                    json!({ "os-getVNCConsole": { "type": "novnc" } }),
                )
                .idempotent(),
            )
            .await?
        }
    };
    let console = v
        .get("remote_console")
        .or_else(|| v.get("console"))
        .cloned()
        .unwrap_or(Value::Null);
    required_str(S, &console, "url")
}

pub(crate) async fn attach_volume(s: &Session, server_id: &str, volume_id: &str) -> CloudResult<()> {
    s.empty(&Req::post(
        S,
        "/servers/{id}/os-volume_attachments",
        format!("/servers/{}/os-volume_attachments", seg(server_id)),
        json!({ "volumeAttachment": { "volumeId": volume_id } }),
    ))
    .await
}

pub(crate) async fn detach_volume(s: &Session, server_id: &str, volume_id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(
        S,
        "/servers/{id}/os-volume_attachments/{volume_id}",
        format!("/servers/{}/os-volume_attachments/{}", seg(server_id), seg(volume_id)),
    ))
    .await
}

pub(crate) async fn list_volume_attachments(s: &Session, server_id: &str) -> CloudResult<Vec<CloudVolumeAttachment>> {
    let v: Value = s
        .json(&Req::get(
            S,
            "/servers/{id}/os-volume_attachments",
            format!("/servers/{}/os-volume_attachments", seg(server_id)),
        ))
        .await?;
    Ok(array(&v, "volumeAttachments")
        .iter()
        .filter_map(|a| {
            Some(CloudVolumeAttachment {
                server_id: str_field(a, "serverId").unwrap_or_else(|| server_id.to_owned()),
                volume_id: str_field(a, "volumeId")?,
                device: str_field(a, "device"),
            })
        })
        .collect())
}

pub(crate) async fn list_interfaces(s: &Session, server_id: &str) -> CloudResult<Vec<CloudInterface>> {
    let v: Value = s
        .json(&Req::get(
            S,
            "/servers/{id}/os-interface",
            format!("/servers/{}/os-interface", seg(server_id)),
        ))
        .await?;
    Ok(array(&v, "interfaceAttachments")
        .iter()
        .filter_map(|i| {
            Some(CloudInterface {
                port_id: str_field(i, "port_id")?,
                network_id: str_field(i, "net_id"),
                mac_address: str_field(i, "mac_addr"),
                state: str_field(i, "port_state"),
                fixed_ips: array(i, "fixed_ips")
                    .iter()
                    .filter_map(|f| {
                        Some(CloudFixedIp {
                            subnet_id: str_field(f, "subnet_id"),
                            ip_address: str_field(f, "ip_address")?,
                        })
                    })
                    .collect(),
            })
        })
        .collect())
}

fn flavor_from_wire(v: &Value) -> CloudResult<CloudFlavor> {
    Ok(CloudFlavor {
        id: required_str(S, v, "id")?,
        name: str_field(v, "name").unwrap_or_default(),
        vcpus: u64_field(v, "vcpus").unwrap_or_default() as u32,
        ram_mb: u64_field(v, "ram").unwrap_or_default(),
        disk_gb: u64_field(v, "disk").unwrap_or_default(),
        is_public: bool_field(v, "os-flavor-access:is_public"),
    })
}

pub(crate) async fn list_flavors(s: &Session) -> CloudResult<Vec<CloudFlavor>> {
    let req = Req::get(S, "/flavors/detail", "/flavors/detail".into());
    collect_all(s, &req, FLAVORS, None)
        .await?
        .iter()
        .map(flavor_from_wire)
        .collect()
}

pub(crate) async fn get_flavor(s: &Session, id: &str) -> CloudResult<CloudFlavor> {
    let v: Value = s
        .json(&Req::get(S, "/flavors/{id}", format!("/flavors/{}", seg(id))))
        .await?;
    flavor_from_wire(&unwrap_key(S, v, "flavor")?)
}

pub(crate) async fn list_availability_zones(s: &Session) -> CloudResult<Vec<CloudAvailabilityZone>> {
    let v: Value = s
        .json(&Req::get(S, "/os-availability-zone", "/os-availability-zone".into()))
        .await?;
    Ok(array(&v, "availabilityZoneInfo")
        .iter()
        .filter_map(|z| {
            Some(CloudAvailabilityZone {
                name: str_field(z, "zoneName")?,
                available: z
                    .get("zoneState")
                    .and_then(|st| bool_field(st, "available"))
                    .unwrap_or(false),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn request() -> CreateServerRequest {
        CreateServerRequest {
            name: "web-1".into(),
            description: Some("front".into()),
            flavor_id: "f1".into(),
            image_id: "img".into(),
            root_volume_size_gb: 20,
            root_volume_type: Some("ssd".into()),
            delete_root_volume_on_termination: true,
            port_ids: vec!["p1".into()],
            network_id: None,
            security_group_names: vec![],
            key_name: None,
            availability_zone: None,
            metadata: BTreeMap::new(),
            inventory_id: "inv-42".into(),
        }
    }

    #[test]
    fn create_body_boots_from_volume_and_carries_the_inventory_id() {
        let body = create_server_body(Dialect::OpenStack, &request());
        let server = &body["server"];
        assert_eq!(server["networks"], json!([{ "port": "p1" }]));
        let bdm = &server["block_device_mapping_v2"][0];
        assert_eq!(bdm["source_type"], "image");
        assert_eq!(bdm["destination_type"], "volume");
        assert_eq!(bdm["volume_size"], 20);
        assert_eq!(bdm["volume_type"], "ssd");
        assert_eq!(server["metadata"][INVENTORY_ID_KEY], "inv-42");
        assert_eq!(server["description"], "front");
        assert!(server.get("security_groups").is_none());
    }

    #[test]
    fn nhn_body_keeps_the_description_in_metadata() {
        let body = create_server_body(Dialect::Nhn, &request());
        assert!(body["server"].get("description").is_none());
        assert_eq!(body["server"]["metadata"]["description"], "front");
    }

    #[test]
    fn server_parsing_tolerates_boot_from_volume_and_both_flavor_shapes() {
        let v = json!({
            "id": "s1", "name": "web", "status": "ACTIVE", "tenant_id": "p1",
            "image": "", "flavor": {"original_name": "m1.small", "vcpus": 1},
            "OS-EXT-STS:task_state": null, "OS-EXT-STS:power_state": 1,
            "addresses": {"private": [{"addr": "10.0.0.5", "version": 4, "OS-EXT-IPS:type": "fixed"}]},
            "os-extended-volumes:volumes_attached": [{"id": "v1"}],
            "metadata": {"inventory_id": "inv-1"},
            "created": "2026-01-01T00:00:00Z", "updated": "2026-01-01T00:00:01Z"
        });
        let s = server_from_wire(&v).unwrap();
        assert_eq!(s.image_id, None);
        assert_eq!(s.flavor_name.as_deref(), Some("m1.small"));
        assert_eq!(s.flavor_id, None);
        assert_eq!(s.inventory_id.as_deref(), Some("inv-1"));
        assert_eq!(s.attached_volume_ids, vec!["v1".to_string()]);
        assert_eq!(s.addresses[0].address, "10.0.0.5");
        assert_eq!(s.project_id.as_deref(), Some("p1"));
        let old = json!({"id": "s2", "flavor": {"id": "7", "links": []}, "image": {"id": "i"}});
        let s = server_from_wire(&old).unwrap();
        assert_eq!(s.flavor_id.as_deref(), Some("7"));
        assert_eq!(s.image_id.as_deref(), Some("i"));
    }
}
