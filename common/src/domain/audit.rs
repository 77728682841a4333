//! What an audit event records. Never a secret: no passwords, hashes, tokens
//! or cloud credentials go into `detail`.

use std::borrow::Cow;

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
    Accepted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
            Outcome::Accepted => "accepted",
        }
    }
}

#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// `user.create`, `project.delete`, `auth.login`, ...
    pub action: Cow<'static, str>,
    pub resource_type: &'static str,
    pub resource_id: Option<i64>,
    pub project_id: Option<i64>,
    pub outcome: Outcome,
    pub detail: Option<Value>,
}

impl AuditEvent {
    pub fn success(action: &'static str, resource_type: &'static str, resource_id: Option<i64>) -> Self {
        Self {
            action: Cow::Borrowed(action),
            resource_type,
            resource_id,
            project_id: None,
            outcome: Outcome::Success,
            detail: None,
        }
    }

    pub fn in_project(mut self, project_id: Option<i64>) -> Self {
        self.project_id = project_id;
        self
    }

    pub fn with_outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn with_detail(mut self, detail: Value) -> Self {
        self.detail = Some(detail);
        self
    }
}
