//! Waiting for the batch server to converge: poll, never sleep blindly.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long a journey waits for one reconcile outcome. Passes run every
/// second or two; the margin is for a loaded 2-core CI machine.
pub const CONVERGE: Duration = Duration::from_secs(45);

const POLL: Duration = Duration::from_millis(200);

/// Calls `probe` until it returns `Ok`, or panics after `deadline` with
/// `what` and the last thing `probe` saw.
pub async fn until<T, F, Fut>(what: &str, deadline: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let end = Instant::now() + deadline;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) if Instant::now() > end => {
                panic!("{what}: not reached within {deadline:?}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}
