//! The timestamp spellings each API uses, and a lenient parser for the ones clients send.
use chrono::{DateTime, NaiveDateTime, Utc};

pub type Ts = DateTime<Utc>;

/// `2013-09-03T04:01:32Z` (nova created/updated, neutron, glance, NHN expires).
pub fn seconds_z(t: &Ts) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2018-11-29T06:50:07.770785` (cinder, nova launched_at; no zone).
pub fn micros_naive(t: &Ts) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// `2015-11-07T02:58:43.578887Z` (keystone expires_at/issued_at).
pub fn micros_z(t: &Ts) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `2023-01-17 05:14:52.037777` (NHN VPC create_time).
pub fn micros_space(t: &Ts) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// RFC 3339, else zone-less `T` or space separated forms, always UTC.
pub fn parse_lenient(s: &str) -> Option<Ts> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    // an unencoded `+` in a query string arrives as a space
    if let Some((head, zone)) = s.rsplit_once(' ').filter(|(h, _)| h.contains('T'))
        && let Ok(t) = DateTime::parse_from_rfc3339(&format!("{head}+{zone}"))
    {
        return Some(t.with_timezone(&Utc));
    }
    let without_z = s.strip_suffix('Z').unwrap_or(s);
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(without_z, fmt) {
            return Some(n.and_utc());
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(without_z, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|n| n.and_utc());
    }
    None
}
