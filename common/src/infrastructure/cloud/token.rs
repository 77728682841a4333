//! Scoped tokens and the single-flight cache that hands them out.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use tokio::sync::Mutex;

use super::catalog::Catalog;
use super::error::{CloudError, CloudResult};
use super::secret::Secret;

/// A token scoped to one project, with the catalog that came with it.
#[derive(Debug, Clone)]
pub(crate) struct ScopedToken {
    pub value: Secret,
    pub expires_at: DateTime<Utc>,
    /// When the cache stops handing it out (shortly before expiry).
    pub refresh_at: DateTime<Utc>,
    pub project_id: String,
    /// Domain of the scoped project (Keystone v3 only).
    pub project_domain_id: Option<String>,
    pub user_id: Option<String>,
    pub catalog: Catalog,
}

/// Where a session gets its token from.
#[async_trait]
pub(crate) trait TokenSource: Send + Sync {
    /// A valid token, from the cache or freshly issued.
    async fn token(&self) -> CloudResult<Arc<ScopedToken>>;
    /// Drops `stale` from the cache (a newer token is kept).
    async fn invalidate(&self, stale: &ScopedToken);
}

/// Holds at most one token; concurrent callers that find it missing or about
/// to expire wait for a single refresh instead of each issuing one.
#[derive(Default)]
pub(crate) struct TokenCell {
    slot: Mutex<Slot>,
}

#[derive(Default)]
struct Slot {
    token: Option<Arc<ScopedToken>>,
    /// The last failed issue, shared with the callers that waited for it.
    failure: Option<(Instant, CloudError)>,
}

impl TokenCell {
    pub async fn get_or_refresh<F, Fut>(&self, issue: F) -> CloudResult<Arc<ScopedToken>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = CloudResult<ScopedToken>>,
    {
        let asked_at = Instant::now();
        let mut slot = self.slot.lock().await;
        if let Some(token) = slot.token.as_ref()
            && token.refresh_at > Utc::now()
        {
            return Ok(token.clone());
        }
        // Someone issued while we waited and failed: share that answer rather
        // than queueing one more attempt per waiting caller.
        if let Some((at, error)) = &slot.failure
            && *at >= asked_at
        {
            return Err(error.clone());
        }
        match issue().await {
            Ok(token) => {
                let fresh = Arc::new(token);
                slot.token = Some(fresh.clone());
                slot.failure = None;
                Ok(fresh)
            }
            Err(error) => {
                slot.failure = Some((Instant::now(), error.clone()));
                Err(error)
            }
        }
    }

    pub async fn invalidate(&self, stale: &ScopedToken) {
        let mut slot = self.slot.lock().await;
        if slot.token.as_ref().is_some_and(|t| t.value == stale.value) {
            slot.token = None;
        }
    }
}

/// When to stop using a token that expires at `expires_at`.
pub(crate) fn refresh_time(expires_at: DateTime<Utc>) -> DateTime<Utc> {
    let lifetime = expires_at - Utc::now();
    expires_at - refresh_margin_for(lifetime)
}

/// Refresh margin: five minutes, or a third of a short lifetime so that tiny
/// test TTLs still get some use out of a token.
pub(crate) fn refresh_margin_for(lifetime: ChronoDuration) -> ChronoDuration {
    let five_minutes = ChronoDuration::minutes(5);
    if lifetime > five_minutes * 3 {
        five_minutes
    } else {
        lifetime / 3
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn token(value: &str, ttl_secs: i64) -> ScopedToken {
        let expires_at = Utc::now() + ChronoDuration::seconds(ttl_secs);
        ScopedToken {
            value: Secret::new(value),
            expires_at,
            refresh_at: refresh_time(expires_at),
            project_id: "p".into(),
            project_domain_id: None,
            user_id: None,
            catalog: Catalog::default(),
        }
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_refresh() {
        let cell = Arc::new(TokenCell::default());
        let issued = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let cell = cell.clone();
            let issued = issued.clone();
            tasks.push(tokio::spawn(async move {
                cell.get_or_refresh(|| async {
                    issued.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Ok(token("t1", 3600))
                })
                .await
                .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().value.expose(), "t1");
        }
        assert_eq!(issued.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn callers_waiting_on_a_failed_issue_share_the_failure() {
        let cell = Arc::new(TokenCell::default());
        let attempts = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let cell = cell.clone();
            let attempts = attempts.clone();
            tasks.push(tokio::spawn(async move {
                cell.get_or_refresh(|| async {
                    attempts.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Err(CloudError::invalid_response(
                        crate::infrastructure::cloud::error::CloudService::Identity,
                        "down",
                    ))
                })
                .await
            }));
        }
        for t in tasks {
            assert!(t.await.unwrap().is_err());
        }
        assert_eq!(attempts.load(Ordering::SeqCst), 1);
        let later = cell.get_or_refresh(|| async { Ok(token("t", 3600)) }).await;
        assert!(later.is_ok(), "a later caller tries again");
    }

    #[tokio::test]
    async fn token_close_to_expiry_is_refreshed() {
        let cell = TokenCell::default();
        cell.get_or_refresh(|| async { Ok(token("old", 0)) }).await.unwrap();
        let next = cell.get_or_refresh(|| async { Ok(token("new", 3600)) }).await.unwrap();
        assert_eq!(next.value.expose(), "new");
    }

    #[tokio::test]
    async fn invalidate_only_drops_the_stale_token() {
        let cell = TokenCell::default();
        let first = cell.get_or_refresh(|| async { Ok(token("a", 3600)) }).await.unwrap();
        cell.invalidate(&token("other", 3600)).await;
        let same = cell.get_or_refresh(|| async { Ok(token("b", 3600)) }).await.unwrap();
        assert_eq!(same.value.expose(), "a");
        cell.invalidate(&first).await;
        let fresh = cell.get_or_refresh(|| async { Ok(token("b", 3600)) }).await.unwrap();
        assert_eq!(fresh.value.expose(), "b");
    }

    #[test]
    fn margin_is_five_minutes_for_normal_tokens() {
        assert_eq!(refresh_margin_for(ChronoDuration::hours(1)), ChronoDuration::minutes(5));
        assert_eq!(
            refresh_margin_for(ChronoDuration::seconds(30)),
            ChronoDuration::seconds(10)
        );
    }
}
