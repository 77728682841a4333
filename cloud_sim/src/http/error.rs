/// A failed call: status, a type name (Neutron's `NeutronError.type`) and the message.
/// Each service renders it in its own envelope (see `response::render_error`).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub kind: String,
    pub message: String,
    pub headers: Vec<(String, String)>,
}

impl ApiError {
    pub fn new(status: u16, kind: &str, message: &str) -> Self {
        ApiError {
            status,
            kind: kind.to_string(),
            message: message.to_string(),
            headers: Vec::new(),
        }
    }

    pub fn bad_request(message: &str) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn not_found(kind: &str, message: &str) -> Self {
        Self::new(404, kind, message)
    }

    pub fn conflict(kind: &str, message: &str) -> Self {
        Self::new(409, kind, message)
    }

    pub fn forbidden(message: &str) -> Self {
        Self::new(403, "Forbidden", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            401,
            "Unauthorized",
            "The request you have made requires authentication.",
        )
    }

    pub fn route_not_found() -> Self {
        Self::new(404, "HTTPNotFound", "The resource could not be found.")
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
