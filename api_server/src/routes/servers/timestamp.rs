//! Timestamps of the server views, byte for byte as chrono's `Serialize`
//! writes them (RFC 3339, `Z`, 0, 3, 6 or 9 fraction digits), but formatted
//! into a stack buffer: chrono's path goes through `Display` and serde_json's
//! escaping writer one piece at a time, and a page of servers holds hundreds
//! of timestamps. Years outside 0..=9999 and leap seconds go through chrono.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`
const LONGEST: usize = 30;

pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; LONGEST];
    match write(t, &mut buf).and_then(|len| std::str::from_utf8(&buf[..len]).ok()) {
        Some(text) => s.serialize_str(text),
        None => t.serialize(s),
    }
}

pub fn serialize_option<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => serialize(t, s),
        None => s.serialize_none(),
    }
}

/// The length written, or `None` for what this fast path leaves to chrono.
fn write(t: &DateTime<Utc>, buf: &mut [u8; LONGEST]) -> Option<usize> {
    let year = u32::try_from(t.year()).ok().filter(|y| *y <= 9999)?;
    let nano = t.nanosecond();
    if nano >= 1_000_000_000 {
        return None;
    }
    two_digits(&mut buf[0..2], year / 100);
    two_digits(&mut buf[2..4], year % 100);
    buf[4] = b'-';
    two_digits(&mut buf[5..7], t.month());
    buf[7] = b'-';
    two_digits(&mut buf[8..10], t.day());
    buf[10] = b'T';
    two_digits(&mut buf[11..13], t.hour());
    buf[13] = b':';
    two_digits(&mut buf[14..16], t.minute());
    buf[16] = b':';
    two_digits(&mut buf[17..19], t.second());
    let (fraction, digits) = match nano {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    let mut len = 19;
    if digits > 0 {
        buf[19] = b'.';
        let mut rest = fraction;
        for i in (0..digits).rev() {
            buf[20 + i] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        len = 20 + digits;
    }
    buf[len] = b'Z';
    Some(len + 1)
}

fn two_digits(out: &mut [u8], value: u32) {
    out[0] = b'0' + (value / 10) as u8;
    out[1] = b'0' + (value % 10) as u8;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::TimeZone;

    use super::*;

    #[derive(Serialize)]
    struct Ours<'a>(#[serde(serialize_with = "serialize")] &'a DateTime<Utc>);

    fn ours(t: &DateTime<Utc>) -> String {
        serde_json::to_string(&Ours(t)).unwrap()
    }

    #[test]
    fn timestamps_come_out_exactly_as_chrono_writes_them() {
        let base = Utc.with_ymd_and_hms(2026, 12, 1, 9, 5, 7).unwrap();
        let nanos = [
            0,
            1,
            9,
            10,
            999,
            1_000,
            120_000,
            123_456_000,
            500_000_000,
            999_999_999,
            7_000_000,
            40,
        ];
        let mut checked = 0;
        for (i, nano) in nanos.iter().enumerate() {
            for shift_days in [0_i64, 1, 31, 365, 3_000, -700_000, 2_900_000] {
                let t = base + chrono::TimeDelta::days(shift_days) + chrono::TimeDelta::seconds(i as i64 * 3_671);
                let t = t.with_nanosecond(*nano).unwrap();
                assert_eq!(ours(&t), serde_json::to_string(&t).unwrap(), "{t:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, nanos.len() * 7);
    }

    #[test]
    fn years_beyond_four_digits_and_leap_seconds_are_left_to_chrono() {
        let far = Utc.with_ymd_and_hms(12_345, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(ours(&far), serde_json::to_string(&far).unwrap());
        assert!(ours(&far).starts_with("\"+12345-"));
        let leap = Utc
            .with_ymd_and_hms(2016, 12, 31, 23, 59, 59)
            .unwrap()
            .with_nanosecond(1_500_000_000)
            .unwrap();
        assert_eq!(ours(&leap), serde_json::to_string(&leap).unwrap());
        assert_eq!(ours(&leap), "\"2016-12-31T23:59:60.500Z\"");
    }

    #[test]
    fn an_absent_timestamp_is_null() {
        #[derive(Serialize)]
        struct Maybe(#[serde(serialize_with = "serialize_option")] Option<DateTime<Utc>>);
        assert_eq!(serde_json::to_string(&Maybe(None)).unwrap(), "null");
        let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            serde_json::to_string(&Maybe(Some(t))).unwrap(),
            "\"2026-01-02T03:04:05Z\""
        );
    }
}
