//! The HTTP API of the control plane. Built like a library so tests start
//! the real server; `main.rs` only reads settings and runs it.

pub mod cloud;
pub mod error;
pub mod extractors;
pub mod metrics;
pub mod middleware;
pub mod routes;
pub mod settings;
pub mod startup;
