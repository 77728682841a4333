//! Who is asking: the parsed password and the authenticated actor.

use std::fmt;

use super::user::Role;

/// A password as typed: 8..128 characters. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let len = s.chars().count();
        if !(8..=128).contains(&len) {
            return Err("must be 8 to 128 characters long");
        }
        Ok(Self(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// The holder of a valid, unrevoked access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub role: Role,
    /// The project chosen at login; `None` only for an admin without projects.
    pub project_id: Option<i64>,
    pub token_id: String,
    /// Seconds since the epoch, as in the token.
    pub expires_at: i64,
}

impl Actor {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// What every use case receives about the request besides its input.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub actor: Option<Actor>,
}

impl RequestContext {
    pub fn anonymous(request_id: impl Into<String>) -> Self {
        Self {
            request_id: request_id.into(),
            actor: None,
        }
    }

    pub fn of(actor: Actor, request_id: impl Into<String>) -> Self {
        Self {
            request_id: request_id.into(),
            actor: Some(actor),
        }
    }

    pub fn actor_id(&self) -> Option<i64> {
        self.actor.as_ref().map(|a| a.user_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_length_is_counted_in_characters() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"가".repeat(128)).is_ok());
        assert!(Password::parse(&"a".repeat(129)).is_err());
    }

    #[test]
    fn password_never_shows_in_debug_output() {
        let p = Password::parse("hunter2hunter2").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }
}
