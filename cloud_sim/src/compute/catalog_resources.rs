//! Flavors, availability zones, keypairs and limits.
use serde_json::{Value, json};

use super::microversion::Microversion;
use super::view::{flavor_detail, flavor_summary};
use crate::http::auth::Ctx;
use crate::http::error::{ApiError, ApiResult};
use crate::http::paging::{links, paginate};
use crate::http::request::{Req, str_field};
use crate::http::response::Resp;
use crate::state::cloud::Cloud;
use crate::state::model::Keypair;

pub fn list_flavors(cloud: &mut Cloud, req: &Req, mv: Microversion, detail: bool) -> ApiResult<Resp> {
    let min_disk: u32 = req.q("minDisk").and_then(|v| v.parse().ok()).unwrap_or(0);
    let min_ram: u32 = req.q("minRam").and_then(|v| v.parse().ok()).unwrap_or(0);
    let items: Vec<Value> = cloud
        .flavors
        .values()
        .filter(|f| f.disk >= min_disk && f.ram >= min_ram)
        .filter(|f| !mv.at_least(102) || req.q("name").is_none_or(|n| f.name == n))
        .map(|f| {
            if detail {
                flavor_detail(f, &req.root, &req.base_url, mv, cloud.nhn)
            } else {
                flavor_summary(f, &req.root, &req.base_url, mv)
            }
        })
        .collect();
    let page = paginate(items, req, cloud.max_limit, None)?;
    let collection = if detail { "flavors/detail" } else { "flavors" };
    let mut body = json!({});
    if let Some(l) = links(req, collection, &page, cloud.max_limit) {
        body["flavors_links"] = l;
    }
    body["flavors"] = Value::Array(page.items);
    Ok(Resp::ok(body))
}

fn flavor_not_found(id: &str) -> ApiError {
    ApiError::not_found("FlavorNotFound", &format!("Flavor {id} could not be found."))
}

pub fn show_flavor(cloud: &mut Cloud, req: &Req, mv: Microversion, id: &str) -> ApiResult<Resp> {
    let f = cloud.flavors.get(id).ok_or_else(|| flavor_not_found(id))?;
    Ok(Resp::ok(
        json!({"flavor": flavor_detail(f, &req.root, &req.base_url, mv, cloud.nhn)}),
    ))
}

pub fn flavor_extra_specs(cloud: &mut Cloud, id: &str) -> ApiResult<Resp> {
    let f = cloud.flavors.get(id).ok_or_else(|| flavor_not_found(id))?;
    let flavor_type = if f.local_disk { "local" } else { "volume" };
    Ok(Resp::ok(json!({"extra_specs": {"flavor_type": flavor_type}})))
}

pub fn availability_zones(cloud: &Cloud) -> Resp {
    let zones: Vec<Value> = cloud
        .azs
        .iter()
        .map(|z| json!({"zoneName": z, "zoneState": {"available": true}, "hosts": null}))
        .collect();
    Resp::ok(json!({"availabilityZoneInfo": zones}))
}

fn keypair_view(k: &Keypair) -> Value {
    json!({"name": k.name, "public_key": k.public_key, "fingerprint": k.fingerprint, "type": "ssh"})
}

pub fn list_keypairs(cloud: &mut Cloud, ctx: &Ctx) -> ApiResult<Resp> {
    let items: Vec<Value> = cloud
        .keypairs
        .values()
        .filter(|k| k.user_id == ctx.user_id)
        .map(|k| json!({"keypair": keypair_view(k)}))
        .collect();
    Ok(Resp::ok(json!({"keypairs": items})))
}

