//! Access tokens: JWT HS256 with `sub`, `project_id`, `role`, `jti`, `iat`, `exp`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::config::JwtSettings;
use crate::domain::auth::Actor;
use crate::domain::user::Role;
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id, as a string (RFC 7519).
    pub sub: String,
    pub project_id: Option<i64>,
    pub role: Role,
    pub jti: String,
    pub iat: i64,
    pub exp: i64,
}

impl AccessClaims {
    pub fn issued_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.iat, 0).unwrap_or_default()
    }

    pub fn actor(&self) -> AppResult<Actor> {
        let user_id = self.sub.parse().map_err(|_| invalid_token())?;
        Ok(Actor {
            user_id,
            role: self.role,
            project_id: self.project_id,
            token_id: self.jti.clone(),
            expires_at: self.exp,
        })
    }
}

pub fn invalid_token() -> AppError {
    AppError::unauthorized(
        "INVALID_ACCESS_TOKEN",
        "the access token is missing, invalid, expired or revoked",
    )
}

pub struct TokenIssuer {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl TokenIssuer {
    pub fn new(settings: &JwtSettings) -> Self {
        let secret = settings.secret.expose().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl: settings.ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Signs a token issued now, or at `not_before` when that is later (see
    /// `revocation`: a cutoff is a whole second ahead of the revocation).
    pub fn issue(
        &self,
        user_id: i64,
        role: Role,
        project_id: Option<i64>,
        not_before: Option<DateTime<Utc>>,
    ) -> AppResult<(String, AccessClaims)> {
        let now = Utc::now().timestamp();
        let iat = not_before.map_or(now, |nb| nb.timestamp().max(now));
        let claims = AccessClaims {
            sub: user_id.to_string(),
            project_id,
            role,
            jti: uuid::Uuid::new_v4().to_string(),
            iat,
            exp: now + self.ttl.as_secs() as i64,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(AppError::internal)?;
        Ok((token, claims))
    }

    /// Checks signature, algorithm and expiry; revocation is checked apart.
    pub fn verify(&self, token: &str) -> AppResult<AccessClaims> {
        decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| invalid_token())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn issuer(secret: &str) -> TokenIssuer {
        TokenIssuer::new(&JwtSettings {
            secret: Secret::new(secret),
            ttl: Duration::from_secs(3600),
        })
    }

    #[test]
    fn issued_token_verifies_and_carries_the_claims() {
        let tokens = issuer(&"s".repeat(32));
        let (token, claims) = tokens.issue(7, Role::Member, Some(3), None).unwrap();
        let back = tokens.verify(&token).unwrap();
        assert_eq!(back, claims);
        assert_eq!(back.actor().unwrap().user_id, 7);
        assert_eq!(back.exp - back.iat, 3600);
    }

    #[test]
    fn token_signed_with_another_secret_is_refused() {
        let (token, _) = issuer(&"a".repeat(32)).issue(1, Role::Admin, None, None).unwrap();
        assert_eq!(
            issuer(&"b".repeat(32)).verify(&token).unwrap_err().code,
            "INVALID_ACCESS_TOKEN"
        );
    }
}
