//! Constructor inputs of the adapters. Nothing here reads the environment;
//! the application builds these from its own configuration.

use std::fmt;
use std::time::Duration;

use super::secret::Secret;

/// Which catalog interface to call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointInterface {
    Public,
    Internal,
    Admin,
}

impl EndpointInterface {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointInterface::Public => "public",
            EndpointInterface::Internal => "internal",
            EndpointInterface::Admin => "admin",
        }
    }

    /// Parses `public` / `internal` / `admin` (also the v2 `publicURL` spelling).
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().trim_end_matches("URL").to_ascii_lowercase().as_str() {
            "public" => Some(EndpointInterface::Public),
            "internal" => Some(EndpointInterface::Internal),
            "admin" => Some(EndpointInterface::Admin),
            _ => None,
        }
    }
}

/// Backoff for retried calls: `base * 2^(attempt-1)`, capped, with full jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first one (1 = never retry).
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Longest `Retry-After` we are willing to sleep; longer ones are returned
    /// to the caller as `RateLimited`.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// Per-cloud HTTP behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// Timeout of one HTTP attempt (connect + response + body).
    pub timeout: Duration,
    /// Calls in flight at once towards this cloud.
    pub max_concurrency: usize,
    pub retry: RetryPolicy,
    /// Extra trusted CA certificates (PEM, bundles allowed) for clouds behind a
    /// private CA (`OS_CACERT`); the system roots are always trusted.
    pub ca_certificates_pem: Vec<String>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(30),
            max_concurrency: 16,
            retry: RetryPolicy::default(),
            ca_certificates_pem: Vec::new(),
        }
    }
}

/// The OpenStack service user and how to reach the cloud.
#[derive(Clone)]
pub struct OpenStackSettings {
    /// Keystone root, e.g. `https://cloud/identity` or `…:5000/v3` (OS_AUTH_URL).
    pub auth_url: String,
    pub username: String,
    pub password: Secret,
    pub user_domain_name: String,
    /// The service user's own project (admin role), used for identity
    /// management and for listing across all projects.
    pub project_name: String,
    pub project_domain_name: String,
    /// Catalog region; `None` takes the first region offered.
    pub region: Option<String>,
    /// Preferred interface; `Internal` falls back to `Public` when a service
    /// has no internal endpoint.
    pub interface: EndpointInterface,
    /// Role given to the service user on every project it creates.
    pub member_role_name: String,
    pub http: HttpSettings,
}

impl fmt::Debug for OpenStackSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenStackSettings")
            .field("auth_url", &self.auth_url)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("user_domain_name", &self.user_domain_name)
            .field("project_name", &self.project_name)
            .field("project_domain_name", &self.project_domain_name)
            .field("region", &self.region)
            .field("interface", &self.interface)
            .field("member_role_name", &self.member_role_name)
            .field("http", &self.http)
            .finish()
    }
}

/// How to reach NHN Cloud; the credentials come per project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NhnSettings {
    /// Identity root, e.g. `https://api-identity-infrastructure.nhncloudservice.com`
    /// (with or without `/v2.0`).
    pub identity_url: String,
    /// Region used when the tenant credentials name none (`KR1`, ...).
    pub default_region: Option<String>,
    pub http: HttpSettings,
}

/// One NHN Cloud project's API credentials, read (and decrypted) by the
/// application. `Debug` never prints the password.
#[derive(Clone, PartialEq, Eq)]
pub struct NhnTenantCredentials {
    pub tenant_id: String,
    /// NHN account e-mail or IAM member id.
    pub username: String,
    /// The "API password" (not the console login password).
    pub api_password: Secret,
    pub region: Option<String>,
}

impl fmt::Debug for NhnTenantCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NhnTenantCredentials")
            .field("tenant_id", &self.tenant_id)
            .field("username", &self.username)
            .field("api_password", &"***")
            .field("region", &self.region)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_debug_redacts_the_password() {
        let creds = NhnTenantCredentials {
            tenant_id: "t1".into(),
            username: "me@example.com".into(),
            api_password: Secret::new("s3cr3t-pw"),
            region: Some("KR1".into()),
        };
        let printed = format!("{creds:?}");
        assert!(printed.contains("t1"));
        assert!(!printed.contains("s3cr3t-pw"));
    }

    #[test]
    fn interface_parses_both_catalog_spellings() {
        assert_eq!(EndpointInterface::parse("publicURL"), Some(EndpointInterface::Public));
        assert_eq!(EndpointInterface::parse("internal"), Some(EndpointInterface::Internal));
        assert_eq!(EndpointInterface::parse("x"), None);
    }
}
