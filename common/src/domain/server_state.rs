//! Server status as the cloud reports it, the action we have in flight, and
//! which actions a user may start from which state.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServerStatus {
    Build,
    Active,
    Shutoff,
    Reboot,
    Error,
    Deleted,
    Unknown,
}

impl ServerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Build => "BUILD",
            Self::Active => "ACTIVE",
            Self::Shutoff => "SHUTOFF",
            Self::Reboot => "REBOOT",
            Self::Error => "ERROR",
            Self::Deleted => "DELETED",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// Reads the cloud's (Nova's) status word; anything unexpected is `Unknown`.
    pub fn from_cloud(s: &str) -> Self {
        match s.to_ascii_uppercase().as_str() {
            "BUILD" | "BUILDING" => Self::Build,
            "ACTIVE" => Self::Active,
            "SHUTOFF" | "STOPPED" => Self::Shutoff,
            "REBOOT" | "HARD_REBOOT" => Self::Reboot,
            "ERROR" => Self::Error,
            "DELETED" | "SOFT_DELETED" => Self::Deleted,
            _ => Self::Unknown,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerTask {
    Creating,
    Starting,
    Stopping,
    Rebooting,
    Deleting,
    AttachingVolume,
    DetachingVolume,
}

impl ServerTask {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "creating",
            Self::Starting => "starting",
            Self::Stopping => "stopping",
            Self::Rebooting => "rebooting",
            Self::Deleting => "deleting",
            Self::AttachingVolume => "attaching_volume",
            Self::DetachingVolume => "detaching_volume",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Creating,
            Self::Starting,
            Self::Stopping,
            Self::Rebooting,
            Self::Deleting,
            Self::AttachingVolume,
            Self::DetachingVolume,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// The status the cloud shows once this task is done.
    pub fn settles_at(self) -> Option<ServerStatus> {
        match self {
            Self::Creating | Self::Starting | Self::Rebooting => Some(ServerStatus::Active),
            Self::Stopping => Some(ServerStatus::Shutoff),
            Self::Deleting => Some(ServerStatus::Deleted),
            Self::AttachingVolume | Self::DetachingVolume => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerAction {
    Start,
    Stop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionRefusal {
    /// Another action is in flight: `SERVER_BUSY`.
    Busy(ServerTask),
    /// The status does not allow it: `SERVER_STATUS_INVALID_TO_START|STOP`.
    InvalidStatus(ServerStatus),
}

/// Start only from SHUTOFF; stop only from ACTIVE or ERROR; nothing while
/// another action is in flight.
pub fn check_power_action(
    status: ServerStatus,
    task: Option<ServerTask>,
    action: PowerAction,
) -> Result<(), ActionRefusal> {
    if let Some(task) = task {
        return Err(ActionRefusal::Busy(task));
    }
    let allowed = match action {
        PowerAction::Start => status == ServerStatus::Shutoff,
        PowerAction::Stop => matches!(status, ServerStatus::Active | ServerStatus::Error),
    };
    if allowed {
        Ok(())
    } else {
        Err(ActionRefusal::InvalidStatus(status))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_is_allowed_only_from_shutoff() {
        assert!(check_power_action(ServerStatus::Shutoff, None, PowerAction::Start).is_ok());
        for s in [ServerStatus::Active, ServerStatus::Build, ServerStatus::Error] {
            assert_eq!(
                check_power_action(s, None, PowerAction::Start),
                Err(ActionRefusal::InvalidStatus(s))
            );
        }
    }

    #[test]
    fn stop_is_allowed_from_active_and_error() {
        assert!(check_power_action(ServerStatus::Active, None, PowerAction::Stop).is_ok());
        assert!(check_power_action(ServerStatus::Error, None, PowerAction::Stop).is_ok());
        assert!(check_power_action(ServerStatus::Shutoff, None, PowerAction::Stop).is_err());
    }

    #[test]
    fn any_action_in_flight_makes_the_server_busy() {
        let r = check_power_action(
            ServerStatus::Shutoff,
            Some(ServerTask::AttachingVolume),
            PowerAction::Start,
        );
        assert_eq!(r, Err(ActionRefusal::Busy(ServerTask::AttachingVolume)));
    }

    #[test]
    fn cloud_status_words_are_read_leniently() {
        assert_eq!(ServerStatus::from_cloud("active"), ServerStatus::Active);
        assert_eq!(ServerStatus::from_cloud("HARD_REBOOT"), ServerStatus::Reboot);
        assert_eq!(ServerStatus::from_cloud("MIGRATING"), ServerStatus::Unknown);
    }

    #[test]
    fn tasks_round_trip_through_their_names() {
        for t in [ServerTask::Creating, ServerTask::DetachingVolume] {
            assert_eq!(ServerTask::parse(t.as_str()), Some(t));
        }
    }
}
