//! Starting and stopping the simulator, and the handle tests hold.
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use actix_web::{App, HttpServer, web};

use crate::config::SimConfig;
use crate::control::{Counters, OutOfBand, ResourceKind};
use crate::faults::{FaultState, Faults};
use crate::http::dispatch;
use crate::http::route::{OPENSTACK_CLOUD, nhn_cloud_key};
use crate::nhn::store::{NhnTenant, NhnTenantSpec};
use crate::state::State;
use crate::state::rng::derive_seed;

pub struct Shared {
    pub state: Mutex<State>,
    pub faults: Mutex<FaultState>,
}

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The account with the admin role that the control plane uses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceCredentials {
    pub auth_url: String,
    pub username: String,
    pub password: String,
    pub user_domain: String,
    pub project: String,
    pub project_domain: String,
    pub user_id: String,
    pub project_id: String,
    pub region: String,
}

/// A running simulator. Dropping it stops the server too (without waiting).
pub struct SimServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl SimServer {
    /// Binds 127.0.0.1 on a free port.
    pub async fn start(config: SimConfig) -> std::io::Result<SimServer> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_on(config: SimConfig, addr: SocketAddr) -> std::io::Result<SimServer> {
        let listener = std::net::TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let fault_seed = derive_seed(config.seed, "faults");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(config, base_url)),
            faults: Mutex::new(FaultState::new(fault_seed)),
        });
        let data = web::Data::from(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(16 * 1024 * 1024))
                .default_service(web::to(dispatch::entry))
        })
        .workers(2)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)?
        .run();
        let handle = server.handle();
        let task = tokio::spawn(server);
        tracing::info!(%addr, "cloud simulator listening");
        Ok(SimServer {
            shared,
            addr,
            handle,
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// OS_AUTH_URL.
    pub fn keystone_url(&self) -> String {
        format!("{}/identity/v3", self.base_url())
    }

    /// POST `{this}/v2.0/tokens`.
    pub fn nhn_identity_url(&self) -> String {
        format!("{}/nhn/identity", self.base_url())
    }

    pub fn compute_url(&self) -> String {
        format!("{}/compute/v2.1", self.base_url())
    }

    pub fn network_url(&self) -> String {
        format!("{}/networking", self.base_url())
    }

    pub fn volume_url(&self, project_id: &str) -> String {
        format!("{}/volume/v3/{project_id}", self.base_url())
    }

    pub fn image_url(&self) -> String {
        format!("{}/image", self.base_url())
    }

    pub fn service_credentials(&self) -> ServiceCredentials {
        let st = lock(&self.shared.state);
        ServiceCredentials {
            auth_url: self.keystone_url(),
            username: st.config.service_user.clone(),
            password: st.config.service_password.clone(),
            user_domain: "Default".into(),
            project: st.config.service_project.clone(),
            project_domain: "Default".into(),
            user_id: st.keystone.service_user_id.clone(),
            project_id: st.keystone.service_project_id.clone(),
            region: st.config.region.clone(),
        }
    }

    /// Registers a tenant with a generated id, the given user and API password, in the first NHN region.
    pub fn register_nhn_tenant(&self, username: &str, api_password: &str) -> NhnTenant {
        self.register_nhn_tenant_with(NhnTenantSpec {
            username: Some(username.to_string()),
            api_password: Some(api_password.to_string()),
            ..NhnTenantSpec::default()
        })
    }

    pub fn register_nhn_tenant_with(&self, spec: NhnTenantSpec) -> NhnTenant {
        lock(&self.shared.state).register_nhn_tenant(spec)
    }

    pub fn faults(&self) -> Faults {
        Faults {
            shared: self.shared.clone(),
        }
    }

    pub fn counters(&self) -> Counters {
        Counters::snapshot(&lock(&self.shared.state))
    }

    pub fn reset_counters(&self) {
        Counters::reset(&mut lock(&self.shared.state));
    }

    /// Changes behind the control plane's back in the OpenStack cloud.
    pub fn out_of_band(&self) -> OutOfBand {
        OutOfBand::new(self.shared.clone(), OPENSTACK_CLOUD)
    }

    /// Changes behind the control plane's back in an NHN region (`KR1`, ...).
    pub fn out_of_band_nhn(&self, region: &str) -> OutOfBand {
        OutOfBand::new(self.shared.clone(), &nhn_cloud_key(region))
    }

    /// Replaces the per-project limits in every cloud.
    pub fn set_quotas(&self, quotas: crate::config::Quotas) {
        let mut st = lock(&self.shared.state);
        st.config.quotas = quotas.clone();
        for c in st.clouds.values_mut() {
            c.quotas = quotas.clone();
        }
    }

    /// Moves the simulator's clock forward (token expiry, pending transitions).
    pub fn advance_clock(&self, by: std::time::Duration) {
        let mut st = lock(&self.shared.state);
        st.clock_offset += chrono::Duration::from_std(by).unwrap_or_else(|_| chrono::Duration::zero());
        st.advance_all();
    }

    /// Every token of this Keystone user stops validating (as after a password change).
    pub fn revoke_user_tokens(&self, user_id: &str) {
        lock(&self.shared.state).keystone.revoke_user(user_id);
    }

    /// Every token of this NHN tenant stops validating (as after an API password change).
    pub fn revoke_nhn_tenant_tokens(&self, tenant_id: &str) {
        lock(&self.shared.state).nhn.revoke_tenant(tenant_id);
    }

    /// Global request ids (`X-OpenStack-Request-ID`) received in a valid format, oldest first.
    pub fn global_request_ids(&self) -> Vec<String> {
        lock(&self.shared.state).global_request_ids.iter().cloned().collect()
    }

    /// Number of resources of a kind that exist (tombstoned servers excluded).
    pub fn resource_count(&self, kind: ResourceKind) -> usize {
        self.out_of_band().count(kind)
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the server task.
    pub async fn stop(mut self) {
        self.handle.stop(true).await;
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if self.task.is_some() {
            // the stop command is sent when `stop` is called; the returned future only waits
            drop(self.handle.stop(false));
        }
    }
}
