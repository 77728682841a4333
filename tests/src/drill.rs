//! Shared parts of the failure drills (`tests/tests/drill_*.rs`): a tenant
//! driven over the public API, the simulator's control surface, bursts of
//! creates, the census that holds the inventory against the cloud, and the
//! figures every drill prints.

pub mod burst;
pub mod census;
pub mod cloud_listing;
pub mod figures;
pub mod http;
pub mod judge;
pub mod load;
pub mod runs;
pub mod sim_control;
pub mod tenant;
pub mod wait;

/// How many creates a drill sends: `DRILL_CREATES` when set (bigger runs by
/// hand), else `default` (CI-sized).
pub fn creates(default: usize) -> usize {
    std::env::var("DRILL_CREATES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// The settings every drill shares: quotas that a burst does not hit; fast
/// passes of servers and volumes, every pass a complete listing, short grace
/// periods so a create that never reached the cloud is failed within
/// seconds, not minutes.
pub const DRILL_SETTINGS: &[(&str, &str)] = &[
    ("QUOTA_DEFAULT_SERVERS", "1000"),
    ("QUOTA_DEFAULT_VCPUS", "4000"),
    ("QUOTA_DEFAULT_RAM_MB", "10000000"),
    ("QUOTA_DEFAULT_VOLUMES", "2000"),
    ("QUOTA_DEFAULT_VOLUME_GB", "1000000"),
    ("BATCH_SERVERS_CRON", "*/2 * * * * *"),
    ("BATCH_VOLUMES_CRON", "1/2 * * * * *"),
    ("BATCH_NETWORK_INTERFACES_CRON", "*/3 * * * * *"),
    ("BATCH_FLOATING_IPS_CRON", "0 0 * * * *"),
    ("BATCH_SECURITY_GROUPS_CRON", "0 0 * * * *"),
    ("BATCH_TRIGGER_POLL_CRON", "*/1 * * * * *"),
    ("BATCH_JITTER_MS", "0"),
    ("BATCH_FULL_PASS_EVERY", "1"),
    ("BATCH_LOST_CREATE_GRACE_SECS", "3"),
    ("BATCH_STUCK_AFTER_SECS", "10"),
    ("BATCH_LEASE_TTL_SECS", "10"),
    ("CLOUD_TIMEOUT_SECS", "5"),
    ("RUST_LOG", "info,sqlx=warn"),
];
