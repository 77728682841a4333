//! Keystone v3 password authentication for the service user, with one
//! cached token per scope (the service project, and each managed project).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};

use crate::infrastructure::cloud::catalog::{Catalog, with_version};
use crate::infrastructure::cloud::error::{CloudError, CloudResult, CloudService};
use crate::infrastructure::cloud::http::{HttpCall, HttpCore, Idempotency};
use crate::infrastructure::cloud::secret::Secret;
use crate::infrastructure::cloud::session::decode;
use crate::infrastructure::cloud::settings::OpenStackSettings;
use crate::infrastructure::cloud::timestamp::parse_timestamp;
use crate::infrastructure::cloud::token::{ScopedToken, TokenCell, TokenSource, refresh_time};

const S: CloudService = CloudService::Identity;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    /// The service user's own project (admin role).
    Service,
    Project(String),
}

pub(crate) struct KeystoneAuth {
    http: Arc<HttpCore>,
    settings: OpenStackSettings,
    service: TokenCell,
    projects: Mutex<HashMap<String, Arc<TokenCell>>>,
}

impl KeystoneAuth {
    pub fn new(http: Arc<HttpCore>, settings: OpenStackSettings) -> Self {
        KeystoneAuth {
            http,
            settings,
            service: TokenCell::default(),
            projects: Mutex::new(HashMap::new()),
        }
    }

    pub fn identity_root(&self) -> String {
        with_version(&self.settings.auth_url, "/v3")
    }

    fn cell(&self, project_id: &str) -> Arc<TokenCell> {
        let mut map = match self.projects.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry(project_id.to_owned())
            .or_insert_with(|| Arc::new(TokenCell::default()))
            .clone()
    }

    pub async fn token(&self, scope: &Scope) -> CloudResult<Arc<ScopedToken>> {
        match scope {
            Scope::Service => self.service.get_or_refresh(|| self.issue(scope)).await,
            Scope::Project(id) => self.cell(id).get_or_refresh(|| self.issue(scope)).await,
        }
    }

    pub async fn invalidate(&self, scope: &Scope, stale: &ScopedToken) {
        match scope {
            Scope::Service => self.service.invalidate(stale).await,
            Scope::Project(id) => self.cell(id).invalidate(stale).await,
        }
    }

    fn auth_body(&self, scope: &Scope) -> Value {
        let s = &self.settings;
        let scope = match scope {
            Scope::Service => json!({ "project": {
                "name": s.project_name,
                "domain": { "name": s.project_domain_name },
            }}),
            Scope::Project(id) => json!({ "project": { "id": id } }),
        };
        json!({ "auth": {
            "identity": {
                "methods": ["password"],
                "password": { "user": {
                    "name": s.username,
                    "domain": { "name": s.user_domain_name },
                    "password": s.password.expose(),
                }},
            },
            "scope": scope,
        }})
    }

    async fn issue(&self, scope: &Scope) -> CloudResult<ScopedToken> {
        let body = self.auth_body(scope);
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let call = HttpCall {
            service: S,
            method: Method::POST,
            path_template: "/v3/auth/tokens",
            url: format!("{}/auth/tokens", self.identity_root()),
            query: &[],
            headers,
            body: Some(&body),
            idempotency: Idempotency::Idempotent,
        };
        let response = self.http.send(&call).await?;
        let value = response
            .header("x-subject-token")
            .map(Secret::new)
            .ok_or_else(|| CloudError::invalid_response(S, "token response without X-Subject-Token"))?;
        let body: Value = decode(S, &response.body)?;
        let token = body
            .get("token")
            .ok_or_else(|| CloudError::invalid_response(S, "token response without `token`"))?;
        let token = parse_v3_token(value, token)?;
        if let Scope::Project(wanted) = scope
            && token.project_id != *wanted
        {
            return Err(CloudError::invalid_response(
                S,
                format!("asked for a token of project {wanted}, got {}", token.project_id),
            ));
        }
        tracing::debug!(project_id = %token.project_id, expires_at = %token.expires_at, "issued keystone token");
        Ok(token)
    }
}

pub(crate) fn parse_v3_token(value: Secret, token: &Value) -> CloudResult<ScopedToken> {
    let expires_at = token
        .get("expires_at")
        .and_then(Value::as_str)
        .and_then(parse_timestamp)
        .ok_or_else(|| CloudError::invalid_response(S, "token without a readable expires_at"))?;
    let project = token
        .get("project")
        .ok_or_else(|| CloudError::invalid_response(S, "token is not project-scoped"))?;
    let project_id = project
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| CloudError::invalid_response(S, "token project without id"))?
        .to_owned();
    let catalog = match token.get("catalog") {
        Some(c) => Catalog::from_v3(c)?,
        None => Catalog::default(),
    };
    Ok(ScopedToken {
        value,
        expires_at,
        refresh_at: refresh_time(expires_at),
        project_id,
        project_domain_id: project
            .get("domain")
            .and_then(|d| d.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        user_id: token
            .get("user")
            .and_then(|u| u.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        catalog,
    })
}

/// A [`TokenSource`] bound to one scope.
pub(crate) struct ScopedSource {
    pub auth: Arc<KeystoneAuth>,
    pub scope: Scope,
}

#[async_trait]
impl TokenSource for ScopedSource {
    async fn token(&self) -> CloudResult<Arc<ScopedToken>> {
        self.auth.token(&self.scope).await
    }

    async fn invalidate(&self, stale: &ScopedToken) {
        self.auth.invalidate(&self.scope, stale).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_project_scoped_token() {
        let t = parse_v3_token(
            Secret::new("tok"),
            &json!({
                "expires_at": "2099-11-07T02:58:43.578887Z",
                "project": {"id": "p1", "name": "admin", "domain": {"id": "default"}},
                "user": {"id": "u1"},
                "catalog": [{"type": "compute", "endpoints": [
                    {"interface": "public", "region_id": "RegionOne", "url": "http://c/v2.1"}]}]
            }),
        )
        .unwrap();
        assert_eq!(t.project_id, "p1");
        assert_eq!(t.project_domain_id.as_deref(), Some("default"));
        assert_eq!(t.user_id.as_deref(), Some("u1"));
        assert!(t.refresh_at < t.expires_at);
        assert_eq!(t.catalog.services.len(), 1);
    }

    #[test]
    fn unscoped_token_is_rejected() {
        assert!(parse_v3_token(Secret::new("t"), &json!({"expires_at": "2099-01-01T00:00:00Z"})).is_err());
    }
}
