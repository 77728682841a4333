//! Our cloud settings for the service account of a running cloud_sim.

use cloud_sim::SimServer;
use common::infrastructure::cloud::{EndpointInterface, HttpSettings, OpenStackSettings, Secret};

pub fn openstack_settings(sim: &SimServer, interface: EndpointInterface, http: HttpSettings) -> OpenStackSettings {
    let c = sim.service_credentials();
    OpenStackSettings {
        auth_url: c.auth_url,
        username: c.username,
        password: Secret::new(c.password),
        user_domain_name: c.user_domain,
        project_name: c.project,
        project_domain_name: c.project_domain,
        region: Some(c.region),
        interface,
        member_role_name: "member".into(),
        http,
    }
}
