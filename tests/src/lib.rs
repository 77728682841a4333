//! Support for end-to-end tests: the three real binaries on free ports
//! against a fresh database and the simulated cloud.

pub mod drill;
pub mod mariadb_instance;
pub mod process;
pub mod stack;

pub use stack::Stack;
