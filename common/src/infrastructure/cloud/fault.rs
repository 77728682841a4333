//! Turning an error response (status, headers, body) into a [`CloudError`].
//!
//! Classification is by status first; the body is parsed opportunistically
//! because every service wraps its message differently.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::error::{CloudError, CloudService, ErrorDetail, Outcome};

const MAX_RAW_MESSAGE: usize = 512;

/// Message and fault name found in an error body.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ParsedFault {
    pub message: Option<String>,
    pub fault: Option<String>,
}

/// Reads the shapes of §1.4 of the reference: Keystone/middleware `{"error":{..}}`,
/// Neutron `{"NeutronError":{..}}`, Nova/Cinder `{"<faultName>":{..}}`, Glance
/// `{"message":..}`; anything else is kept as (truncated) text.
pub(crate) fn parse_fault_body(body: &[u8]) -> ParsedFault {
    let text = String::from_utf8_lossy(body);
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return ParsedFault {
            message: non_empty(truncate(text.trim())),
            fault: None,
        };
    };
    let Some(object) = value.as_object() else {
        return ParsedFault::default();
    };
    if let Some(message) = object.get("message").and_then(Value::as_str) {
        return ParsedFault {
            message: Some(message.to_owned()),
            fault: object.get("title").and_then(Value::as_str).map(str::to_owned),
        };
    }
    if let Some(neutron) = object.get("NeutronError") {
        return ParsedFault {
            message: neutron.get("message").and_then(Value::as_str).map(str::to_owned),
            fault: neutron.get("type").and_then(Value::as_str).map(str::to_owned),
        };
    }
    if let Some((name, inner)) = object.iter().find(|(_, v)| v.is_object()) {
        let message = inner.get("message").and_then(Value::as_str).map(str::to_owned);
        let fault = if name == "error" {
            inner.get("title").and_then(Value::as_str).map(str::to_owned)
        } else {
            Some(name.clone())
        };
        return ParsedFault { message, fault };
    }
    ParsedFault {
        message: non_empty(truncate(text.trim())),
        fault: None,
    }
}

fn truncate(text: &str) -> String {
    text.chars().take(MAX_RAW_MESSAGE).collect()
}

fn non_empty(text: String) -> Option<String> {
    (!text.is_empty()).then_some(text)
}

/// The local request id of a response.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    ["x-openstack-request-id", "x-compute-request-id", "x-request-id"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Retry-After` (delta-seconds or HTTP-date), else `X-Retry-After`, else the
/// `retryAfter` field Nova puts into 413/429 bodies.
pub(crate) fn retry_after(headers: &HeaderMap, body: &[u8], now: DateTime<Utc>) -> Option<Duration> {
    for name in ["retry-after", "x-retry-after"] {
        if let Some(value) = headers.get(name).and_then(|v| v.to_str().ok())
            && let Some(delay) = parse_retry_after(value, now)
        {
            return Some(delay);
        }
    }
    let value: Value = serde_json::from_slice(body).ok()?;
    value.as_object()?.values().find_map(|inner| {
        let raw = inner.get("retryAfter")?;
        match raw {
            Value::String(s) => parse_retry_after(s, now),
            Value::Number(n) => n.as_u64().map(Duration::from_secs),
            _ => None,
        }
    })
}

