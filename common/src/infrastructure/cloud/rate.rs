//! The call rate every request of one cloud client passes through: calls
//! start evenly spaced (`per_second`), and a `Retry-After` from the cloud
//! pauses all of them, not only the call that got it.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

/// The longest pause a `Retry-After` can impose, whatever the cloud says.
const MAX_PAUSE: Duration = Duration::from_secs(600);

/// Shared by every task of a process that talks to one cloud.
#[derive(Debug)]
pub struct CallRate {
    /// Time between call starts; `None`: no rate, only pauses.
    interval: Option<Duration>,
    schedule: Mutex<Schedule>,
}

/// When the next call may start. Pure: callers pass the time in.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schedule {
    /// The earliest start of the next call under the rate.
    next_start: Option<Instant>,
    paused_until: Option<Instant>,
}

/// What a caller asking to start a call at `now` must do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Start after this wait (zero: at once); the slot is reserved.
    After(Duration),
    /// The cloud asked for a longer pause than the caller may wait: fail
    /// without calling. Nothing is reserved.
    Refused { retry_after: Duration },
}

impl Schedule {
    pub(crate) fn admit(&mut self, interval: Option<Duration>, max_wait: Duration, now: Instant) -> Admission {
        let resume = self.paused_until.filter(|p| *p > now).unwrap_or(now);
        let start = match (interval, self.next_start) {
            (Some(_), Some(next)) => next.max(resume),
            _ => resume,
        };
        let wait = start - now;
        if resume > now && wait > max_wait {
            return Admission::Refused { retry_after: wait };
        }
        if let Some(step) = interval {
            self.next_start = Some(start + step);
        }
        Admission::After(wait)
    }

    /// No call starts before `now + retry_after`; after it, calls resume at
    /// the rate, not in a burst.
    pub(crate) fn pause(&mut self, retry_after: Duration, now: Instant) {
        let until = now + retry_after.min(MAX_PAUSE);
        if self.paused_until.is_none_or(|p| p < until) {
            self.paused_until = Some(until);
        }
        if let Some(next) = self.next_start
            && next < until
        {
            self.next_start = Some(until);
        }
    }
}

impl CallRate {
    /// At most `per_second` call starts a second, evenly spaced.
    pub fn per_second(per_second: u32) -> Self {
        Self {
            interval: (per_second > 0).then(|| Duration::from_secs(1) / per_second),
            schedule: Mutex::default(),
        }
    }

    /// No rate; only the cloud's `Retry-After` pauses calls.
    pub fn unlimited() -> Self {
        Self::per_second(0)
    }

    fn schedule(&self) -> MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for this call's turn. `Err(retry_after)` when the cloud's pause
    /// lasts longer than `max_wait`: the call must fail without being sent.
    pub(crate) async fn acquire(&self, max_wait: Duration) -> Result<(), Duration> {
        let admission = self.schedule().admit(self.interval, max_wait, Instant::now());
        match admission {
            Admission::After(wait) if wait.is_zero() => Ok(()),
            Admission::After(wait) => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Admission::Refused { retry_after } => Err(retry_after),
        }
    }

    pub(crate) fn pause(&self, retry_after: Duration) {
        self.schedule().pause(retry_after, Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP: Duration = Duration::from_millis(100);
    const MAX_WAIT: Duration = Duration::from_secs(5);

    fn waits(schedule: &mut Schedule, at: Instant, n: usize) -> Vec<Duration> {
        (0..n)
            .map(|_| match schedule.admit(Some(STEP), MAX_WAIT, at) {
                Admission::After(d) => d,
                refused => panic!("{refused:?}"),
            })
            .collect()
    }

    #[test]
    fn calls_asked_at_once_start_one_interval_apart() {
        let mut s = Schedule::default();
        let t = Instant::now();
        assert_eq!(waits(&mut s, t, 4), [Duration::ZERO, STEP, STEP * 2, STEP * 3]);
    }

    #[test]
    fn a_call_after_a_quiet_spell_starts_at_once() {
        let mut s = Schedule::default();
        let t = Instant::now();
        waits(&mut s, t, 2);
        assert_eq!(waits(&mut s, t + Duration::from_secs(10), 1), [Duration::ZERO]);
    }

    #[test]
    fn a_quiet_spell_does_not_save_up_a_burst() {
        let mut s = Schedule::default();
        let t = Instant::now() + Duration::from_secs(10);
        assert_eq!(waits(&mut s, t, 3), [Duration::ZERO, STEP, STEP * 2]);
    }

    #[test]
    fn without_a_rate_calls_start_at_once() {
        let mut s = Schedule::default();
        let t = Instant::now();
        for _ in 0..5 {
            assert_eq!(s.admit(None, MAX_WAIT, t), Admission::After(Duration::ZERO));
        }
    }

    #[test]
    fn a_pause_holds_every_call_until_it_ends_then_the_rate_resumes() {
        let mut s = Schedule::default();
        let t = Instant::now();
        waits(&mut s, t, 1);
        s.pause(Duration::from_secs(2), t);
        let later = t + Duration::from_millis(500);
        assert_eq!(
            waits(&mut s, later, 3),
            [
                Duration::from_millis(1500),
                Duration::from_millis(1500) + STEP,
                Duration::from_millis(1500) + STEP * 2
            ]
        );
    }

    #[test]
    fn a_pause_applies_without_a_rate_too() {
        let mut s = Schedule::default();
        let t = Instant::now();
        s.pause(Duration::from_secs(3), t);
        assert_eq!(
            s.admit(None, MAX_WAIT, t + Duration::from_secs(1)),
            Admission::After(Duration::from_secs(2))
        );
        assert_eq!(
            s.admit(None, MAX_WAIT, t + Duration::from_secs(3)),
            Admission::After(Duration::ZERO)
        );
    }

    #[test]
    fn a_pause_longer_than_the_caller_may_wait_is_refused_without_reserving() {
        let mut s = Schedule::default();
        let t = Instant::now();
        s.pause(Duration::from_secs(60), t);
        assert_eq!(
            s.admit(Some(STEP), MAX_WAIT, t),
            Admission::Refused {
                retry_after: Duration::from_secs(60)
            }
        );
        let after = t + Duration::from_secs(60);
        assert_eq!(
            waits(&mut s, after, 2),
            [Duration::ZERO, STEP],
            "the refusal reserved nothing"
        );
    }

    #[test]
    fn a_shorter_pause_never_shortens_a_longer_one() {
        let mut s = Schedule::default();
        let t = Instant::now();
        s.pause(Duration::from_secs(4), t);
        s.pause(Duration::from_secs(1), t);
        assert_eq!(s.admit(None, MAX_WAIT, t), Admission::After(Duration::from_secs(4)));
    }

    #[test]
    fn an_absurd_retry_after_is_capped() {
        let mut s = Schedule::default();
        let t = Instant::now();
        s.pause(Duration::from_secs(86_400), t);
        assert_eq!(
            s.admit(None, MAX_WAIT, t),
            Admission::Refused { retry_after: MAX_PAUSE }
        );
    }

    #[test]
    fn a_rate_of_zero_means_no_rate() {
        assert_eq!(CallRate::unlimited().interval, None);
        assert_eq!(CallRate::per_second(4).interval, Some(Duration::from_millis(250)));
    }
}
