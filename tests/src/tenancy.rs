//! The admin's part of setting a tenant up: projects on either provider
//! protocol, and members in them.

use serde_json::json;

use crate::api::{Api, id_of};
use crate::sim::Sim;
use crate::stack::{ADMIN_ACCOUNT, ADMIN_PASSWORD};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    OpenStack,
    Nhn,
}

/// A project as the inventory and the simulated cloud know it.
#[derive(Debug, Clone)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub provider: Provider,
    /// The simulator's cloud holding its resources (`openstack`, `nhn-kr1`).
    pub cloud: String,
    /// Keystone project id, or the NHN tenant id.
    pub cloud_project_id: String,
}

/// The bootstrap admin's API, logged in without a project.
pub async fn admin(api_url: &str) -> Api {
    let (admin, body) = Api::new(api_url).login(ADMIN_ACCOUNT, ADMIN_PASSWORD, None).await;
    assert_eq!(body["user"]["role"], "admin");
    admin
}

/// `POST /projects` as the admin: an OpenStack project (a Keystone project
/// is made for it) or one bound to an NHN tenant registered in the simulator.
pub async fn create_project(admin: &Api, sim: &Sim, provider: Provider, name: &str) -> Project {
    let (body, cloud) = match provider {
        Provider::OpenStack => (json!({"name": name}), "openstack".to_owned()),
        Provider::Nhn => {
            let tenant = sim
                .register_nhn_tenant(&format!("{name}@example.com"), "nhn-api-password-1")
                .await;
            let body = json!({"name": name, "provider": "nhn", "cloud": {
                "tenant_id": tenant.tenant_id, "username": tenant.username,
                "password": tenant.api_password, "region": tenant.region}});
            (body, format!("nhn-{}", tenant.region.to_lowercase()))
        }
    };
    let project = admin.post("/projects", body).await.expect(201);
    assert_eq!(project["name"], name);
    let cloud_project_id = project["openstack_id"]
        .as_str()
        .unwrap_or_else(|| panic!("the project has no cloud side: {project}"))
        .to_owned();
    Project {
        id: id_of(&project),
        name: name.to_owned(),
        provider,
        cloud,
        cloud_project_id,
    }
}

/// `POST /projects/{id}/users/{uid}` as the admin.
pub async fn add_member(admin: &Api, project_id: i64, user_id: i64) {
    admin
        .post(&format!("/projects/{project_id}/users/{user_id}"), json!({}))
        .await
        .expect(204);
}
