//! OpenStack adapter: Keystone v3 service user, Nova v2.1, Neutron v2.0,
//! Cinder v3, Glance v2, endpoints from the token catalog.

mod auth;
mod identity;
mod inventory;

use std::sync::Arc;

use super::catalog::interface_preference;
use super::error::CloudResult;
use super::http::HttpCore;
use super::model::Provider;
use super::port::{CloudInventory, CloudProject, IdentityApi};
use super::project::ProjectClient;
use super::rate::CallRate;
use super::session::{Dialect, Session};
use super::settings::OpenStackSettings;

use auth::{KeystoneAuth, Scope, ScopedSource};

/// One OpenStack cloud reached with the service user. Cheap to share; token
/// caches live here, so keep one per process.
pub struct OpenStackCloud {
    http: Arc<HttpCore>,
    auth: Arc<KeystoneAuth>,
    settings: OpenStackSettings,
}

impl OpenStackCloud {
    pub fn new(settings: OpenStackSettings) -> CloudResult<Self> {
        Self::with_call_rate(settings, None)
    }

    /// Every call of this cloud, from every task, passes through `rate`.
    pub fn with_call_rate(settings: OpenStackSettings, rate: Option<Arc<CallRate>>) -> CloudResult<Self> {
        let http = Arc::new(HttpCore::new("openstack", settings.http.clone(), rate)?);
        let auth = Arc::new(KeystoneAuth::new(http.clone(), settings.clone()));
        Ok(OpenStackCloud { http, auth, settings })
    }

    fn session(&self, scope: Scope) -> Session {
        Session {
            http: self.http.clone(),
            tokens: Arc::new(ScopedSource {
                auth: self.auth.clone(),
                scope,
            }),
            dialect: Dialect::OpenStack,
            interfaces: interface_preference(self.settings.interface),
            region: self.settings.region.clone(),
            identity_root: Some(self.auth.identity_root()),
        }
    }

    /// The resources of one managed project, with a token scoped to it.
    pub fn project(&self, project_id: &str) -> Arc<dyn CloudProject> {
        Arc::new(ProjectClient {
            session: self.session(Scope::Project(project_id.to_owned())),
            provider: Provider::OpenStack,
            project_id: project_id.to_owned(),
        })
    }

    /// Users, projects and roles, with the service user's admin token.
    pub fn identity(&self) -> Arc<dyn IdentityApi> {
        Arc::new(identity::KeystoneIdentity::new(
            self.session(Scope::Service),
            self.settings.member_role_name.clone(),
        ))
    }

    /// Listing across projects with the admin token (`all_tenants`).
    /// `managed` restricts the result to those project ids; `None` returns
    /// everything the cloud has.
    pub fn inventory(&self, managed: Option<Vec<String>>) -> Arc<dyn CloudInventory> {
        Arc::new(inventory::AdminInventory::new(self.session(Scope::Service), managed))
    }
}
