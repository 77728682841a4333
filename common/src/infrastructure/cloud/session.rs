//! An authenticated session: resolves the service root from the token
//! catalog, sends through [`HttpCore`], and replays once after a 401.

use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::catalog::with_version;
use super::error::{CloudError, CloudResult, CloudService};
use super::http::{HttpCall, HttpCore, Idempotency, RawResponse};
use super::operation::current_request_id;
use super::settings::EndpointInterface;
use super::token::{ScopedToken, TokenSource};

/// Wire differences between plain OpenStack and NHN Cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    OpenStack,
    Nhn,
}

/// Pinned compute microversion (Train and later support it).
pub(crate) const NOVA_MICROVERSION: &str = "2.79";
/// Pinned block-storage microversion (Ussuri and later; extend in-use, time filters).
pub(crate) const CINDER_MICROVERSION: &str = "3.60";

/// One request relative to a service root.
#[derive(Clone)]
pub(crate) struct Req {
    pub service: CloudService,
    pub method: Method,
    pub template: &'static str,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub idempotency: Idempotency,
}

impl Req {
    fn new(service: CloudService, method: Method, template: &'static str, path: String) -> Self {
        let idempotency = if method == Method::POST {
            Idempotency::NotIdempotent
        } else {
            Idempotency::Idempotent
        };
        Req {
            service,
            method,
            template,
            path,
            query: Vec::new(),
            body: None,
            idempotency,
        }
    }

    pub fn get(service: CloudService, template: &'static str, path: String) -> Self {
        Req::new(service, Method::GET, template, path)
    }

    pub fn post(service: CloudService, template: &'static str, path: String, body: Value) -> Self {
        Req::new(service, Method::POST, template, path).body(body)
    }

    pub fn put(service: CloudService, template: &'static str, path: String, body: Value) -> Self {
        Req::new(service, Method::PUT, template, path).body(body)
    }

    /// PUT without a body (Keystone role grants).
    pub fn put_empty(service: CloudService, template: &'static str, path: String) -> Self {
        Req::new(service, Method::PUT, template, path)
    }

    pub fn patch(service: CloudService, template: &'static str, path: String, body: Value) -> Self {
        Req::new(service, Method::PATCH, template, path).body(body).idempotent()
    }

    pub fn delete(service: CloudService, template: &'static str, path: String) -> Self {
        Req::new(service, Method::DELETE, template, path)
    }

    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }

    pub fn query_opt(self, key: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Marks a POST that is safe to repeat (token issue, server actions that
    /// converge to the same state).
    pub fn idempotent(mut self) -> Self {
        self.idempotency = Idempotency::Idempotent;
        self
    }
}

pub(crate) struct Session {
    pub http: Arc<HttpCore>,
    pub tokens: Arc<dyn TokenSource>,
    pub dialect: Dialect,
    pub interfaces: Vec<EndpointInterface>,
    pub region: Option<String>,
    /// Keystone v3 root for identity management (OpenStack only).
    pub identity_root: Option<String>,
}

impl Session {
    pub async fn token(&self) -> CloudResult<Arc<ScopedToken>> {
        self.tokens.token().await
    }

    /// Root URL of a service for this session's token.
    pub fn service_root(&self, token: &ScopedToken, service: CloudService) -> CloudResult<String> {
        if service == CloudService::Identity
            && let Some(root) = &self.identity_root
        {
            return Ok(with_version(root, "/v3"));
        }
        let url = token
            .catalog
            .endpoint(service, &self.interfaces, self.region.as_deref())?;
        Ok(match service {
            CloudService::Network => with_version(&url, "/v2.0"),
            CloudService::Image => with_version(&url, "/v2"),
            CloudService::Identity => with_version(&url, "/v3"),
            CloudService::Compute | CloudService::BlockStorage => url,
        })
    }

    fn service_headers(&self, service: CloudService, token: &ScopedToken) -> CloudResult<HeaderMap> {
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(token.value.expose())
            .map_err(|_| CloudError::invalid_response(CloudService::Identity, "token is not a valid header value"))?;
        auth.set_sensitive(true);
        headers.insert(HeaderName::from_static("x-auth-token"), auth);
        if let Ok(v) = HeaderValue::from_str(&current_request_id()) {
            headers.insert(HeaderName::from_static("x-openstack-request-id"), v);
        }
        if self.dialect == Dialect::OpenStack {
            match service {
                CloudService::Compute => {
                    headers.insert(
                        HeaderName::from_static("x-openstack-nova-api-version"),
                        HeaderValue::from_static(NOVA_MICROVERSION),
                    );
                    headers.insert(
                        HeaderName::from_static("openstack-api-version"),
                        version_header("compute", NOVA_MICROVERSION)?,
                    );
                }
                CloudService::BlockStorage => {
                    headers.insert(
                        HeaderName::from_static("openstack-api-version"),
                        version_header("volume", CINDER_MICROVERSION)?,
                    );
                }
                _ => {}
            }
        }
        Ok(headers)
    }

    async fn send_with(&self, token: &ScopedToken, req: &Req) -> CloudResult<RawResponse> {
        let root = self.service_root(token, req.service)?;
        let call = HttpCall {
            service: req.service,
            method: req.method.clone(),
            path_template: req.template,
            url: format!("{root}{}", req.path),
            query: &req.query,
            headers: self.service_headers(req.service, token)?,
            body: req.body.as_ref(),
            idempotency: req.idempotency,
        };
        self.http.send(&call).await
    }

    /// Sends with the cached token; on a 401 the token is dropped, a new one
    /// issued and the request replayed exactly once (a 401 comes from the auth
    /// middleware before the service acts, so the replay is safe).
    pub async fn send(&self, req: &Req) -> CloudResult<RawResponse> {
        let token = self.tokens.token().await?;
        match self.send_with(&token, req).await {
            Err(CloudError::Unauthorized(_)) => {
                tracing::info!(
                    service = req.service.as_str(),
                    path = req.template,
                    "token rejected, re-authenticating once"
                );
                self.tokens.invalidate(&token).await;
                let fresh = self.tokens.token().await?;
                self.send_with(&fresh, req).await
            }
            other => other,
        }
    }

    pub async fn json<T: DeserializeOwned>(&self, req: &Req) -> CloudResult<T> {
        let response = self.send(req).await?;
        decode(req.service, &response.body)
    }

    /// Like [`Session::send`], for calls whose answer has no body we need.
    pub async fn empty(&self, req: &Req) -> CloudResult<()> {
        self.send(req).await.map(|_| ())
    }
}

fn version_header(service: &str, version: &str) -> CloudResult<HeaderValue> {
    HeaderValue::from_str(&format!("{service} {version}"))
        .map_err(|_| CloudError::invalid_response(CloudService::Compute, "invalid microversion header"))
}

pub(crate) fn decode<T: DeserializeOwned>(service: CloudService, body: &[u8]) -> CloudResult<T> {
    serde_json::from_slice(body)
        .map_err(|e| CloudError::invalid_response(service, format!("unexpected response body: {e}")))
}
