//! Small helpers for reading loosely typed JSON.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::infrastructure::cloud::error::{CloudError, CloudResult, CloudService};

pub(super) fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn required_str(service: CloudService, v: &Value, key: &str) -> CloudResult<String> {
    str_field(v, key).ok_or_else(|| CloudError::invalid_response(service, format!("missing `{key}` in response")))
}

/// Integers that some clouds send as strings.
pub(super) fn u64_field(v: &Value, key: &str) -> Option<u64> {
    match v.get(key)? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn i64_field(v: &Value, key: &str) -> Option<i64> {
    match v.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Booleans that some clouds send as `"true"`/`"false"`.
pub(super) fn bool_field(v: &Value, key: &str) -> Option<bool> {
    match v.get(key)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        Value::Number(n) => n.as_i64().map(|i| i != 0),
        _ => None,
    }
}

pub(super) fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| match v {
                    Value::String(s) => Some((k.clone(), s.clone())),
                    Value::Null => None,
                    other => Some((k.clone(), other.to_string())),
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// The object under `key` (`{"server": {...}}` -> `{...}`).
pub(super) fn unwrap_key(service: CloudService, mut v: Value, key: &str) -> CloudResult<Value> {
    v.get_mut(key)
        .map(Value::take)
        .filter(Value::is_object)
        .ok_or_else(|| CloudError::invalid_response(service, format!("response without `{key}`")))
}

/// Percent-encodes one path segment (ids are normally safe already).
pub(super) fn seg(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lenient_scalars() {
        let v = json!({"a": "12", "b": 3, "c": "true", "d": false, "e": "x"});
        assert_eq!(u64_field(&v, "a"), Some(12));
        assert_eq!(u64_field(&v, "b"), Some(3));
        assert_eq!(bool_field(&v, "c"), Some(true));
        assert_eq!(bool_field(&v, "d"), Some(false));
        assert_eq!(u64_field(&v, "e"), None);
        assert_eq!(str_field(&v, "b").as_deref(), Some("3"));
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(seg("abc-123"), "abc-123");
        assert_eq!(seg("a/b c"), "a%2Fb%20c");
    }
}
