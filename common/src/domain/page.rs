//! Keyset pagination: a page size and an opaque cursor naming the last row
//! seen by its sort key and id, so pages stay stable under inserts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "asc" => Some(Self::Asc),
            "desc" => Some(Self::Desc),
            _ => None,
        }
    }

    pub fn sql(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }

    /// The comparison that selects rows after the cursor in this order.
    pub fn after(self) -> &'static str {
        match self {
            Self::Asc => ">",
            Self::Desc => "<",
        }
    }
}

/// The sort key value of the last row of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CursorKey {
    Time(DateTime<Utc>),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort column and order the cursor was made for; a cursor is only
    /// valid with the same sort.
    pub sort: String,
    pub key: CursorKey,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(s: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(s).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Cursor>,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            after: None,
        }
    }
}

impl PageRequest {
    /// Parses `limit` (1..=1000, default 100).
    pub fn parse_limit(raw: Option<&str>) -> Result<u32, String> {
        match raw {
            None => Ok(DEFAULT_LIMIT),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
                _ => Err(format!("must be a whole number from 1 to {MAX_LIMIT}")),
            },
        }
    }

    /// The cursor must have been made for `sort` (e.g. `name:asc`).
    pub fn for_sort(&self, sort: &str) -> Result<Option<&Cursor>, String> {
        match &self.after {
            Some(c) if c.sort != sort => Err(format!("was made for sort {}, not {sort}", c.sort)),
            other => Ok(other.as_ref()),
        }
    }
}

/// One page of rows and the cursor of the next one (`None` on the last page).
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Given up to `limit + 1` rows, keeps `limit` and makes the next cursor
    /// from the last kept row when more exist.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u32, cursor_of: impl Fn(&T) -> Cursor) -> Self {
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next_cursor = if more {
            rows.last().map(|r| cursor_of(r).encode())
        } else {
            None
        };
        Self {
            items: rows,
            next_cursor,
        }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_through_its_opaque_form() {
        let c = Cursor {
            sort: "name:asc".into(),
            key: CursorKey::Text("web-1".into()),
            id: 7,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
    }

    #[test]
    fn garbage_is_not_a_cursor() {
        assert_eq!(Cursor::decode("not a cursor!"), None);
    }

    #[test]
    fn limit_outside_range_is_refused() {
        assert!(PageRequest::parse_limit(Some("0")).is_err());
        assert!(PageRequest::parse_limit(Some("1001")).is_err());
        assert!(PageRequest::parse_limit(Some("x")).is_err());
        assert_eq!(PageRequest::parse_limit(None), Ok(100));
    }

    #[test]
    fn overfetch_makes_a_cursor_only_when_more_rows_exist() {
        let cursor = |n: &i64| Cursor {
            sort: "id".into(),
            key: CursorKey::Text(n.to_string()),
            id: *n,
        };
        let page = Page::from_overfetch(vec![1, 2, 3], 2, cursor);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(Cursor::decode(page.next_cursor.as_deref().unwrap()).unwrap().id, 2);
        assert!(Page::from_overfetch(vec![1, 2], 2, cursor).next_cursor.is_none());
    }
}
