//! Collects every field error of a request before answering 422, so a
//! client learns about all bad fields at once.

use common::error::{AppError, FieldError};

#[derive(Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    /// The parsed value, or `None` with the error recorded under `field`.
    pub fn check<T, E: ToString>(&mut self, field: &str, parsed: Result<T, E>) -> Option<T> {
        match parsed {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(FieldError::new(field, "value_error", e.to_string()));
                None
            }
        }
    }

    pub fn add(&mut self, field: &str, kind: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, kind, message));
    }

    /// 422 with every recorded error, if any.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(self.errors))
        }
    }

    /// For `let (Some(a), Some(b)) = ... else { return Err(Fields::unreachable()) }`
    /// after `finish()` passed: a `None` there means a check recorded no error.
    pub fn unreachable() -> AppError {
        AppError::internal(std::io::Error::other("a field check failed without an error"))
    }
}
