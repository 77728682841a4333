//! Plain types and rules, no I/O: parse, don't validate.

pub mod audit;
pub mod auth;
pub mod page;
pub mod project;
pub mod quota;
pub mod resource_name;
pub mod security_group_rule;
pub mod server_state;
pub mod user;
