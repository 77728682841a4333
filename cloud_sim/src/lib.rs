//! In-memory simulator of the OpenStack (Keystone v3, Nova v2.1, Neutron v2.0, Cinder v3, Glance v2)
//! and NHN Cloud APIs, with asynchronous status transitions, fault injection and a control surface.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = cloud_sim::SimServer::start(cloud_sim::SimConfig::instant()).await?;
//! let auth_url = sim.keystone_url();
//! # let _ = auth_url;
//! sim.stop().await;
//! # Ok(()) }
//! ```
mod block_storage;
mod compute;
mod config;
mod control;
mod faults;
mod http;
mod identity;
mod image;
mod network;
mod nhn;
mod server;
mod state;
mod time_fmt;

pub use config::{Quotas, SimConfig};
pub use control::{Counters, FleetServer, OutOfBand, ResourceKind, SeededServer};
pub use faults::{FaultAction, FaultRule, Faults, LostMode};
pub use nhn::store::{NhnTenant, NhnTenantSpec};
pub use server::{ServiceCredentials, SimServer};
