//! Adapters to the outside world.

pub mod cloud;
pub mod db;
