//! Use cases: one module per area. Each takes the [`Services`] bundle and a
//! [`RequestContext`](crate::domain::auth::RequestContext), opens its own
//! transaction, checks who may do it, writes, and records the audit event in
//! the same transaction.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod credentials;
pub mod guard;
pub mod idempotency;
pub mod projects;
pub mod provisioning;
pub mod quotas;
pub mod reconcile;
mod services;
pub mod users;

pub use services::Services;
