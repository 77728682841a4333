//! Use cases: one module per area. Each takes the [`Services`] bundle and a
//! [`RequestContext`](crate::domain::auth::RequestContext), opens its own
//! transaction, checks who may do it, writes, and records the audit event in
//! the same transaction.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod catalog_choice;
pub mod credentials;
pub mod floating_ip;
pub mod guard;
pub mod idempotency;
pub mod intent;
pub mod network_interface;
pub mod project_cloud;
pub mod projects;
pub mod provisioning;
pub mod quotas;
pub mod reconcile;
pub mod refresh;
pub mod security_group;
pub mod server;
mod services;
pub mod users;
pub mod volume;
pub mod volume_provision;

pub use services::Services;
