#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Project resources over real HTTP against a real database and the cloud
//! simulator, each case run for a project on the OpenStack protocol and one
//! on the NHN protocol.

mod catalog;
mod failure_audit;
mod floating_ips;
mod security_groups;
mod servers;
mod support;
mod volumes;
