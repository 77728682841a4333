//! Everything api_server reads from the environment, validated at start.

use std::net::SocketAddr;
use std::time::Duration;

use common::application::auth::throttle::ThrottleSettings;
use common::application::credentials::CredentialCipher;
use common::config::{
    CloudSettings, ConfigError, DatabaseSettings, Env, JwtSettings, TelemetrySettings, credential_cipher_from_env,
    error,
};
use common::domain::auth::Password;
use common::domain::quota::{Amounts, QuotaKind};
use common::domain::user::AccountId;
use common::infrastructure::cloud::{NhnSettings, OpenStackSettings};

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    pub jwt: JwtSettings,
    pub accounts: AccountSettings,
    pub throttle: ThrottleSettings,
    pub quota_defaults: Amounts,
    /// Encrypts cloud tenant secrets (`CLOUD_CREDENTIAL_KEY`); `None`: NHN projects are refused.
    pub credential_cipher: Option<CredentialCipher>,
    /// The OpenStack service user (`OS_*`); `None`: OpenStack projects are refused.
    pub openstack: Option<OpenStackSettings>,
    /// NHN Cloud (`NHN_*`); `None`: NHN projects' resources answer 503.
    pub nhn: Option<NhnSettings>,
}

#[derive(Debug, Clone)]
pub struct AccountSettings {
    pub signup_enabled: bool,
    pub bootstrap_admin: Option<(AccountId, Password)>,
    /// How long a "not revoked" answer is trusted without asking MySQL.
    pub revocation_cache_ttl: Duration,
    pub max_concurrent_hashes: usize,
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
            accounts: AccountSettings::from_env(env)?,
            throttle: ThrottleSettings::from_env(env)?,
            quota_defaults: quota_defaults(env)?,
            credential_cipher: credential_cipher_from_env(env)?,
            openstack: CloudSettings::from_env(env)?.openstack,
            nhn: CloudSettings::from_env(env)?.nhn,
        })
    }
}

impl AccountSettings {
    fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let bootstrap_admin = match (
            env.optional_string("BOOTSTRAP_ADMIN_ACCOUNT"),
            env.optional_string("BOOTSTRAP_ADMIN_PASSWORD"),
        ) {
            (Some(account), Some(password)) => Some((
                AccountId::parse(&account).map_err(|e| error("BOOTSTRAP_ADMIN_ACCOUNT", e))?,
                Password::parse(&password).map_err(|e| error("BOOTSTRAP_ADMIN_PASSWORD", e))?,
            )),
            (None, None) => None,
            (Some(_), None) => {
                return Err(error(
                    "BOOTSTRAP_ADMIN_PASSWORD",
                    "is required with BOOTSTRAP_ADMIN_ACCOUNT",
                ));
            }
            (None, Some(_)) => {
                return Err(error(
                    "BOOTSTRAP_ADMIN_ACCOUNT",
                    "is required with BOOTSTRAP_ADMIN_PASSWORD",
                ));
            }
        };
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Ok(Self {
            signup_enabled: env.bool("SIGNUP_ENABLED", true)?,
            bootstrap_admin,
            revocation_cache_ttl: env.seconds("TOKEN_REVOCATION_CACHE_SECS", 2)?,
            max_concurrent_hashes: env.parsed("PASSWORD_HASH_CONCURRENCY", cores, "a positive whole number")?,
        })
    }
}

fn quota_defaults(env: &Env) -> Result<Amounts, ConfigError> {
    let defaults = [
        (QuotaKind::Servers, "QUOTA_DEFAULT_SERVERS", 10),
        (QuotaKind::Vcpus, "QUOTA_DEFAULT_VCPUS", 20),
        (QuotaKind::RamMb, "QUOTA_DEFAULT_RAM_MB", 51_200),
        (QuotaKind::Volumes, "QUOTA_DEFAULT_VOLUMES", 10),
        (QuotaKind::VolumeGb, "QUOTA_DEFAULT_VOLUME_GB", 1_000),
        (QuotaKind::FloatingIps, "QUOTA_DEFAULT_FLOATING_IPS", 5),
        (QuotaKind::SecurityGroups, "QUOTA_DEFAULT_SECURITY_GROUPS", 10),
    ];
    let mut amounts = Amounts::new();
    for (kind, variable, default) in defaults {
        let limit: u32 = env.parsed(variable, default, "a whole number >= 0")?;
        amounts.set(kind, i64::from(limit));
    }
    Ok(amounts)
}
