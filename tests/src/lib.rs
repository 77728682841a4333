//! Support for end-to-end tests: the three real binaries on free ports
//! against a fresh database and the simulated cloud.

pub mod api;
pub mod catalog;
pub mod drill;
pub mod mariadb_instance;
pub mod memory;
pub mod process;
pub mod sim;
pub mod stack;
pub mod tenancy;
pub mod tenant;
pub mod tenant_resources;
pub mod wait;

pub use stack::Stack;
