//! Use cases: one module per area.

pub mod reconcile;
