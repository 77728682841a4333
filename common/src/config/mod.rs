//! Settings from the environment (and an optional `.env`), validated once at
//! start. Each binary composes the sections it needs; a bad or missing value
//! stops the process with one line that names the variable.

mod cloud;

pub use cloud::CloudSettings;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "configuration error: {} {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// A value that must never reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Where settings are read from: the process environment, or a fixed map in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl ProcessEnv {
    /// Loads `.env` from the working directory if present; real environment
    /// variables win over it.
    pub fn with_dotenv() -> Self {
        let _ = dotenvy::dotenv();
        ProcessEnv
    }
}

impl Source for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Source for std::collections::HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Typed reads with error messages that say which variable and why.
pub struct Env<'a> {
    source: &'a dyn Source,
}

impl<'a> Env<'a> {
    pub fn new(source: &'a dyn Source) -> Self {
        Self { source }
    }

    fn raw(&self, name: &str) -> Option<String> {
        self.source
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub fn optional_string(&self, name: &str) -> Option<String> {
        self.raw(name)
    }

    pub fn string(&self, name: &str, default: &str) -> String {
        self.raw(name).unwrap_or_else(|| default.to_owned())
    }

    pub fn required_string(&self, name: &str, hint: &str) -> Result<String, ConfigError> {
        self.raw(name)
            .ok_or_else(|| error(name, format!("is required ({hint})")))
    }

    pub fn parsed<T: FromStr>(&self, name: &str, default: T, expected: &str) -> Result<T, ConfigError> {
        match self.raw(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| error(name, format!("must be {expected}, got {v:?}"))),
        }
    }

    pub fn bool(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.raw(name).map(|v| v.to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => Err(error(name, format!("must be true or false, got {v:?}"))),
        }
    }

    pub fn seconds(&self, name: &str, default_secs: u64) -> Result<Duration, ConfigError> {
        self.parsed(name, default_secs, "a whole number of seconds")
            .map(Duration::from_secs)
    }
}

pub fn error(variable: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_owned(),
        problem: problem.into(),
    }
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: Secret,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    pub run_migrations: bool,
}

impl DatabaseSettings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let url = env.required_string("DATABASE_URL", "e.g. mysql://root@127.0.0.1:3306/cloudplane")?;
        if let Err(e) = sqlx::mysql::MySqlConnectOptions::from_str(&url) {
            return Err(error("DATABASE_URL", format!("is not a valid mysql:// URL ({e})")));
        }
        Ok(Self {
            url: Secret::new(url),
            max_connections: env.parsed("DATABASE_MAX_CONNECTIONS", 10, "a positive whole number")?,
            acquire_timeout: env.seconds("DATABASE_ACQUIRE_TIMEOUT_SECS", 3)?,
            run_migrations: env.bool("DATABASE_RUN_MIGRATIONS", true)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

#[derive(Debug, Clone)]
pub struct TelemetrySettings {
    pub format: LogFormat,
    pub filter: String,
}

impl TelemetrySettings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let format = match env.string("LOG_FORMAT", "json").to_ascii_lowercase().as_str() {
            "json" => LogFormat::Json,
            "pretty" => LogFormat::Pretty,
            other => return Err(error("LOG_FORMAT", format!("must be json or pretty, got {other:?}"))),
        };
        Ok(Self {
            format,
            filter: env.string("RUST_LOG", "info"),
        })
    }
}

/// Signing of access tokens.
#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub secret: Secret,
    pub ttl: Duration,
}

impl JwtSettings {
    pub const MIN_SECRET_BYTES: usize = 32;

    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let secret = env.required_string(
            "JWT_SECRET",
            "a random string of at least 32 bytes, e.g. `openssl rand -hex 32`",
        )?;
        if secret.len() < Self::MIN_SECRET_BYTES {
            return Err(error(
                "JWT_SECRET",
                format!(
                    "must be at least {} bytes long, got {}",
                    Self::MIN_SECRET_BYTES,
                    secret.len()
                ),
            ));
        }
        let minutes: u64 = env.parsed("JWT_TTL_MINUTES", 60, "a whole number of minutes")?;
        if minutes == 0 {
            return Err(error("JWT_TTL_MINUTES", "must be at least 1"));
        }
        Ok(Self {
            secret: Secret::new(secret),
            ttl: Duration::from_secs(minutes * 60),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn missing_jwt_secret_names_the_variable() {
        let src = env_of(&[]);
        let err = JwtSettings::from_env(&Env::new(&src)).unwrap_err();
        assert_eq!(err.variable, "JWT_SECRET");
        assert!(
            err.to_string()
                .starts_with("configuration error: JWT_SECRET is required")
        );
    }

    #[test]
    fn short_jwt_secret_is_refused() {
        let src = env_of(&[("JWT_SECRET", "short")]);
        let err = JwtSettings::from_env(&Env::new(&src)).unwrap_err();
        assert!(err.problem.contains("at least 32 bytes"), "{err}");
    }

    #[test]
    fn unparsable_database_url_is_refused() {
        let src = env_of(&[("DATABASE_URL", "postgres//nope")]);
        let err = DatabaseSettings::from_env(&Env::new(&src)).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
        assert!(err.problem.contains("not a valid mysql:// URL"), "{err}");
    }

    #[test]
    fn database_url_does_not_show_in_debug_output() {
        let src = env_of(&[("DATABASE_URL", "mysql://root:hunter2@127.0.0.1:3306/x")]);
        let db = DatabaseSettings::from_env(&Env::new(&src)).unwrap();
        assert!(!format!("{db:?}").contains("hunter2"));
    }

    #[test]
    fn bad_number_names_variable_and_value() {
        let src = env_of(&[
            ("DATABASE_URL", "mysql://root@127.0.0.1/x"),
            ("DATABASE_MAX_CONNECTIONS", "many"),
        ]);
        let err = DatabaseSettings::from_env(&Env::new(&src)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration error: DATABASE_MAX_CONNECTIONS must be a positive whole number, got \"many\""
        );
    }

    #[test]
    fn unknown_log_format_is_refused() {
        let src = env_of(&[("LOG_FORMAT", "xml")]);
        assert_eq!(
            TelemetrySettings::from_env(&Env::new(&src)).unwrap_err().variable,
            "LOG_FORMAT"
        );
    }
}
