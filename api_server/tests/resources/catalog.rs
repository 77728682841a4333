use crate::for_both_providers;
use crate::support::{Kind, world};

async fn catalog_listings_are_served_from_a_short_cache(kind: Kind) {
    let w = world(kind).await;
    let first = w.get_json("/catalog/flavors").await;
    assert!(!first["flavors"].as_array().unwrap().is_empty());
    w.sim.faults().error_rate("compute", 1.0, 503);
    let second = w.get("/catalog/flavors").await;
    assert_eq!(second.status(), 200, "cached: no cloud call");
    let zones = w.get("/catalog/availability-zones").await;
    assert_eq!(zones.status(), 503, "not cached yet: the outage shows");
    assert!(zones.headers().get("retry-after").is_some());
    w.sim.faults().clear();
    for path in [
        "/catalog/images",
        "/catalog/networks",
        "/catalog/volume-types",
        "/catalog/availability-zones",
    ] {
        assert_eq!(w.get(path).await.status(), 200, "{path}");
    }
}

for_both_providers!(catalog_listings_are_served_from_a_short_cache);
