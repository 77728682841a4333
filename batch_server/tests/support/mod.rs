//! Shared by the batch_server integration tests; each test file uses a part.

#![allow(dead_code, unused_macros, clippy::unwrap_used, clippy::expect_used)]

/// Runs each named `async fn(Protocol)` as a test on both provider protocols.
macro_rules! both_protocols {
    ($($name:ident),* $(,)?) => {
        mod openstack {
            use super::Protocol;
            $(#[tokio::test] async fn $name() { super::$name(Protocol::OpenStack).await })*
        }
        mod nhn {
            use super::Protocol;
            $(#[tokio::test] async fn $name() { super::$name(Protocol::Nhn).await })*
        }
    };
}

pub mod api;
pub mod scripted;
pub mod world;
