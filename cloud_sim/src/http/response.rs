use serde_json::{Value, json};

use super::error::ApiError;
use super::route::Service;

/// A handler's answer before it becomes an HTTP response.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub body: Option<Value>,
    pub text: Option<(String, String)>,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn json(status: u16, body: Value) -> Self {
        Resp {
            status,
            body: Some(body),
            text: None,
            headers: Vec::new(),
        }
    }

    pub fn ok(body: Value) -> Self {
        Self::json(200, body)
    }

    pub fn empty(status: u16) -> Self {
        Resp {
            status,
            body: None,
            text: None,
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

pub fn status_title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// Nova/Cinder fault names by status (`wsgi.py` `Fault._fault_names`).
fn fault_name(status: u16, service: Service) -> &'static str {
    match status {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        409 => "conflictingRequest",
        413 => "overLimit",
        415 => "badMediaType",
        429 if service.is_compute() => "overLimit",
        501 => "notImplemented",
        503 => "serviceUnavailable",
        _ => "computeFault",
    }
}

/// Renders an error in the envelope the given service uses.
pub fn render_error(err: &ApiError, service: Service, accepts_json: bool, identity_url: &str) -> Resp {
    let status = err.status;
    let title = status_title(status);
    let mut resp = if status == 401 || service.is_identity() {
        Resp::json(
            status,
            json!({"error": {"code": status, "title": title, "message": err.message}}),
        )
    } else if service.is_network() {
        let kind = if status == 500 && err.kind == "BadRequest" {
            "HTTPInternalServerError".to_string()
        } else {
            err.kind.clone()
        };
        Resp::json(
            status,
            json!({"NeutronError": {"type": kind, "message": err.message, "detail": ""}}),
        )
    } else if service.is_image() {
        let code = format!("{status} {title}");
        if accepts_json {
            Resp::json(status, json!({"message": err.message, "code": code, "title": title}))
        } else {
            let html = format!(
                "<html>\n <head>\n  <title>{code}</title>\n </head>\n <body>\n  <h1>{code}</h1>\n  {}<br /><br />\n\n\n\n </body>\n</html>",
                err.message
            );
            Resp {
                status,
                body: None,
                text: Some(("text/html; charset=UTF-8".to_string(), html)),
                headers: Vec::new(),
            }
        }
    } else {
        let mut inner = json!({"code": status, "message": err.message});
        if (status == 413 || status == 429)
            && let Some((_, v)) = err.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        {
            inner["retryAfter"] = Value::String(v.clone());
        }
        let mut body = serde_json::Map::new();
        body.insert(fault_name(status, service).to_string(), inner);
        Resp::json(status, Value::Object(body))
    };
    if status == 401 {
        resp = resp.with_header("WWW-Authenticate", &format!("Keystone uri=\"{identity_url}\""));
    }
    resp.headers.extend(err.headers.iter().cloned());
    resp
}
