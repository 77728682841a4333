//! Plain types and rules, no I/O: parse, don't validate.

pub mod user;
