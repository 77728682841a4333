//! Level-triggered reconciliation: observe what the cloud has, diff it
//! against the inventory (pure functions, tested without I/O), act on the
//! difference with versioned writes.

pub mod listing;
pub mod server_diff;

pub use listing::{Listing, Policy};
