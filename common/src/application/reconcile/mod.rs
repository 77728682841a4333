//! Level-triggered reconciliation: observe what the cloud has, diff it
//! against the inventory (pure functions, tested without I/O), act on the
//! difference with versioned writes.

pub mod act;
pub mod backoff;
pub mod floating_ip_diff;
pub mod floating_ips;
pub mod listing;
pub mod managed;
pub mod network_interfaces;
pub mod port_diff;
pub mod reissue;
pub mod report;
pub mod security_group_diff;
pub mod security_group_rules;
pub mod security_groups;
pub mod seen;
pub mod server_diff;
pub mod servers;
pub mod settle;
pub mod tracked;
pub mod volume_diff;
pub mod volumes;

pub use listing::{Listing, Policy};
