//! argon2id hashing on the blocking pool, never on the async workers, with
//! a cap on concurrent hashes (each takes ~19 MiB and ~30 ms of a core).

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

use crate::domain::auth::Password;
use crate::error::{AppError, AppResult};

pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Verified against when the account does not exist, so a miss costs
    /// as much time as a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> AppResult<Self> {
        let dummy = hash_now("dummy password that matches nothing")?;
        Ok(Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy_hash: dummy.into(),
        })
    }

    pub async fn hash(&self, password: &Password) -> AppResult<String> {
        let password = password.expose().to_owned();
        self.run_blocking(move || hash_now(&password)).await
    }

    /// Verifies against `stored`, or against the dummy hash when there is
    /// none; the answer is false then, after the same amount of work.
    pub async fn verify(&self, password: &str, stored: Option<String>) -> AppResult<bool> {
        let password = password.to_owned();
        let found = stored.is_some();
        let phc = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matched = self.run_blocking(move || Ok(verify_now(&password, &phc))).await?;
        Ok(found && matched)
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(work))
            .await
            .map_err(AppError::internal)?
    }
}

fn hash_now(password: &str) -> AppResult<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(std::io::Error::other(format!("password hashing failed: {e}"))))
}

fn verify_now(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_is_argon2id_and_verifies_only_the_same_password() {
        let hasher = PasswordHasher::new(2).unwrap();
        let hash = hasher.hash(&Password::parse("correct horse").unwrap()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(hasher.verify("correct horse", Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("wrong horse!", Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn missing_hash_never_verifies() {
        let hasher = PasswordHasher::new(1).unwrap();
        assert!(
            !hasher
                .verify("dummy password that matches nothing", None)
                .await
                .unwrap()
        );
    }
}
