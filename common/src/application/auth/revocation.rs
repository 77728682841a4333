//! Token revocation, checked on every request.
//!
//! A single token dies by its `jti` (logout). All tokens of a user, or of a
//! user in one project, die by a cutoff: tokens with `iat` before it are
//! refused. `iat` has whole seconds, so the cutoff is the next whole second
//! after the revocation, and tokens issued afterwards get `iat` = the
//! cutoff at least (see [`TokenIssuer::issue`](super::token::TokenIssuer::issue)).
//!
//! "Not revoked" answers are cached in-process for a short TTL. Revocations
//! made by this process clear the cache at once; those made by another
//! replica take effect here within the TTL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use sqlx::MySqlConnection;

use super::token::{AccessClaims, invalid_token};
use crate::application::Services;
use crate::domain::auth::Actor;
use crate::error::AppResult;
use crate::infrastructure::db::token_revocations;

pub struct RevocationCache {
    ttl: Duration,
    unrevoked: Mutex<HashMap<String, Instant>>,
}

impl RevocationCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            unrevoked: Mutex::new(HashMap::new()),
        }
    }

    fn known_unrevoked(&self, jti: &str) -> bool {
        if self.ttl.is_zero() {
            return false;
        }
        let Ok(mut map) = self.unrevoked.lock() else {
            return false;
        };
        let now = Instant::now();
        map.retain(|_, checked| now.duration_since(*checked) < self.ttl);
        map.contains_key(jti)
    }

    fn remember_unrevoked(&self, jti: &str) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut map) = self.unrevoked.lock() {
            map.insert(jti.to_owned(), Instant::now());
        }
    }

    /// Call after committing a revocation.
    pub fn forget_all(&self) {
        if let Ok(mut map) = self.unrevoked.lock() {
            map.clear();
        }
    }
}

/// The actor behind a bearer token: signature, expiry and revocation checked.
pub async fn authenticate(svc: &Services, token: &str) -> AppResult<Actor> {
    let claims = svc.tokens.verify(token)?;
    let actor = claims.actor()?;
    if !svc.revocations.known_unrevoked(&claims.jti) {
        if is_revoked(svc, &claims, &actor).await? {
            return Err(invalid_token());
        }
        svc.revocations.remember_unrevoked(&claims.jti);
    }
    Ok(actor)
}

async fn is_revoked(svc: &Services, claims: &AccessClaims, actor: &Actor) -> AppResult<bool> {
    token_revocations::is_revoked(
        &svc.pool,
        &claims.jti,
        actor.user_id,
        actor.project_id,
        claims.issued_at(),
    )
    .await
}

/// Revokes one token until it expires anyway.
pub async fn revoke_token(conn: &mut MySqlConnection, actor: &Actor, reason: &str) -> AppResult<()> {
    let expires = DateTime::from_timestamp(actor.expires_at, 0).unwrap_or_else(Utc::now);
    token_revocations::revoke_token(conn, &actor.token_id, actor.user_id, expires, reason).await
}

/// Revokes every token of the user issued until now (in one project when given).
pub async fn revoke_user_tokens(
    svc: &Services,
    conn: &mut MySqlConnection,
    user_id: i64,
    project_id: Option<i64>,
    reason: &str,
) -> AppResult<()> {
    let now = Utc::now();
    let cutoff = DateTime::from_timestamp(now.timestamp() + 1, 0).unwrap_or(now);
    let keep_until = now + TimeDelta::from_std(svc.tokens.ttl()).unwrap_or_default() + TimeDelta::minutes(1);
    token_revocations::revoke_issued_before(conn, user_id, project_id, cutoff, keep_until, reason).await
}
