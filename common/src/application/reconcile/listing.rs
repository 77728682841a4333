use chrono::{DateTime, Duration, Utc};

use super::backoff::BackoffPolicy;

/// What an absence in the cloud's answer can mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Every page of an authenticated listing of all managed projects came
    /// back: a resource that is not in it may be gone (confirm with a get).
    Complete,
    /// Only what changed since a point in time: absence means nothing.
    ChangesSince(DateTime<Utc>),
}

impl Listing {
    pub fn is_complete(self) -> bool {
        matches!(self, Listing::Complete)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// A transition still unfinished after this long is failed with a reason.
    pub stuck_after: Duration,
    /// How long a create may be in flight in the API before an absence from
    /// a complete listing proves it was lost.
    pub lost_create_grace: Duration,
    /// How long a resource whose change failed is left alone.
    pub backoff: BackoffPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            stuck_after: Duration::minutes(30),
            lost_create_grace: Duration::minutes(5),
            backoff: BackoffPolicy::default(),
        }
    }
}

/// True when something started at `since` has been going longer than `limit`.
pub fn older_than(since: Option<DateTime<Utc>>, now: DateTime<Utc>, limit: Duration) -> bool {
    since.is_some_and(|s| now - s > limit)
}
