//! Everything batch_server reads from the environment, validated at start.

use std::net::SocketAddr;
use std::time::Duration;

use common::config::{CloudSettings, ConfigError, DatabaseSettings, Env, TelemetrySettings, error};

#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database: DatabaseSettings,
    pub telemetry: TelemetrySettings,
    pub schedule: ScheduleSettings,
    pub reconcile: ReconcileSettings,
    pub cloud: CloudSettings,
    /// Identifies this replica in leases and run history.
    pub runner_id: String,
}

#[derive(Debug, Clone)]
pub struct ReconcileSettings {
    pub servers_cron: String,
    pub volumes_cron: String,
    pub floating_ips_cron: String,
    pub network_interfaces_cron: String,
    pub security_groups_cron: String,
    /// Every n-th pass lists everything; the others use changes-since.
    pub full_pass_every: u32,
    pub stuck_after: Duration,
    pub lost_create_grace: Duration,
    /// A resource whose change failed waits `backoff_base * 2^(failures-1)`,
    /// at most `backoff_max`, before it is tried again.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Cloud calls a second towards each cloud, shared by every job (0: no limit).
    pub cloud_rate_per_sec: u32,
}

impl ReconcileSettings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let backoff_base = env.seconds("BATCH_BACKOFF_BASE_SECS", 60)?;
        if backoff_base.is_zero() {
            return Err(error("BATCH_BACKOFF_BASE_SECS", "must be at least 1"));
        }
        let backoff_max = env.seconds("BATCH_BACKOFF_MAX_SECS", 3600)?;
        if backoff_max < backoff_base {
            return Err(error(
                "BATCH_BACKOFF_MAX_SECS",
                "must not be less than BATCH_BACKOFF_BASE_SECS",
            ));
        }
        Ok(Self {
            servers_cron: cron(env, "BATCH_SERVERS_CRON", "*/30 * * * * *")?,
            volumes_cron: cron(env, "BATCH_VOLUMES_CRON", "5/30 * * * * *")?,
            floating_ips_cron: cron(env, "BATCH_FLOATING_IPS_CRON", "10/30 * * * * *")?,
            network_interfaces_cron: cron(env, "BATCH_NETWORK_INTERFACES_CRON", "15/30 * * * * *")?,
            security_groups_cron: cron(env, "BATCH_SECURITY_GROUPS_CRON", "20/30 * * * * *")?,
            full_pass_every: env.parsed("BATCH_FULL_PASS_EVERY", 10, "a positive whole number")?,
            stuck_after: env.seconds("BATCH_STUCK_AFTER_SECS", 1800)?,
            lost_create_grace: env.seconds("BATCH_LOST_CREATE_GRACE_SECS", 300)?,
            backoff_base,
            backoff_max,
            cloud_rate_per_sec: env.parsed("BATCH_CLOUD_RATE_PER_SEC", 20, "a whole number (0: no limit)")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct ScheduleSettings {
    pub lease_ttl: Duration,
    /// Up to this much random delay before each scheduled pass, so replicas
    /// and jobs do not all hit the cloud on the same second.
    pub jitter: Duration,
    pub trigger_poll_cron: String,
    pub housekeeping_cron: String,
    pub shutdown_grace: Duration,
}

impl Settings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let listen = env.string("BATCH_LISTEN", "127.0.0.1:8081");
        let listen = listen
            .parse()
            .map_err(|_| error("BATCH_LISTEN", format!("must be host:port, got {listen:?}")))?;
        let runner_id = env.optional_string("BATCH_RUNNER_ID").unwrap_or_else(default_runner_id);
        Ok(Self {
            listen,
            database: DatabaseSettings::from_env(env)?,
            telemetry: TelemetrySettings::from_env(env)?,
            schedule: ScheduleSettings::from_env(env)?,
            reconcile: ReconcileSettings::from_env(env)?,
            cloud: CloudSettings::from_env(env)?,
            runner_id,
        })
    }
}

impl ScheduleSettings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let lease_ttl = env.seconds("BATCH_LEASE_TTL_SECS", 60)?;
        if lease_ttl < Duration::from_secs(3) {
            return Err(error("BATCH_LEASE_TTL_SECS", "must be at least 3"));
        }
        Ok(Self {
            lease_ttl,
            jitter: Duration::from_millis(env.parsed("BATCH_JITTER_MS", 2_000, "a whole number of milliseconds")?),
            trigger_poll_cron: cron(env, "BATCH_TRIGGER_POLL_CRON", "*/2 * * * * *")?,
            housekeeping_cron: cron(env, "BATCH_HOUSEKEEPING_CRON", "0 17 * * * *")?,
            shutdown_grace: env.seconds("BATCH_SHUTDOWN_GRACE_SECS", 30)?,
        })
    }
}

/// Reads a six-field cron expression (sec min hour day month weekday, UTC).
pub fn cron(env: &Env, name: &str, default: &str) -> Result<String, ConfigError> {
    let value = env.string(name, default);
    let fields = value.split_whitespace().count();
    if !(6..=7).contains(&fields) {
        return Err(error(
            name,
            format!("must be a cron expression with 6 fields (sec min hour day month weekday), got {value:?}"),
        ));
    }
    Ok(value)
}

fn default_runner_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_else(|_| "host".into());
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}-{}", host.trim(), std::process::id(), &suffix[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_five_field_cron_is_refused_with_the_variable_named() {
        let src: HashMap<String, String> = [("BATCH_HOUSEKEEPING_CRON".to_string(), "0 * * * *".to_string())].into();
        let err = ScheduleSettings::from_env(&Env::new(&src)).unwrap_err();
        assert_eq!(err.variable, "BATCH_HOUSEKEEPING_CRON");
    }

    #[test]
    fn backoff_and_rate_defaults_are_read() {
        let src: HashMap<String, String> = HashMap::new();
        let r = ReconcileSettings::from_env(&Env::new(&src)).unwrap();
        assert_eq!(
            (r.backoff_base, r.backoff_max, r.cloud_rate_per_sec),
            (Duration::from_secs(60), Duration::from_secs(3600), 20)
        );
    }

    #[test]
    fn a_backoff_cap_below_its_base_is_refused() {
        let src: HashMap<String, String> = [
            ("BATCH_BACKOFF_BASE_SECS".to_string(), "120".to_string()),
            ("BATCH_BACKOFF_MAX_SECS".to_string(), "60".to_string()),
        ]
        .into();
        let err = ReconcileSettings::from_env(&Env::new(&src)).unwrap_err();
        assert_eq!(err.variable, "BATCH_BACKOFF_MAX_SECS");
    }

    #[test]
    fn a_rate_that_is_not_a_number_names_its_variable() {
        let src: HashMap<String, String> = [("BATCH_CLOUD_RATE_PER_SEC".to_string(), "fast".to_string())].into();
        let err = ReconcileSettings::from_env(&Env::new(&src)).unwrap_err();
        assert_eq!(err.variable, "BATCH_CLOUD_RATE_PER_SEC");
    }

    #[test]
    fn defaults_are_valid() {
        let src: HashMap<String, String> = HashMap::new();
        let s = ScheduleSettings::from_env(&Env::new(&src)).unwrap();
        assert_eq!(s.lease_ttl, Duration::from_secs(60));
    }
}
