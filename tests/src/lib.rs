//! Support for end-to-end tests: the three real binaries on free ports
//! against a fresh database and the simulated cloud.

pub mod process;
pub mod stack;
pub mod tenant;
pub mod tenant_resources;

pub use stack::Stack;
