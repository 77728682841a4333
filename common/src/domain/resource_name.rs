//! Names of project resources (servers, volumes, security groups).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceName(String);

impl ResourceName {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let trimmed = s.trim();
        if trimmed.is_empty() {
            return Err("must not be blank");
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err("must be at most 255 characters long");
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

/// Free text shown beside a resource: at most 255 characters.
pub fn parse_description(s: &str) -> Result<String, &'static str> {
    if s.chars().count() > 255 {
        return Err("must be at most 255 characters long");
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_name_is_refused() {
        assert!(ResourceName::parse("  ").is_err());
    }

    #[test]
    fn a_name_of_255_characters_is_the_longest_accepted() {
        assert!(ResourceName::parse(&"a".repeat(255)).is_ok());
        assert!(ResourceName::parse(&"a".repeat(256)).is_err());
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(ResourceName::parse("web\n01").is_err());
    }
}
