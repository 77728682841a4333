//! Fixtures shared by every crate's tests.

pub mod database;

pub use database::TestDb;
