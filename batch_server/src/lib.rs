//! Scheduled reconciliation of the inventory with the cloud. Built like a
//! library so tests start the real thing; `main.rs` reads settings and runs it.

pub mod http;
pub mod jobs;
pub mod metrics;
pub mod runner;
pub mod settings;
pub mod startup;
pub mod triggers;
