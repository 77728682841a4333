//! Use cases: one module per area.
