//! The one error type.
