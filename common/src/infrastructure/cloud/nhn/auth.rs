//! NHN Cloud identity: Keystone v2.0 tenant tokens (`POST /v2.0/tokens`),
//! one cached token per tenant credentials.

use std::sync::Arc;

use async_trait::async_trait;
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};

use crate::infrastructure::cloud::catalog::{Catalog, with_version};
use crate::infrastructure::cloud::error::{CloudError, CloudResult, CloudService};
use crate::infrastructure::cloud::http::{HttpCall, HttpCore, Idempotency};
use crate::infrastructure::cloud::secret::Secret;
use crate::infrastructure::cloud::session::decode;
use crate::infrastructure::cloud::settings::NhnTenantCredentials;
use crate::infrastructure::cloud::timestamp::parse_timestamp;
use crate::infrastructure::cloud::token::{ScopedToken, TokenCell, TokenSource, refresh_time};

const S: CloudService = CloudService::Identity;

pub(crate) struct TenantTokens {
    http: Arc<HttpCore>,
    identity_url: String,
    pub credentials: NhnTenantCredentials,
    cell: TokenCell,
}

impl TenantTokens {
    pub fn new(http: Arc<HttpCore>, identity_url: &str, credentials: NhnTenantCredentials) -> Self {
        TenantTokens {
            http,
            identity_url: with_version(identity_url, "/v2.0"),
            credentials,
            cell: TokenCell::default(),
        }
    }

    async fn issue(&self) -> CloudResult<ScopedToken> {
        let c = &self.credentials;
        let body = json!({ "auth": {
            "tenantId": c.tenant_id,
            "passwordCredentials": {
                "username": c.username,
                "password": c.api_password.expose(),
            },
        }});
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let call = HttpCall {
            service: S,
            method: Method::POST,
            path_template: "/v2.0/tokens",
            url: format!("{}/tokens", self.identity_url),
            query: &[],
            headers,
            body: Some(&body),
            idempotency: Idempotency::Idempotent,
        };
        let response = self.http.send(&call).await?;
        let body: Value = decode(S, &response.body)?;
        parse_v2_access(&body)
    }
}

pub(crate) fn parse_v2_access(body: &Value) -> CloudResult<ScopedToken> {
    let access = body
        .get("access")
        .ok_or_else(|| CloudError::invalid_response(S, "token response without `access`"))?;
    let token = access
        .get("token")
        .ok_or_else(|| CloudError::invalid_response(S, "token response without `access.token`"))?;
    let value = token
        .get("id")
        .and_then(Value::as_str)
        .map(Secret::new)
        .ok_or_else(|| CloudError::invalid_response(S, "token without id"))?;
    let expires_at = token
        .get("expires")
        .and_then(Value::as_str)
        .and_then(parse_timestamp)
        .ok_or_else(|| CloudError::invalid_response(S, "token without a readable `expires`"))?;
    let project_id = token
        .get("tenant")
        .and_then(|t| t.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| CloudError::invalid_response(S, "token without tenant"))?
        .to_owned();
    let catalog = match access.get("serviceCatalog") {
        Some(c) => Catalog::from_v2(c)?,
        None => Catalog::default(),
    };
    Ok(ScopedToken {
        value,
        expires_at,
        refresh_at: refresh_time(expires_at),
        project_id,
        project_domain_id: None,
        user_id: access
            .get("user")
            .and_then(|u| u.get("id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        catalog,
    })
}

#[async_trait]
impl TokenSource for TenantTokens {
    async fn token(&self) -> CloudResult<Arc<ScopedToken>> {
        self.cell.get_or_refresh(|| self.issue()).await
    }

    async fn invalidate(&self, stale: &ScopedToken) {
        self.cell.invalidate(stale).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_v2_access_document() {
        let t = parse_v2_access(&json!({"access": {
            "token": {"id": "e42a", "expires": "2099-04-29T15:31:21Z", "issued_at": "2020-04-29T03:32:28.000405",
                      "tenant": {"id": "f507", "name": "c_x"}},
            "serviceCatalog": [{"type": "compute", "name": "nova", "endpoints": [
                {"region": "KR1", "publicURL": "https://kr1-api-instance/v2/f507"}]}],
            "user": {"id": "436f", "roles": [{"name": "project_admin"}]}
        }}))
        .unwrap();
        assert_eq!(t.value.expose(), "e42a");
        assert_eq!(t.project_id, "f507");
        assert_eq!(t.catalog.services[0].endpoints[0].region.as_deref(), Some("KR1"));
    }
}
