//! Builds the HTTP server from settings and a bound listener, so tests start
//! the real server on port 0 against their own database.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use sqlx::MySqlPool;

use crate::routes;
use crate::settings::Settings;

pub struct Application {
    port: u16,
    server: Server,
}

#[derive(Clone)]
pub struct AppState {
    pub pool: MySqlPool,
}

impl Application {
    pub async fn build(settings: Settings, listener: TcpListener) -> std::io::Result<Self> {
        let pool = common::infrastructure::db::connect(&settings.database)
            .await
            .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        if settings.database.run_migrations {
            common::infrastructure::db::run_migrations(&pool)
                .await
                .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        }
        Self::with_pool(pool, listener)
    }

    pub fn with_pool(pool: MySqlPool, listener: TcpListener) -> std::io::Result<Self> {
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState { pool });
        let server = HttpServer::new(move || App::new().app_data(state.clone()).configure(routes::configure))
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
