//! NHN Cloud specifics: identity v2.0 tokens and VPC resources.
pub mod identity;
pub mod store;
pub mod vpcs;
