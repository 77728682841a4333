//! Which clouds this deployment talks to, from `OS_*` (the usual OpenStack
//! client variables) and `NHN_*`. A cloud whose URL is unset is not configured.

use std::time::Duration;

use super::{ConfigError, Env, error};
use crate::infrastructure::cloud::{
    EndpointInterface, HttpSettings, NhnSettings, OpenStackSettings, RetryPolicy, Secret,
};

#[derive(Debug, Clone)]
pub struct CloudSettings {
    pub openstack: Option<OpenStackSettings>,
    pub nhn: Option<NhnSettings>,
}

impl CloudSettings {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let http = http_settings(env)?;
        Ok(Self {
            openstack: openstack(env, &http)?,
            nhn: env.optional_string("NHN_IDENTITY_URL").map(|identity_url| NhnSettings {
                identity_url,
                default_region: env.optional_string("NHN_DEFAULT_REGION"),
                http: http.clone(),
            }),
        })
    }
}

fn openstack(env: &Env, http: &HttpSettings) -> Result<Option<OpenStackSettings>, ConfigError> {
    let Some(auth_url) = env.optional_string("OS_AUTH_URL") else {
        return Ok(None);
    };
    let interface = env.string("OS_INTERFACE", "public");
    let interface = EndpointInterface::parse(&interface).ok_or_else(|| {
        error(
            "OS_INTERFACE",
            format!("must be public, internal or admin, got {interface:?}"),
        )
    })?;
    Ok(Some(OpenStackSettings {
        auth_url,
        username: env.required_string("OS_USERNAME", "the service user, since OS_AUTH_URL is set")?,
        password: Secret::new(env.required_string("OS_PASSWORD", "the service user's password")?),
        user_domain_name: env.string("OS_USER_DOMAIN_NAME", "Default"),
        project_name: env.required_string("OS_PROJECT_NAME", "the service user's own project")?,
        project_domain_name: env.string("OS_PROJECT_DOMAIN_NAME", "Default"),
        region: env.optional_string("OS_REGION_NAME"),
        interface,
        member_role_name: env.string("OS_MEMBER_ROLE", "member"),
        http: http.clone(),
    }))
}

fn http_settings(env: &Env) -> Result<HttpSettings, ConfigError> {
    let defaults = HttpSettings::default();
    let ca_certificates_pem = match env.optional_string("OS_CACERT") {
        None => Vec::new(),
        Some(path) => {
            vec![std::fs::read_to_string(&path).map_err(|e| error("OS_CACERT", format!("cannot read {path}: {e}")))?]
        }
    };
    let timeout = env.seconds("CLOUD_TIMEOUT_SECS", defaults.timeout.as_secs())?;
    if timeout < Duration::from_secs(1) {
        return Err(error("CLOUD_TIMEOUT_SECS", "must be at least 1"));
    }
    Ok(HttpSettings {
        timeout,
        max_concurrency: env.parsed(
            "CLOUD_MAX_CONCURRENCY",
            defaults.max_concurrency,
            "a positive whole number",
        )?,
        retry: RetryPolicy {
            max_attempts: env.parsed("CLOUD_RETRY_ATTEMPTS", defaults.retry.max_attempts, "a whole number")?,
            ..defaults.retry
        },
        ca_certificates_pem,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn no_cloud_urls_mean_no_clouds() {
        let src = env_of(&[]);
        let s = CloudSettings::from_env(&Env::new(&src)).unwrap();
        assert!(s.openstack.is_none() && s.nhn.is_none());
    }

    #[test]
    fn an_auth_url_without_a_user_names_the_missing_variable() {
        let src = env_of(&[("OS_AUTH_URL", "http://127.0.0.1:5000/v3")]);
        assert_eq!(
            CloudSettings::from_env(&Env::new(&src)).unwrap_err().variable,
            "OS_USERNAME"
        );
    }

    #[test]
    fn a_complete_openstack_environment_is_read() {
        let src = env_of(&[
            ("OS_AUTH_URL", "http://127.0.0.1:5000/v3"),
            ("OS_USERNAME", "svc"),
            ("OS_PASSWORD", "pw"),
            ("OS_PROJECT_NAME", "service"),
            ("OS_INTERFACE", "internal"),
        ]);
        let os = CloudSettings::from_env(&Env::new(&src)).unwrap().openstack.unwrap();
        assert_eq!(os.username, "svc");
        assert_eq!(os.interface, EndpointInterface::Internal);
        assert_eq!(os.user_domain_name, "Default");
        assert!(!format!("{os:?}").contains("pw\""), "password must not be printed");
    }

    #[test]
    fn an_unknown_interface_is_refused() {
        let src = env_of(&[
            ("OS_AUTH_URL", "http://x/v3"),
            ("OS_USERNAME", "svc"),
            ("OS_PASSWORD", "pw"),
            ("OS_PROJECT_NAME", "service"),
            ("OS_INTERFACE", "private"),
        ]);
        assert_eq!(
            CloudSettings::from_env(&Env::new(&src)).unwrap_err().variable,
            "OS_INTERFACE"
        );
    }
}
