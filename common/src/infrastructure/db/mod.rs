//! MySQL access: pool, migrations, transactions, the soft-delete and
//! optimistic-version rules, and the repositories. SQL lives here and
//! nowhere else.

mod errors;
mod id_list;
mod keyset;
mod migrate;
mod pool;
mod transaction;
mod versioned;

pub mod admin_audit_events;
pub mod admin_drift;
pub mod admin_inventory;
pub mod admin_plans;
pub mod admin_reconcile;
pub mod admin_summary;
pub mod audit_events;
pub mod cloud_credentials;
pub mod drift_findings;
pub mod floating_ips;
pub mod housekeeping;
pub mod idempotency_keys;
pub mod leases;
pub mod login_throttles;
pub mod memberships;
pub mod network_interfaces;
pub mod projects;
pub mod quotas;
pub mod reconcile_backoff;
pub mod reconcile_requests;
pub mod reconcile_runs;
pub mod resource_actions;
pub mod security_groups;
pub mod servers;
pub mod token_revocations;
pub mod users;
pub mod volumes;

pub use errors::{is_connectivity_error, is_lock_conflict, unique_violation_key};
pub use keyset::{push_after, push_order_and_limit};
pub use migrate::{MIGRATOR, migrations_are_current, run_migrations};
pub use pool::connect;
pub use transaction::{Tx, begin};
pub use versioned::{SoftDeleteTable, ensure_version_matched, soft_delete};
