//! Lenient timestamp parsing: the services disagree on the format.

use chrono::{DateTime, NaiveDateTime, Utc};

/// RFC 3339, else ISO without zone (`T` or space separator); zone-less values are UTC.
pub(crate) fn parse_timestamp(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = value.trim_end_matches('Z');
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(naive, f).ok())
        .map(|t| t.and_utc())
}

/// The format Nova, Neutron and Cinder filters accept.
pub(crate) fn format_filter_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_format_the_clouds_send() {
        let expected = DateTime::parse_from_rfc3339("2018-11-29T06:50:07Z")
            .unwrap()
            .with_timezone(&Utc);
        for raw in [
            "2018-11-29T06:50:07Z",
            "2018-11-29T06:50:07+00:00",
            "2018-11-29T06:50:07.000000",
            "2018-11-29T06:50:07.000000Z",
            "2018-11-29 06:50:07",
            "2018-11-29 06:50:07.000",
        ] {
            assert_eq!(parse_timestamp(raw), Some(expected), "{raw}");
        }
        assert_eq!(parse_timestamp(""), None);
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}
