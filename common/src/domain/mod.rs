//! Plain types and rules, no I/O: parse, don't validate.

pub mod resource_name;
pub mod security_group_rule;
pub mod server_state;
pub mod user;
