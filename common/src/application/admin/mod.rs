//! Admin audit: the inventory across projects, a summary, the audit trail,
//! drift findings and their resolution, and reconcile runs. Every use case
//! here starts with `guard::admin`.

pub mod audit_events;
pub mod drift;
mod drift_actions;
pub mod inventory;
pub mod reconcile;
pub mod summary;
