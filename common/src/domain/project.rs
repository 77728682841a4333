//! Projects (tenants) and the identity domain they live in.

use chrono::{DateTime, Utc};

/// 1..64 characters, not blank, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectName(String);

impl ProjectName {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let len = s.chars().count();
        if !(1..=64).contains(&len) || s.trim().is_empty() {
            return Err("must be 1 to 64 characters long and not blank");
        }
        if s.chars().any(char::is_control) {
            return Err("must not contain control characters");
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    OpenStack,
    Nhn,
}

impl Provider {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "openstack" => Some(Self::OpenStack),
            "nhn" => Some(Self::Nhn),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenStack => "openstack",
            Self::Nhn => "nhn",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: i64,
    pub domain_id: i64,
    pub name: String,
    pub provider: Provider,
    pub openstack_id: Option<String>,
    /// `CREATING`, `ACTIVE` or `ERROR`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub id: i64,
    pub openstack_id: Option<String>,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_name_refuses_blank_and_overlong() {
        assert!(ProjectName::parse("  ").is_err());
        assert!(ProjectName::parse(&"p".repeat(65)).is_err());
        assert!(ProjectName::parse("team-a").is_ok());
    }

    #[test]
    fn provider_parses_only_known_names() {
        assert_eq!(Provider::parse("nhn"), Some(Provider::Nhn));
        assert_eq!(Provider::parse("aws"), None);
    }
}
