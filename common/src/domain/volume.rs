//! Volumes: status as we show it, size rules, the stored row.

use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VolumeStatus {
    Creating,
    Available,
    InUse,
    Attaching,
    Detaching,
    Extending,
    Deleting,
    Error,
}

impl VolumeStatus {
    pub const ALL: [VolumeStatus; 8] = [
        Self::Creating,
        Self::Available,
        Self::InUse,
        Self::Attaching,
        Self::Detaching,
        Self::Extending,
        Self::Deleting,
        Self::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "CREATING",
            Self::Available => "AVAILABLE",
            Self::InUse => "IN_USE",
            Self::Attaching => "ATTACHING",
            Self::Detaching => "DETACHING",
            Self::Extending => "EXTENDING",
            Self::Deleting => "DELETING",
            Self::Error => "ERROR",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Cinder's status word (`in-use`, `reserved`, `error_extending`, ...).
    pub fn from_cloud(s: &str) -> Self {
        match s.to_ascii_lowercase().as_str() {
            "creating" | "downloading" => Self::Creating,
            "available" => Self::Available,
            "in-use" => Self::InUse,
            "attaching" | "reserved" => Self::Attaching,
            "detaching" => Self::Detaching,
            "extending" => Self::Extending,
            "deleting" => Self::Deleting,
            _ => Self::Error,
        }
    }
}

/// 1..16384 GiB.
pub fn parse_size(size: i64) -> Result<u32, &'static str> {
    match u32::try_from(size) {
        Ok(s) if (1..=16384).contains(&s) => Ok(s),
        _ => Err("must be from 1 to 16384 (GiB)"),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub description: String,
    pub size_gb: i64,
    pub requested_size_gb: Option<i64>,
    pub volume_type_id: Option<String>,
    pub image_id: Option<String>,
    pub status: VolumeStatus,
    pub task_state: Option<String>,
    pub pending_action: Option<String>,
    pub error_message: Option<String>,
    pub server_id: Option<i64>,
    pub is_root: bool,
    pub openstack_id: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl Volume {
    /// A user action may start: nothing else in flight.
    pub fn is_busy(&self) -> bool {
        self.pending_action.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_bounds_are_1_and_16384() {
        assert!(parse_size(0).is_err());
        assert_eq!(parse_size(1), Ok(1));
        assert_eq!(parse_size(16384), Ok(16384));
        assert!(parse_size(16385).is_err());
    }

    #[test]
    fn cinder_words_map_to_our_statuses() {
        assert_eq!(VolumeStatus::from_cloud("in-use"), VolumeStatus::InUse);
        assert_eq!(VolumeStatus::from_cloud("reserved"), VolumeStatus::Attaching);
        assert_eq!(VolumeStatus::from_cloud("error_extending"), VolumeStatus::Error);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in VolumeStatus::ALL {
            assert_eq!(VolumeStatus::parse(s.as_str()), Some(s));
        }
    }
}
