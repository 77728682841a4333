//! Which simulated service a path belongs to, and where that service's root is.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Service {
    Identity,
    Compute,
    Network,
    BlockStorage,
    Image,
    NhnIdentity,
    NhnCompute,
    NhnBlockStorage,
    NhnNetwork,
    NhnImage,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Identity => "identity",
            Service::Compute => "compute",
            Service::Network => "network",
            Service::BlockStorage => "block-storage",
            Service::Image => "image",
            Service::NhnIdentity => "nhn-identity",
            Service::NhnCompute => "nhn-compute",
            Service::NhnBlockStorage => "nhn-block-storage",
            Service::NhnNetwork => "nhn-network",
            Service::NhnImage => "nhn-image",
        }
    }

    pub fn is_nhn(self) -> bool {
        self.name().starts_with("nhn-")
    }

    pub fn is_identity(self) -> bool {
        matches!(self, Service::Identity | Service::NhnIdentity)
    }

    pub fn is_compute(self) -> bool {
        matches!(self, Service::Compute | Service::NhnCompute)
    }

    pub fn is_network(self) -> bool {
        matches!(self, Service::Network | Service::NhnNetwork)
    }

    pub fn is_block_storage(self) -> bool {
        matches!(self, Service::BlockStorage | Service::NhnBlockStorage)
    }

    pub fn is_image(self) -> bool {
        matches!(self, Service::Image | Service::NhnImage)
    }

    /// A fault rule naming `compute` hits both clouds; `nhn-compute` only NHN.
    pub fn matches_target(self, target: &str) -> bool {
        let name = self.name();
        target == "*" || target == name || name.strip_prefix("nhn-") == Some(target)
    }
}

pub const OPENSTACK_CLOUD: &str = "openstack";

pub fn nhn_cloud_key(region: &str) -> String {
    format!("nhn-{}", region.to_ascii_lowercase())
}

#[derive(Debug, Clone)]
pub struct Route {
    pub service: Service,
    pub cloud: String,
    pub rest: Vec<String>,
    /// Project/tenant id embedded in the URL (cinder, NHN compute/block storage).
    pub tenant: Option<String>,
    pub root: String,
    /// The unversioned service root (version discovery documents).
    pub versionless: bool,
}

const KEYSTONE_COLLECTIONS: &[&str] = &[
    "auth",
    "users",
    "projects",
    "domains",
    "roles",
    "role_assignments",
    "regions",
    "services",
    "endpoints",
];

/// Since volume API 3.67 the project id may be left out of the URL.
const CINDER_COLLECTIONS: &[&str] = &["volumes", "types", "os-availability-zone", "snapshots", "limits"];

pub enum Classified {
    Control(Vec<String>),
    Service(Route),
    Unknown,
}

pub fn classify(segs: &[String], base: &str, nhn_regions: &[String]) -> Classified {
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let rest = |n: usize| segs[n.min(segs.len())..].to_vec();
    let route = |service, cloud: &str, n: usize, tenant: Option<&str>, root: String| {
        Classified::Service(Route {
            service,
            cloud: cloud.to_string(),
            rest: rest(n),
            tenant: tenant.map(str::to_string),
            root,
            versionless: false,
        })
    };
    let versionless = |service, cloud: &str, root: String| {
        Classified::Service(Route {
            service,
            cloud: cloud.to_string(),
            rest: Vec::new(),
            tenant: None,
            root,
            versionless: true,
        })
    };
    let os = OPENSTACK_CLOUD;
    match s.as_slice() {
        ["_sim", ..] => Classified::Control(rest(1)),
        ["identity"] => versionless(Service::Identity, os, format!("{base}/identity")),
        ["identity", "v3", ..] => route(Service::Identity, os, 2, None, format!("{base}/identity/v3")),
        ["v3", first, ..] if KEYSTONE_COLLECTIONS.contains(first) => {
            route(Service::Identity, os, 1, None, format!("{base}/v3"))
        }
        ["compute"] => versionless(Service::Compute, os, format!("{base}/compute")),
        ["compute", "v2.1", ..] => route(Service::Compute, os, 2, None, format!("{base}/compute/v2.1")),
        ["v2.1", ..] => route(Service::Compute, os, 1, None, format!("{base}/v2.1")),
        ["networking"] => versionless(Service::Network, os, format!("{base}/networking")),
        ["networking", "v2.0", ..] => route(Service::Network, os, 2, None, format!("{base}/networking/v2.0")),
        ["v2.0", ..] => route(Service::Network, os, 1, None, format!("{base}/v2.0")),
        ["volume"] | ["volume", "v3"] => versionless(Service::BlockStorage, os, format!("{base}/volume")),
        ["volume", "v3", first, ..] if CINDER_COLLECTIONS.contains(first) => {
            route(Service::BlockStorage, os, 2, None, format!("{base}/volume/v3"))
        }
        ["volume", "v3", pid, ..] => route(
            Service::BlockStorage,
            os,
            3,
            Some(pid),
            format!("{base}/volume/v3/{pid}"),
        ),
        ["v3", first, ..] if CINDER_COLLECTIONS.contains(first) => {
            route(Service::BlockStorage, os, 1, None, format!("{base}/v3"))
        }
        ["v3", pid, ..] => route(Service::BlockStorage, os, 2, Some(pid), format!("{base}/v3/{pid}")),
        ["image"] | ["image", "versions"] => versionless(Service::Image, os, format!("{base}/image")),
        ["image", "v2", ..] => route(Service::Image, os, 2, None, format!("{base}/image/v2")),
        ["nhn", "identity", "v2.0", ..] => {
            route(Service::NhnIdentity, os, 3, None, format!("{base}/nhn/identity/v2.0"))
        }
        ["nhn", region, kind, ..] => {
            let Some(region_name) = nhn_regions.iter().find(|r| r.eq_ignore_ascii_case(region)) else {
                return Classified::Unknown;
            };
            let cloud = nhn_cloud_key(region_name);
            let prefix = format!("{base}/nhn/{}", region.to_ascii_lowercase());
            match (*kind, &s[3..]) {
                ("compute", ["v2", tenant, ..]) => route(
                    Service::NhnCompute,
                    &cloud,
                    5,
                    Some(tenant),
                    format!("{prefix}/compute/v2/{tenant}"),
                ),
                ("block-storage", ["v2", tenant, ..]) => route(
                    Service::NhnBlockStorage,
                    &cloud,
                    5,
                    Some(tenant),
                    format!("{prefix}/block-storage/v2/{tenant}"),
                ),
                ("network", []) => versionless(Service::NhnNetwork, &cloud, format!("{prefix}/network")),
                ("network", ["v2.0", ..]) => {
                    route(Service::NhnNetwork, &cloud, 4, None, format!("{prefix}/network/v2.0"))
                }
                ("image", []) => versionless(Service::NhnImage, &cloud, format!("{prefix}/image")),
                ("image", ["v2", ..]) => route(Service::NhnImage, &cloud, 4, None, format!("{prefix}/image/v2")),
                _ => Classified::Unknown,
            }
        }
        _ => Classified::Unknown,
    }
}
