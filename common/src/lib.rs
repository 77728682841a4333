//! Shared core of the control plane: domain rules, use cases and the
//! infrastructure (MySQL repositories, cloud adapters) they run on.

pub mod application;
pub mod config;
pub mod domain;
pub mod error;
pub mod infrastructure;
pub mod telemetry;
