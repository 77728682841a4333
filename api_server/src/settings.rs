//! Everything api_server reads from the environment, validated at start.

use std::net::SocketAddr;

use common::config::{ConfigError, DatabaseSettings, Env, JwtSettings, TelemetrySettings, error};

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    pub jwt: JwtSettings,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let listen = env.string("API_LISTEN", "127.0.0.1:8080");
        let listen = listen
            .parse()
            .map_err(|_| error("API_LISTEN", format!("must be host:port, got {listen:?}")))?;
        Ok(Self {
            listen,
            database: DatabaseSettings::from_env(env)?,
            telemetry: TelemetrySettings::from_env(env)?,
            jwt: JwtSettings::from_env(env)?,
        })
    }
}
