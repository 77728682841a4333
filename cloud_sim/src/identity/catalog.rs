//! The service catalog returned inside project-scoped tokens; every URL points back at the simulator.
use serde_json::{Value, json};

fn stable_id(label: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::new();
    for round in 0..2u8 {
        for b in label.bytes().chain([round]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

fn service(kind: &str, name: &str, url: &str, region: &str) -> Value {
    let endpoints: Vec<Value> = ["public", "internal", "admin"]
        .iter()
        .map(|iface| {
            json!({
                "id": stable_id(&format!("{kind}/{iface}")),
                "interface": iface,
                "region": region,
                "region_id": region,
                "url": url,
            })
        })
        .collect();
    json!({"type": kind, "name": name, "id": stable_id(kind), "endpoints": endpoints})
}

pub fn keystone_catalog(base: &str, project_id: &str, region: &str) -> Value {
    let volume = format!("{base}/volume/v3/{project_id}");
    json!([
        service("identity", "keystone", &format!("{base}/identity"), region),
        service("compute", "nova", &format!("{base}/compute/v2.1"), region),
        service("network", "neutron", &format!("{base}/networking"), region),
        service("block-storage", "cinder", &volume, region),
        service("volumev3", "cinderv3", &volume, region),
        service("image", "glance", &format!("{base}/image"), region),
    ])
}

/// NHN's v2.0 catalog: only `region` + `publicURL` per endpoint, upper-case regions.
pub fn nhn_catalog(base: &str, tenant_id: &str, regions: &[String]) -> Value {
    let entry = |kind: &str, name: &str, url: &dyn Fn(&str) -> String| {
        let endpoints: Vec<Value> = regions
            .iter()
            .map(|r| json!({"region": r.to_ascii_uppercase(), "publicURL": url(&r.to_ascii_lowercase())}))
            .collect();
        json!({"type": kind, "name": name, "endpoints": endpoints, "endpoints_links": []})
    };
    json!([
        entry("compute", "nova", &|r| format!("{base}/nhn/{r}/compute/v2/{tenant_id}")),
        entry("image", "glance", &|r| format!("{base}/nhn/{r}/image")),
        entry("identity", "keystone", &|_| format!("{base}/nhn/identity/v2.0")),
        entry("volumev2", "cinderv2", &|r| format!(
            "{base}/nhn/{r}/block-storage/v2/{tenant_id}"
        )),
        entry("network", "neutron", &|r| format!("{base}/nhn/{r}/network")),
    ])
}
