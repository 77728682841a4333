#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Admin audit over HTTP: the real server against its own fresh database,
//! with rows bulk-inserted in SQL where a test needs many.

#[path = "../api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

mod access;
mod audit_events;
mod drift;
mod inventory;
mod plans;
mod reconcile;
mod summary;
mod support;
