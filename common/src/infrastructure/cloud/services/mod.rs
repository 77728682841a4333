//! Wire clients shared by both adapters: the request shapes and JSON of
//! Nova, Neutron, Cinder, Glance and Keystone, converted to port types.

pub(crate) mod cinder;
pub(crate) mod glance;
pub(crate) mod keystone;
pub(crate) mod neutron;
pub(crate) mod nova;
mod wire;
