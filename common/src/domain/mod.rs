//! Plain types and rules, no I/O: parse, don't validate.

pub mod audit;
pub mod auth;
pub mod floating_ip;
pub mod network_interface;
pub mod page;
pub mod project;
pub mod quota;
pub mod resource_name;
pub mod security_group;
pub mod security_group_rule;
pub mod server;
pub mod server_state;
pub mod user;
pub mod volume;
