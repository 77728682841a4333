use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }
}

/// A login name: 4..20 characters of `[a-z0-9_.-]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountId(String);

impl AccountId {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let len = s.chars().count();
        if !(4..=20).contains(&len) {
            return Err("must be 4 to 20 characters long");
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
        {
            return Err("may contain only lowercase letters, digits, '_', '.' and '-'");
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name: 1..15 characters, not blank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserName(String);

impl UserName {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let len = s.chars().count();
        if !(1..=15).contains(&len) || s.trim().is_empty() {
            return Err("must be 1 to 15 characters long and not blank");
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub domain_id: i64,
    pub openstack_id: Option<String>,
    pub account_id: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_id_accepts_the_documented_alphabet() {
        assert!(AccountId::parse("alice_01.x-y").is_ok());
    }

    #[test]
    fn account_id_refuses_uppercase_and_bad_lengths() {
        assert!(AccountId::parse("Alice").is_err());
        assert!(AccountId::parse("abc").is_err());
        assert!(AccountId::parse(&"a".repeat(21)).is_err());
    }

    #[test]
    fn user_name_counts_characters_not_bytes() {
        assert!(UserName::parse("김철수김철수김철수김철수김철수").is_ok());
        assert!(UserName::parse("   ").is_err());
        assert!(UserName::parse("").is_err());
    }
}
