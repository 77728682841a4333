//! Builds the HTTP server from settings and a bound listener, so tests start
//! the real server on port 0 against their own database. actix stops on
//! SIGTERM/SIGINT: it stops accepting and lets in-flight requests finish
//! (up to 30 s).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use common::application::Services;
use common::application::auth::password::PasswordHasher;
use common::application::auth::revocation::RevocationCache;
use common::application::auth::token::TokenIssuer;
use common::application::project_cloud::ProjectClouds;
use common::application::provisioning::{NoCloud, ProjectProvisioner};
use common::application::users;
use common::error::AppError;
use common::infrastructure::cloud::CloudConnector;
use sqlx::MySqlPool;

use crate::cloud::IdentityProvisioner;
use crate::extractors::{json_config, path_config, query_config};
use crate::metrics::Metrics;
use crate::middleware::{idempotency, observe, request_id};
use crate::routes;
use crate::settings::Settings;

pub struct Application {
    port: u16,
    server: Server,
}

fn io_error(e: AppError) -> std::io::Error {
    std::io::Error::other(format!("{e:?}"))
}

impl Application {
    /// Connects, migrates (unless disabled), creates the bootstrap admin and
    /// binds. OpenStack projects are provisioned through the identity adapter
    /// when `OS_AUTH_URL` is set, refused with 503 otherwise.
    pub async fn build(settings: Settings, listener: TcpListener) -> std::io::Result<Self> {
        let provisioner: Arc<dyn ProjectProvisioner> = match settings.openstack.clone() {
            Some(openstack) => Arc::new(IdentityProvisioner::connect(openstack).map_err(io_error)?),
            None => Arc::new(NoCloud),
        };
        Self::build_with(settings, listener, provisioner).await
    }

    pub async fn build_with(
        settings: Settings,
        listener: TcpListener,
        provisioner: Arc<dyn ProjectProvisioner>,
    ) -> std::io::Result<Self> {
        let pool = common::infrastructure::db::connect(&settings.database)
            .await
            .map_err(io_error)?;
        if settings.database.run_migrations {
            common::infrastructure::db::run_migrations(&pool)
                .await
                .map_err(io_error)?;
        }
        Self::with_pool(settings, pool, listener, provisioner).await
    }

    pub async fn with_pool(
        settings: Settings,
        pool: MySqlPool,
        listener: TcpListener,
        provisioner: Arc<dyn ProjectProvisioner>,
    ) -> std::io::Result<Self> {
        let services = services(&settings, pool, provisioner).map_err(io_error)?;
        if let Some((account, password)) = settings.accounts.bootstrap_admin.clone()
            && users::ensure_bootstrap_admin(&services, account.clone(), password)
                .await
                .map_err(io_error)?
        {
            tracing::info!(account_id = %account, "bootstrap admin created");
        }
        let port = listener.local_addr()?.port();
        let services = web::Data::new(services);
        let metrics = web::Data::new(Metrics::default());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(services.clone())
                .app_data(metrics.clone())
                .app_data(path_config())
                .app_data(query_config())
                .app_data(json_config())
                .configure(routes::configure)
                .default_service(web::to(routes::not_found))
                .wrap(from_fn(idempotency::middleware))
                .wrap(from_fn(observe::middleware))
                .wrap(from_fn(request_id::middleware))
        })
        .listen(listener)?
        .shutdown_timeout(30)
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until SIGTERM or Ctrl-C; in-flight requests finish first.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn services(
    settings: &Settings,
    pool: MySqlPool,
    provisioner: Arc<dyn ProjectProvisioner>,
) -> Result<Services, AppError> {
    let clouds = cloud_connector(settings)
        .map_err(AppError::internal)?
        .map(|connector| Arc::new(ProjectClouds::new(connector)));
    let credential_cipher = settings.credential_cipher.clone();
    Ok(Services {
        pool,
        passwords: PasswordHasher::new(settings.accounts.max_concurrent_hashes)?,
        tokens: TokenIssuer::new(&settings.jwt),
        revocations: RevocationCache::new(settings.accounts.revocation_cache_ttl),
        throttle: settings.throttle.clone(),
        quota_defaults: settings.quota_defaults.clone(),
        provisioner,
        credential_cipher,
        signup_enabled: settings.accounts.signup_enabled,
        clouds,
    })
}

/// The configured clouds, or `None` when neither OpenStack nor NHN is set.
fn cloud_connector(settings: &Settings) -> std::io::Result<Option<Arc<CloudConnector>>> {
    if settings.openstack.is_none() && settings.nhn.is_none() {
        return Ok(None);
    }
    CloudConnector::new(settings.openstack.clone(), settings.nhn.clone())
        .map(|c| Some(Arc::new(c)))
        .map_err(|e| std::io::Error::other(format!("cloud settings: {e}")))
}
