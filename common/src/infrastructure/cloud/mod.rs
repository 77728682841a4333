//! The cloud port and its OpenStack and NHN Cloud adapters.
//!
//! The application holds a [`CloudConnector`], asks it for an
//! `Arc<dyn CloudProject>` per project ([`ProjectCloudTarget`]), for
//! [`IdentityApi`] and for a [`CloudInventory`] across managed projects.
//! See `docs/cloud-adapters.md`.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod backoff;
#[cfg(test)]
mod call_path_tests;
mod catalog;
mod connector;
mod error;
mod fault;
mod http;
mod model;
mod nhn;
mod openstack;
mod operation;
mod pager;
mod port;
mod project;
mod rate;
mod secret;
mod services;
mod session;
mod settings;
#[cfg(test)]
mod test_server;
mod timestamp;
mod token;

pub use connector::{CloudConnector, ProjectCloudTarget};
pub use error::{CloudError, CloudResult, CloudService, ErrorDetail, Outcome};
pub use http::install_crypto_provider;
pub use model::*;
pub use nhn::NhnCloud;
pub use openstack::OpenStackCloud;
pub use operation::with_operation_id;
pub use port::{BlockStorageApi, CloudInventory, CloudProject, ComputeApi, IdentityApi, ImageApi, NetworkApi};
pub use secret::Secret;
pub use settings::{
    EndpointInterface, HttpSettings, NhnSettings, NhnTenantCredentials, OpenStackSettings, RetryPolicy,
};
