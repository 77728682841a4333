//! What every fresh cloud contains: flavors, images, volume types, zones, the external network.
use std::collections::BTreeMap;

use super::cloud::Cloud;
use super::model::{Flavor, Image, VolumeType};

fn flavor(id: String, name: &str, vcpus: u32, ram: u32, disk: u32, local_disk: bool) -> Flavor {
    Flavor {
        id,
        name: name.to_string(),
        vcpus,
        ram,
        disk,
        ephemeral: 0,
        swap: 0,
        is_public: true,
        local_disk,
    }
}

pub fn seed_openstack(cloud: &mut Cloud) {
    for (id, name, vcpus, ram, disk) in [
        ("1", "m1.tiny", 1, 512, 1),
        ("2", "m1.small", 1, 2048, 20),
        ("3", "m1.medium", 2, 4096, 40),
        ("4", "m1.large", 4, 8192, 80),
        ("5", "m1.xlarge", 8, 16384, 160),
    ] {
        cloud
            .flavors
            .insert(id.to_string(), flavor(id.to_string(), name, vcpus, ram, disk, true));
    }
    cloud.azs = vec!["nova".to_string()];
    seed_images(
        cloud,
        &[
            ("cirros-0.6.2-x86_64-disk", 0, 21_430_272),
            ("ubuntu-22.04", 10, 660_000_000),
        ],
    );
    seed_volume_types(cloud, &[("lvm-1", "lvm"), ("ssd", "ssd")]);
    seed_external_network(cloud, "public", None, "public-subnet", "172.24.0.0/16");
}

pub fn seed_nhn(cloud: &mut Cloud) {
    for (name, vcpus, ram, local) in [
        ("m2.c1m2", 1, 2048, false),
        ("m2.c2m4", 2, 4096, false),
        ("c2.c4m8", 4, 8192, false),
        ("u2.c2m4", 2, 4096, true),
    ] {
        let id = cloud.uuid();
        let disk = if local { 20 } else { 0 };
        cloud
            .flavors
            .insert(id.clone(), flavor(id, name, vcpus, ram, disk, local));
    }
    let region = cloud.region.to_ascii_lowercase();
    cloud.azs = vec![format!("{region}-pub-a"), format!("{region}-pub-b")];
    seed_images(
        cloud,
        &[
            ("Ubuntu Server 22.04 LTS", 10, 3_000_000_000),
            ("Rocky Linux 9", 10, 2_000_000_000),
        ],
    );
    seed_volume_types(cloud, &[("General HDD", "hdd_general"), ("General SSD", "ssd_general")]);
    seed_external_network(
        cloud,
        "public_network",
        Some("0.0.0.0/0".to_string()),
        "public_subnet",
        "133.186.240.0/22",
    );
}

fn seed_images(cloud: &mut Cloud, images: &[(&str, u32, u64)]) {
    let now = cloud.now;
    for (name, min_disk, size) in images {
        let id = cloud.uuid();
        let mut properties = BTreeMap::new();
        properties.insert("hw_disk_bus".to_string(), "virtio".to_string());
        properties.insert("os_type".to_string(), "linux".to_string());
        cloud.images.insert(
            id.clone(),
            Image {
                id,
                name: name.to_string(),
                status: "active".into(),
                visibility: "public".into(),
                owner: "admin".into(),
                min_disk: *min_disk,
                min_ram: 0,
                size: *size,
                disk_format: "qcow2".into(),
                container_format: "bare".into(),
                created: now,
                properties,
            },
        );
    }
}

fn seed_volume_types(cloud: &mut Cloud, types: &[(&str, &str)]) {
    for (i, (name, backend)) in types.iter().enumerate() {
        let id = cloud.uuid();
        if i == 0 {
            cloud.default_volume_type = name.to_string();
        }
        cloud.volume_types.insert(
            id.clone(),
            VolumeType {
                id,
                name: name.to_string(),
                description: None,
                backend: backend.to_string(),
            },
        );
    }
}

fn seed_external_network(cloud: &mut Cloud, name: &str, vpc_cidr: Option<String>, subnet_name: &str, cidr: &str) {
    let net = cloud.insert_network("admin", name, true, true, vpc_cidr);
    let _ = cloud.insert_subnet("admin", &net, subnet_name, cidr, None);
    cloud.external_network_id = net;
}
