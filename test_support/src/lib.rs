//! Fixtures shared by every crate's tests.

pub mod database;
pub mod proc_status;
pub mod sim_cloud;

pub use database::TestDb;
