//! The service catalog of a token, and endpoint selection from it.

use serde::Deserialize;

use super::error::{CloudError, CloudResult, CloudService};
use super::settings::EndpointInterface;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CatalogEndpoint {
    pub interface: Option<EndpointInterface>,
    pub region: Option<String>,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CatalogService {
    pub service_type: String,
    pub endpoints: Vec<CatalogEndpoint>,
}

/// Catalog normalised from either the Keystone v3 or the v2.0 shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Catalog {
    pub services: Vec<CatalogService>,
}

#[derive(Deserialize)]
struct V3Service {
    #[serde(rename = "type")]
    service_type: String,
    #[serde(default)]
    endpoints: Vec<V3Endpoint>,
}

#[derive(Deserialize)]
struct V3Endpoint {
    #[serde(default)]
    interface: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    region_id: Option<String>,
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct V2Service {
    #[serde(rename = "type")]
    service_type: String,
    #[serde(default)]
    endpoints: Vec<V2Endpoint>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2Endpoint {
    #[serde(default)]
    region: Option<String>,
    #[serde(default, rename = "publicURL")]
    public_url: Option<String>,
    #[serde(default, rename = "internalURL")]
    internal_url: Option<String>,
    #[serde(default, rename = "adminURL")]
    admin_url: Option<String>,
}

/// Official type first, then the aliases in preference order
/// (service-types-authority).
fn type_aliases(service: CloudService) -> &'static [&'static str] {
    match service {
        CloudService::Identity => &["identity"],
        CloudService::Compute => &["compute"],
        CloudService::Network => &["network"],
        CloudService::Image => &["image"],
        CloudService::BlockStorage => &["block-storage", "volumev3", "volumev2", "volume", "block-store"],
    }
}

impl Catalog {
    pub fn from_v3(value: &serde_json::Value) -> CloudResult<Self> {
        let services: Vec<V3Service> = serde_json::from_value(value.clone())
            .map_err(|e| CloudError::invalid_response(CloudService::Identity, format!("catalog: {e}")))?;
        Ok(Catalog {
            services: services
                .into_iter()
                .map(|s| CatalogService {
                    service_type: s.service_type,
                    endpoints: s
                        .endpoints
                        .into_iter()
                        .map(|e| CatalogEndpoint {
                            interface: e.interface.as_deref().and_then(EndpointInterface::parse),
                            region: e.region_id.or(e.region),
                            url: e.url,
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    pub fn from_v2(value: &serde_json::Value) -> CloudResult<Self> {
        let services: Vec<V2Service> = serde_json::from_value(value.clone())
            .map_err(|e| CloudError::invalid_response(CloudService::Identity, format!("serviceCatalog: {e}")))?;
        Ok(Catalog {
            services: services
                .into_iter()
                .map(|s| {
                    let mut endpoints = Vec::new();
                    for e in s.endpoints {
                        for (interface, url) in [
                            (EndpointInterface::Public, e.public_url),
                            (EndpointInterface::Internal, e.internal_url),
                            (EndpointInterface::Admin, e.admin_url),
                        ] {
                            if let Some(url) = url {
                                endpoints.push(CatalogEndpoint {
                                    interface: Some(interface),
                                    region: e.region.clone(),
                                    url,
                                });
                            }
                        }
                    }
                    CatalogService {
                        service_type: s.service_type,
                        endpoints,
                    }
                })
                .collect(),
        })
    }

    /// Picks the endpoint URL for a service: type (or alias), then interface
    /// preference, then region; empty URLs are skipped. The URL is returned
    /// without a trailing slash and without version suffix handling.
    pub fn endpoint(
        &self,
        service: CloudService,
        interfaces: &[EndpointInterface],
        region: Option<&str>,
    ) -> CloudResult<String> {
        let candidates = type_aliases(service).iter().find_map(|wanted| {
            let found: Vec<&CatalogEndpoint> = self
                .services
                .iter()
                .filter(|s| s.service_type == *wanted)
                .flat_map(|s| s.endpoints.iter())
                .filter(|e| !e.url.trim().is_empty())
                .filter(|e| match region {
                    Some(r) => e.region.as_deref().is_some_and(|er| er.eq_ignore_ascii_case(r)),
                    None => true,
                })
                .collect();
            (!found.is_empty()).then_some(found)
        });
        let Some(candidates) = candidates else {
            return Err(CloudError::invalid_response(
                service,
                format!(
                    "no {service} endpoint in the token catalog{}",
                    region.map(|r| format!(" for region {r}")).unwrap_or_default()
                ),
            ));
        };
        interfaces
            .iter()
            .find_map(|wanted| candidates.iter().find(|e| e.interface == Some(*wanted)))
            .map(|e| e.url.trim().trim_end_matches('/').to_owned())
            .ok_or_else(|| {
                CloudError::invalid_response(service, format!("no {service} endpoint with interface {interfaces:?}"))
            })
    }
}

/// Appends `suffix` (`/v2.0`, `/v2`, `/v3`) unless the URL already ends with it.
pub(crate) fn with_version(url: &str, suffix: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    if trimmed.ends_with(suffix) {
        trimmed.to_owned()
    } else {
        format!("{trimmed}{suffix}")
    }
}

/// Interfaces to try for a configured preference.
pub(crate) fn interface_preference(preferred: EndpointInterface) -> Vec<EndpointInterface> {
    match preferred {
        EndpointInterface::Public => vec![EndpointInterface::Public],
        other => vec![other, EndpointInterface::Public],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v3() -> Catalog {
        Catalog::from_v3(&json!([
            {"type": "compute", "name": "nova", "id": "1", "endpoints": [
                {"id": "a", "interface": "public", "region": "RegionOne", "region_id": "RegionOne", "url": "http://ctl/compute/v2.1/"},
                {"id": "b", "interface": "internal", "region": "RegionOne", "region_id": "RegionOne", "url": "http://10.0.0.5:8774/v2.1"},
                {"id": "c", "interface": "public", "region": "RegionTwo", "region_id": "RegionTwo", "url": "http://two/compute/v2.1"}
            ]},
            {"type": "volumev3", "name": "cinderv3", "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "url": "http://ctl/volume/v3/p1"}
            ]},
            {"type": "block-storage", "name": "cinder", "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "url": ""},
                {"interface": "public", "region_id": "RegionOne", "url": "http://ctl/volume/v3/p1-official"}
            ]},
            {"type": "network", "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "url": "http://ctl:9696/"}
            ]}
        ]))
        .unwrap()
    }

    #[test]
    fn prefers_interface_in_order() {
        let c = v3();
        let internal = interface_preference(EndpointInterface::Internal);
        assert_eq!(
            c.endpoint(CloudService::Compute, &internal, Some("RegionOne")).unwrap(),
            "http://10.0.0.5:8774/v2.1"
        );
        assert_eq!(
            c.endpoint(CloudService::Network, &internal, Some("RegionOne")).unwrap(),
            "http://ctl:9696"
        );
    }

    #[test]
    fn filters_by_region() {
        let c = v3();
        let public = [EndpointInterface::Public];
        assert_eq!(
            c.endpoint(CloudService::Compute, &public, Some("regiontwo")).unwrap(),
            "http://two/compute/v2.1"
        );
        assert!(c.endpoint(CloudService::Compute, &public, Some("Nowhere")).is_err());
    }

    #[test]
    fn official_block_storage_type_wins_over_aliases_and_empty_urls_are_skipped() {
        let c = v3();
        assert_eq!(
            c.endpoint(CloudService::BlockStorage, &[EndpointInterface::Public], None)
                .unwrap(),
            "http://ctl/volume/v3/p1-official"
        );
    }

    #[test]
    fn missing_service_is_an_error() {
        let c = v3();
        let e = c
            .endpoint(CloudService::Image, &[EndpointInterface::Public], None)
            .unwrap_err();
        assert!(matches!(e, CloudError::InvalidResponse(_)));
    }

    #[test]
    fn parses_the_v2_service_catalog() {
        let c = Catalog::from_v2(&json!([
            {"type": "compute", "name": "nova", "endpoints": [
                {"region": "KR1", "publicURL": "https://kr1-api-instance/v2/t1"},
                {"region": "KR2", "publicURL": "https://kr2-api-instance/v2/t1"}]},
            {"type": "volumev2", "name": "cinderv2", "endpoints": [
                {"region": "KR1", "publicURL": "https://kr1-bs/v2/t1"}]}
        ]))
        .unwrap();
        let public = [EndpointInterface::Public];
        assert_eq!(
            c.endpoint(CloudService::Compute, &public, Some("kr2")).unwrap(),
            "https://kr2-api-instance/v2/t1"
        );
        assert_eq!(
            c.endpoint(CloudService::BlockStorage, &public, Some("KR1")).unwrap(),
            "https://kr1-bs/v2/t1"
        );
    }

    #[test]
    fn version_suffix_is_appended_once() {
        assert_eq!(with_version("http://h:9696/", "/v2.0"), "http://h:9696/v2.0");
        assert_eq!(
            with_version("http://h/networking/v2.0", "/v2.0"),
            "http://h/networking/v2.0"
        );
        assert_eq!(with_version("http://h/image", "/v2"), "http://h/image/v2");
        assert_eq!(with_version("http://h/identity/v3/", "/v3"), "http://h/identity/v3");
    }
}