pub(crate) fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>()
        && seconds.is_finite()
        && seconds >= 0.0
    {
        return Some(Duration::from_secs_f64(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// Quota failures, told apart from e.g. a policy error naming `os-quota-sets`.
fn mentions_quota(parsed: &ParsedFault) -> bool {
    let in_fault = parsed
        .fault
        .as_deref()
        .is_some_and(|f| f.contains("OverQuota") || f.contains("QuotaExceeded"));
    let in_message = parsed.message.as_deref().is_some_and(|m| {
        let m = m.to_ascii_lowercase();
        m.contains("quota exceeded")
            || m.contains("exceeds allowed")
            || m.contains("exceedsavailablequota")
            || m.contains("over quota")
    });
    in_fault || in_message
}

/// Maps an error response to the typed error. `mutating` says whether the call
/// could have changed state, which decides the outcome of a 5xx.
pub(crate) fn classify(
    service: CloudService,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    mutating: bool,
) -> CloudError {
    let parsed = parse_fault_body(body);
    let quota = mentions_quota(&parsed);
    let detail = ErrorDetail {
        service,
        status: Some(status),
        message: parsed.message.clone().unwrap_or_else(|| format!("HTTP {status}")),
        fault: parsed.fault.clone(),
        request_id: request_id(headers),
    };
    let delay = retry_after(headers, body, Utc::now());
    match status {
        401 => CloudError::Unauthorized(detail),
        403 if quota => CloudError::OverQuota(detail),
        403 => CloudError::Forbidden(detail),
        404 => CloudError::NotFound(detail),
        409 if quota => CloudError::OverQuota(detail),
        409 | 412 => CloudError::Conflict(detail),
        413 if delay.is_some_and(|d| !d.is_zero()) && !quota => CloudError::RateLimited {
            retry_after: delay,
            detail,
        },
        413 => CloudError::OverQuota(detail),
        429 => CloudError::RateLimited {
            retry_after: delay,
            detail,
        },
        500..=599 if status != 501 => CloudError::Unavailable {
            outcome: if mutating { Outcome::Unknown } else { Outcome::Definite },
            detail,
        },
        _ => CloudError::BadRequest(detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn parses_keystone_error_body() {
        let body = br#"{"error":{"code":401,"title":"Unauthorized","message":"The request you have made requires authentication."}}"#;
        let parsed = parse_fault_body(body);
        assert_eq!(
            parsed.message.as_deref(),
            Some("The request you have made requires authentication.")
        );
        assert_eq!(parsed.fault.as_deref(), Some("Unauthorized"));
    }

    #[test]
    fn parses_nova_fault_body() {
        let body = br#"{"itemNotFound":{"code":404,"message":"Instance abc could not be found."}}"#;
        let parsed = parse_fault_body(body);
        assert_eq!(parsed.fault.as_deref(), Some("itemNotFound"));
        assert_eq!(parsed.message.as_deref(), Some("Instance abc could not be found."));
    }

    #[test]
    fn parses_neutron_error_body() {
        let body = br#"{"NeutronError":{"type":"SecurityGroupInUse","message":"in use","detail":""}}"#;
        let parsed = parse_fault_body(body);
        assert_eq!(parsed.fault.as_deref(), Some("SecurityGroupInUse"));
        assert_eq!(parsed.message.as_deref(), Some("in use"));
    }

    #[test]
    fn parses_glance_json_and_html_bodies() {
        let json = br#"{"message":"No image found","code":"404 Not Found","title":"Not Found"}"#;
        assert_eq!(parse_fault_body(json).message.as_deref(), Some("No image found"));
        let html = b"<html><body>404 Not Found</body></html>";
        assert!(parse_fault_body(html).message.unwrap().contains("404"));
    }

    #[test]
    fn maps_statuses_to_typed_errors() {
        let h = headers(&[("x-openstack-request-id", "req-1")]);
        let e = classify(CloudService::Compute, 404, &h, b"{}", false);
        assert!(matches!(e, CloudError::NotFound(_)));
        assert_eq!(e.request_id(), Some("req-1"));
        assert!(matches!(
            classify(CloudService::Compute, 409, &h, b"{}", true),
            CloudError::Conflict(_)
        ));
        assert!(matches!(
            classify(CloudService::Compute, 400, &h, b"{}", true),
            CloudError::BadRequest(_)
        ));
        assert!(matches!(
            classify(CloudService::Compute, 401, &h, b"{}", true),
            CloudError::Unauthorized(_)
        ));
        assert!(matches!(
            classify(CloudService::Compute, 403, &h, b"{}", true),
            CloudError::Forbidden(_)
        ));
    }

    #[test]
    fn quota_errors_are_over_quota_for_every_service_shape() {
        let h = HeaderMap::new();
        let nova = br#"{"forbidden":{"code":403,"message":"Quota exceeded for instances"}}"#;
        assert!(matches!(
            classify(CloudService::Compute, 403, &h, nova, true),
            CloudError::OverQuota(_)
        ));
        let neutron =
            br#"{"NeutronError":{"type":"OverQuota","message":"Quota exceeded for resources: ['port'].","detail":""}}"#;
        assert!(matches!(
            classify(CloudService::Network, 409, &h, neutron, true),
            CloudError::OverQuota(_)
        ));
        let cinder = br#"{"overLimit":{"code":413,"message":"Requested volume or snapshot exceeds allowed gigabytes quota.","retryAfter":"0"}}"#;
        let h0 = headers(&[("retry-after", "0")]);
        assert!(matches!(
            classify(CloudService::BlockStorage, 413, &h0, cinder, true),
            CloudError::OverQuota(_)
        ));
    }

    #[test]
    fn a_policy_error_about_quota_sets_is_forbidden_not_over_quota() {
        let body = br#"{"forbidden":{"code":403,"message":"Policy doesn't allow os_compute_api:os-quota-sets:show to be performed."}}"#;
        assert!(matches!(
            classify(CloudService::Compute, 403, &HeaderMap::new(), body, false),
            CloudError::Forbidden(_)
        ));
    }

    #[test]
    fn rate_limit_carries_retry_after() {
        let h = headers(&[("retry-after", "3")]);
        match classify(CloudService::Network, 429, &h, b"Too Many Requests", false) {
            CloudError::RateLimited { retry_after, .. } => {
                assert_eq!(retry_after, Some(Duration::from_secs(3)))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn server_errors_on_mutating_calls_have_unknown_outcome() {
        let h = HeaderMap::new();
        assert_eq!(
            classify(CloudService::Compute, 500, &h, b"", true).outcome(),
            Outcome::Unknown
        );
        assert_eq!(
            classify(CloudService::Compute, 503, &h, b"", false).outcome(),
            Outcome::Definite
        );
    }

    #[test]
    fn retry_after_accepts_seconds_http_dates_and_body_fields() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 2026 00:00:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        let body = br#"{"overLimit":{"code":429,"message":"slow down","retryAfter":"2"}}"#;
        assert_eq!(retry_after(&HeaderMap::new(), body, now), Some(Duration::from_secs(2)));
    }
}
