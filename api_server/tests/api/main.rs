#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The real server on 127.0.0.1:0 against its own fresh database, driven
//! over HTTP.

mod accounts;
mod audit;
mod conventions;
mod docs;
mod helpers;
mod idempotency;
mod login;
mod openstack_projects;
mod projects;
mod quotas;
mod revocation;
