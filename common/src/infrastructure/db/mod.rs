//! MySQL access: pool, migrations, transactions, the soft-delete and
//! optimistic-version rules, and the repositories. SQL lives here and
//! nowhere else.

mod errors;
mod migrate;
mod pool;
mod transaction;
mod versioned;

pub mod drift_findings;
pub mod housekeeping;
pub mod leases;
pub mod reconcile_requests;
pub mod reconcile_runs;
pub mod users;

pub use errors::{is_connectivity_error, unique_violation_key};
pub use migrate::{MIGRATOR, migrations_are_current, run_migrations};
pub use pool::connect;
pub use transaction::{Tx, begin};
pub use versioned::{SoftDeleteTable, ensure_version_matched, soft_delete};
