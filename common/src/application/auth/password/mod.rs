//! argon2id hashing on the blocking pool, never on the async workers, with
//! a cap on concurrent hashes (each takes ~19 MiB and ~30 ms of a core).
//! Each permit owns one pre-allocated memory buffer that its hashes reuse,
//! so hashing holds permits × 19 MiB however many threads take part.

mod argon2id;
mod memory;

use std::sync::Arc;

use argon2::Block;

use self::memory::MemoryPool;
use crate::domain::auth::Password;
use crate::error::{AppError, AppResult};

pub struct PasswordHasher {
    memory: Arc<MemoryPool>,
    /// Verified against when the account does not exist, so a miss costs
    /// as much time as a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> AppResult<Self> {
        let memory = MemoryPool::new(max_concurrent.max(1), argon2id::HASH_BLOCKS);
        let mut lease = memory
            .try_lease()
            .ok_or_else(|| AppError::internal(std::io::Error::other("a new memory pool has no free buffer")))??;
        let dummy = argon2id::hash(b"dummy password that matches nothing", lease.blocks())?;
        drop(lease);
        Ok(Self {
            memory,
            dummy_hash: dummy.into(),
        })
    }

    pub async fn hash(&self, password: &Password) -> AppResult<String> {
        let password = password.expose().to_owned();
        self.run_blocking(move |memory| argon2id::hash(password.as_bytes(), memory))
            .await
    }

    /// Verifies against `stored`, or against the dummy hash when there is
    /// none; the answer is false then, after the same amount of work.
    pub async fn verify(&self, password: &str, stored: Option<String>) -> AppResult<bool> {
        let password = password.to_owned();
        let found = stored.is_some();
        let phc = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matched = self
            .run_blocking(move |memory| Ok(argon2id::verify(password.as_bytes(), &phc, memory)))
            .await?;
        Ok(found && matched)
    }

    /// Runs `work` with a pooled buffer. The lease travels with the work, so
    /// a caller that stops waiting does not free the buffer while it is in use.
    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut [Block]) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let mut lease = self.memory.lease().await?;
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| work(lease.blocks())))
            .await
            .map_err(AppError::internal)?
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::phc::PasswordHash;
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
    use argon2::{Algorithm, Argon2, Params, Version};

    use super::*;

    fn password(text: &str) -> Password {
        Password::parse(text).unwrap()
    }

    fn standard_hash(password: &str, params: Params) -> String {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(password.as_bytes())
            .unwrap()
            .to_string()
    }

    #[tokio::test]
    async fn hash_is_argon2id_with_default_params_and_verifies_only_the_same_password() {
        let hasher = PasswordHasher::new(2).unwrap();
        let hash = hasher.hash(&password("correct horse")).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
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

    #[tokio::test]
    async fn pooled_hash_verifies_with_the_crates_own_verifier() {
        let hasher = PasswordHasher::new(1).unwrap();
        let hash = hasher.hash(&password("correct horse")).await.unwrap();
        let parsed = PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong horse!", &parsed).is_err());
    }

    #[tokio::test]
    async fn hash_from_the_crates_own_hasher_verifies_through_the_pool() {
        let hasher = PasswordHasher::new(1).unwrap();
        let hash = standard_hash("correct horse", Params::default());
        assert!(hasher.verify("correct horse", Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("wrong horse!", Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn hash_with_smaller_params_verifies_in_part_of_a_pooled_buffer() {
        let hasher = PasswordHasher::new(1).unwrap();
        let hash = standard_hash("correct horse", Params::new(8192, 1, 1, None).unwrap());
        assert!(hash.contains("$m=8192,t=1,p=1$"), "{hash}");
        assert!(hasher.verify("correct horse", Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("wrong horse!", Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn hash_needing_more_memory_than_a_pooled_buffer_verifies_in_a_one_off_one() {
        let hasher = PasswordHasher::new(1).unwrap();
        let hash = standard_hash("correct horse", Params::new(32768, 1, 2, None).unwrap());
        assert!(hash.contains("$m=32768,t=1,p=2$"), "{hash}");
        assert!(hasher.verify("correct horse", Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("wrong horse!", Some(hash)).await.unwrap());
        assert_eq!(hasher.memory.available(), 1);
    }

    #[tokio::test]
    async fn malformed_or_tampered_hash_never_verifies() {
        let hasher = PasswordHasher::new(1).unwrap();
        let hash = hasher.hash(&password("correct horse")).await.unwrap();
        let (head, tail) = hash.rsplit_once('$').unwrap();
        let flipped = if tail.starts_with('A') { "B" } else { "A" };
        for stored in [
            String::new(),
            "not a hash".to_owned(),
            head.to_owned(),
            format!("{head}${flipped}{}", &tail[1..]),
            hash.replace("argon2id", "argon2x"),
            hash.replace("v=19", "v=18"),
        ] {
            assert!(
                !hasher.verify("correct horse", Some(stored.clone())).await.unwrap(),
                "{stored}"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_hashes_beyond_the_permits_each_verify_only_their_own_password() {
        const PERMITS: usize = 2;
        let hasher = Arc::new(PasswordHasher::new(PERMITS).unwrap());
        let passwords: Vec<String> = (0..4 * PERMITS).map(|i| format!("password number {i}")).collect();
        let tasks = passwords.iter().map(|text| {
            let (hasher, password) = (hasher.clone(), password(text));
            tokio::spawn(async move { hasher.hash(&password).await.unwrap() })
        });
        let mut hashes = Vec::new();
        for task in tasks.collect::<Vec<_>>() {
            hashes.push(task.await.unwrap());
        }
        let checks = hashes.iter().enumerate().flat_map(|(i, hash)| {
            let hasher = hasher.clone();
            [i, (i + 1) % passwords.len()].map(|j| {
                let (hasher, hash, text) = (hasher.clone(), hash.clone(), passwords[j].clone());
                tokio::spawn(async move { (i == j, hasher.verify(&text, Some(hash)).await.unwrap()) })
            })
        });
        for check in checks.collect::<Vec<_>>() {
            let (own, matched) = check.await.unwrap();
            assert_eq!(matched, own);
        }
        assert_eq!(hasher.memory.available(), PERMITS);
    }
}