pub fn create_keypair(cloud: &mut Cloud, ctx: &Ctx, req: &Req, mv: Microversion) -> ApiResult<Resp> {
    let body = req.json_object("keypair")?;
    let name = str_field(&body, "name")
        .filter(|n| !n.is_empty() && n.len() <= 255)
        .ok_or_else(|| {
            ApiError::bad_request(
                "Keypair data is invalid: Keypair name must be string and between 1 and 255 characters long",
            )
        })?
        .to_string();
    let key = (ctx.user_id.clone(), name.clone());
    if cloud.keypairs.contains_key(&key) {
        return Err(ApiError::conflict(
            "KeyPairExists",
            &format!("Key pair '{name}' already exists."),
        ));
    }
    let fingerprint = {
        let h = cloud.rng.hex(32);
        h.as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(":")
    };
    let (public_key, private_key) = match str_field(&body, "public_key") {
        Some(p) => (p.to_string(), None),
        None => {
            let material = cloud.rng.hex(64);
            (
                format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{material} Generated-by-Nova"),
                Some(format!(
                    "-----BEGIN OPENSSH PRIVATE KEY-----\n{material}\n-----END OPENSSH PRIVATE KEY-----\n"
                )),
            )
        }
    };
    let seq = cloud.next_seq();
    let kp = Keypair {
        name,
        user_id: ctx.user_id.clone(),
        public_key,
        fingerprint,
        created: cloud.now,
        seq,
    };
    let mut view = keypair_view(&kp);
    view["user_id"] = json!(ctx.user_id);
    if let Some(pk) = private_key {
        view["private_key"] = json!(pk);
    }
    cloud.keypairs.insert(key, kp);
    cloud.count("keypair.create");
    let status = if mv.at_least(2) { 201 } else { 200 };
    Ok(Resp::json(status, json!({"keypair": view})))
}

pub fn show_keypair(cloud: &mut Cloud, ctx: &Ctx, name: &str) -> ApiResult<Resp> {
    let k = cloud
        .keypairs
        .get(&(ctx.user_id.clone(), name.to_string()))
        .ok_or_else(|| {
            ApiError::not_found(
                "KeypairNotFound",
                &format!("Keypair {name} not found for user {}", ctx.user_id),
            )
        })?;
    let mut v = keypair_view(k);
    v["user_id"] = json!(k.user_id);
    v["id"] = json!(k.seq);
    v["deleted"] = json!(false);
    v["created_at"] = json!(crate::time_fmt::micros_naive(&k.created));
    v["updated_at"] = Value::Null;
    v["deleted_at"] = Value::Null;
    Ok(Resp::ok(json!({"keypair": v})))
}

pub fn delete_keypair(cloud: &mut Cloud, ctx: &Ctx, mv: Microversion, name: &str) -> ApiResult<Resp> {
    cloud
        .keypairs
        .remove(&(ctx.user_id.clone(), name.to_string()))
        .ok_or_else(|| {
            ApiError::not_found(
                "KeypairNotFound",
                &format!("Keypair {name} not found for user {}", ctx.user_id),
            )
        })?;
    Ok(Resp::empty(if mv.at_least(2) { 204 } else { 202 }))
}

pub fn limits(cloud: &Cloud, ctx: &Ctx) -> Resp {
    let servers: Vec<&crate::state::model::Server> = cloud
        .servers
        .values()
        .filter(|s| s.project_id == ctx.project_id && !s.deleted)
        .collect();
    let cores: u32 = servers
        .iter()
        .filter_map(|s| cloud.flavors.get(&s.flavor_id))
        .map(|f| f.vcpus)
        .sum();
    let ram: u32 = servers
        .iter()
        .filter_map(|s| cloud.flavors.get(&s.flavor_id))
        .map(|f| f.ram)
        .sum();
    Resp::ok(json!({"limits": {"rate": [], "absolute": {
        "maxTotalInstances": cloud.quotas.instances, "totalInstancesUsed": servers.len(),
        "maxTotalCores": 1000, "totalCoresUsed": cores,
        "maxTotalRAMSize": 4_096_000, "totalRAMUsed": ram,
        "maxTotalKeypairs": 100, "maxServerMeta": 128
    }}}))
}
