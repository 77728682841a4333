//! Exponential backoff with full jitter.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::settings::RetryPolicy;

/// Upper bound of the delay before retry number `attempt` (1-based):
/// `base * 2^(attempt-1)`, capped at `max_delay`.
pub(crate) fn backoff_ceiling(policy: &RetryPolicy, attempt: u32) -> Duration {
    let factor = 1u32.checked_shl(attempt.saturating_sub(1)).unwrap_or(u32::MAX);
    policy
        .base_delay
        .checked_mul(factor)
        .unwrap_or(policy.max_delay)
        .min(policy.max_delay)
}

/// A random delay in `[ceiling/2, ceiling]` so that retries of many tasks spread out
/// but never collapse to zero.
pub(crate) fn backoff_delay(policy: &RetryPolicy, attempt: u32) -> Duration {
    let ceiling = backoff_ceiling(policy, attempt);
    let half = ceiling / 2;
    let span = (ceiling - half).as_nanos() as u64;
    if span == 0 {
        return ceiling;
    }
    half + Duration::from_nanos(random_u64() % (span + 1))
}

fn random_u64() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or_default();
    RandomState::new().hash_one(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
        }
    }

    #[test]
    fn ceiling_doubles_then_caps() {
        let p = policy();
        assert_eq!(backoff_ceiling(&p, 1), Duration::from_millis(100));
        assert_eq!(backoff_ceiling(&p, 2), Duration::from_millis(200));
        assert_eq!(backoff_ceiling(&p, 4), Duration::from_millis(800));
        assert_eq!(backoff_ceiling(&p, 5), Duration::from_secs(1));
        assert_eq!(backoff_ceiling(&p, 60), Duration::from_secs(1));
    }

    #[test]
    fn delay_stays_within_half_and_full_ceiling() {
        let p = policy();
        for attempt in 1..8 {
            let ceiling = backoff_ceiling(&p, attempt);
            for _ in 0..50 {
                let d = backoff_delay(&p, attempt);
                assert!(d >= ceiling / 2 && d <= ceiling, "{d:?} vs {ceiling:?}");
            }
        }
    }
}
