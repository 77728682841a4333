//! The cloud port and its OpenStack and NHN Cloud adapters.
