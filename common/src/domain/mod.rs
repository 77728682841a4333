//! Plain types and rules, no I/O: parse, don't validate.

pub mod audit;
pub mod auth;
pub mod page;
pub mod project;
pub mod quota;
pub mod user;
