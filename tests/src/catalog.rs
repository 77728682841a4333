//! What a tenant picks from `GET /catalog/*` to create servers, volumes and
//! floating IPs: the smallest flavor, the image needing the least disk, the
//! project's internal and external networks, a volume type.

use serde_json::Value;

use crate::api::Api;

#[derive(Debug, Clone)]
pub struct Choices {
    pub flavor_id: String,
    pub image_id: String,
    pub network_id: String,
    pub external_network_id: String,
    pub volume_type_id: String,
    /// GiB for a root volume the image fits on.
    pub root_size: i64,
}

impl Choices {
    pub async fn read(tenant: &Api) -> Choices {
        let flavors = list(tenant, "flavors").await;
        let flavor = smallest(&flavors, "ram_mb");
        let images = list(tenant, "images").await;
        let image = smallest(&images, "min_disk_gb");
        let networks = list(tenant, "networks").await;
        let network = |external: bool| {
            networks
                .iter()
                .find(|n| n["external"].as_bool() == Some(external))
                .unwrap_or_else(|| panic!("no network with external={external} in {networks:?}"))
        };
        let types = list(tenant, "volume-types").await;
        Choices {
            flavor_id: text(flavor, "id"),
            image_id: text(image, "id"),
            network_id: text(network(false), "id"),
            external_network_id: text(network(true), "id"),
            volume_type_id: text(types.first().unwrap_or_else(|| panic!("no volume type")), "id"),
            root_size: image["min_disk_gb"].as_i64().unwrap_or(0).max(10),
        }
    }
}

async fn list(tenant: &Api, what: &str) -> Vec<Value> {
    let body = tenant.get(&format!("/catalog/{what}")).await.expect(200);
    let key = what.replace('-', "_");
    let items = body[key.as_str()]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {body}"))
        .clone();
    assert!(!items.is_empty(), "the catalog lists no {what}");
    items
}

fn smallest<'a>(items: &'a [Value], by: &str) -> &'a Value {
    items
        .iter()
        .min_by_key(|i| i[by].as_u64().unwrap_or(u64::MAX))
        .unwrap_or_else(|| panic!("empty list"))
}

fn text(item: &Value, field: &str) -> String {
    item[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {item}"))
        .to_owned()
}
