//! Polling with a deadline instead of fixed sleeps.

use std::future::Future;
use std::time::{Duration, Instant};

/// Polls `probe` every `every` until it answers `Some`, for at most `within`;
/// `None` when the deadline passed first.
pub async fn until<T, F, Fut>(within: Duration, every: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe().await {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(every).await;
    }
}
