//! Fixtures shared by every crate's tests.

pub mod database;
pub mod proc_status;

pub use database::TestDb;
