//! In-memory simulator of the OpenStack and NHN Cloud APIs.
