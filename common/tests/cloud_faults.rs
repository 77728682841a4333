//! Simulator-only cases: token caching and re-authentication seen through
//! the simulator's counters, retry policy and error mapping through its fault
//! injection, and the NHN specifics. Each case runs for both protocols.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cloud_support;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud_sim::SimConfig;
use cloud_support::*;
use common::infrastructure::cloud::*;

mod sim_cases {
    use super::*;

    type ErrorCheck = fn(&CloudError) -> bool;
    use cloud_sim::{FaultAction, FaultRule};

    pub async fn concurrent_calls_share_one_token_request(env: &Env) {
        let handle = fresh_handle(env);
        let before = token_requests(env);
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let h = handle.clone();
            tasks.push(tokio::spawn(async move { h.list_flavors().await }));
        }
        for t in tasks {
            assert!(!t.await.unwrap().unwrap().is_empty());
        }
        assert_eq!(token_requests(env) - before, 1);
        handle.list_volume_types().await.unwrap();
        assert_eq!(token_requests(env) - before, 1, "the cached token is reused");
    }

    pub async fn revoked_token_is_replaced_once(env: &Env) {
        env.project.list_flavors().await.unwrap();
        let before = token_requests(env);
        revoke_tokens(env);
        env.project.list_flavors().await.unwrap();
        assert_eq!(token_requests(env) - before, 1);
        env.project.list_flavors().await.unwrap();
        assert_eq!(token_requests(env) - before, 1);
    }

    pub async fn expired_token_is_replaced_once(env: &Env) {
        env.project.list_flavors().await.unwrap();
        let before = token_requests(env);
        env.sim().advance_clock(Duration::from_secs(13 * 3600));
        env.project.list_volume_types().await.unwrap();
        assert_eq!(token_requests(env) - before, 1);
    }

    pub async fn create_is_not_retried_on_5xx(env: &Env) {
        let faults = env.sim().faults();
        faults.add(
            FaultRule::new(FaultAction::Error {
                status: 500,
                message: None,
                retry_after_secs: None,
            })
            .service("network")
            .method("POST")
            .path_contains("security-groups"),
        );
        let before = faults.injected();
        let err = env
            .project
            .create_security_group(&CreateSecurityGroupRequest {
                name: unique("sg"),
                description: None,
            })
            .await
            .unwrap_err();
        assert!(matches!(err, CloudError::Unavailable { .. }), "{err:?}");
        assert_eq!(err.outcome(), Outcome::Unknown);
        assert_eq!(faults.injected() - before, 1, "exactly one POST reached the cloud");
        faults.clear();
    }

    pub async fn lost_create_response_is_unknown_and_the_volume_is_found_again(env: &Env) {
        let faults = env.sim().faults();
        faults.lose_responses("block-storage", "POST", "/volumes", 1);
        let request = volume_request(env, &unique("lost"));
        let err = env.project.create_volume(&request).await.unwrap_err();
        assert!(err.is_outcome_unknown(), "{err:?}");
        let adopted = env
            .project
            .find_volume_by_inventory_id(&request.inventory_id)
            .await
            .unwrap()
            .expect("the volume exists although the answer was lost");
        assert_eq!(adopted.name.as_deref(), Some(request.name.as_str()));
        faults.clear();
    }

    pub async fn retry_after_is_honoured_on_429(env: &Env) {
        let faults = env.sim().faults();
        let before = faults.injected();
        faults.rate_limit("compute", 1, Some(1));
        let started = Instant::now();
        env.project.list_flavors().await.unwrap();
        assert!(started.elapsed() >= Duration::from_secs(1));
        assert_eq!(faults.injected() - before, 1);
        faults.clear();
    }

    pub async fn error_statuses_map_to_typed_errors(env: &Env) {
        let faults = env.sim().faults();
        let cases: [(u16, ErrorCheck); 8] = [
            (400, |e| matches!(e, CloudError::BadRequest(_))),
            (401, |e| matches!(e, CloudError::Unauthorized(_))),
            (403, |e| matches!(e, CloudError::Forbidden(_))),
            (404, |e| matches!(e, CloudError::NotFound(_))),
            (409, |e| matches!(e, CloudError::Conflict(_))),
            (429, |e| matches!(e, CloudError::RateLimited { .. })),
            (500, |e| matches!(e, CloudError::Unavailable { .. })),
            (503, |e| matches!(e, CloudError::Unavailable { .. })),
        ];
        for (status, check) in cases {
            let id = faults.add(
                FaultRule::new(FaultAction::Error {
                    status,
                    message: Some(format!("injected {status}")),
                    retry_after_secs: None,
                })
                .service("compute")
                .path_contains("/flavors"),
            );
            let err = env.project.list_flavors().await.unwrap_err();
            assert!(check(&err), "{status}: {err:?}");
            assert_eq!(err.outcome(), Outcome::Definite, "a read never has an unknown outcome");
            assert!(
                err.message().contains("injected"),
                "{status}: message {:?}",
                err.message()
            );
            assert!(err.request_id().is_some(), "{status}: no request id");
            faults.remove(id);
        }
    }

    pub async fn quota_errors_are_over_quota(env: &Env) {
        let mut last = None;
        for _ in 0..5 {
            match env
                .project
                .create_security_group(&CreateSecurityGroupRequest {
                    name: unique("q"),
                    description: None,
                })
                .await
            {
                Ok(_) => {}
                Err(e) => {
                    last = Some(e);
                    break;
                }
            }
        }
        let err = last.expect("the quota of 2 groups is reached");
        assert!(matches!(err, CloudError::OverQuota(_)), "{err:?}");
        let mut request = volume_request(env, "too-big");
        request.size_gb = 100_000;
        let err = env.project.create_volume(&request).await.unwrap_err();
        assert!(matches!(err, CloudError::OverQuota(_)), "{err:?}");
    }

    pub async fn failed_listing_is_an_error_not_an_empty_list(env: &Env) {
        env.project
            .create_volume(&volume_request(env, &unique("v")))
            .await
            .unwrap();
        let faults = env.sim().faults();
        faults.add(
            FaultRule::new(FaultAction::Error {
                status: 503,
                message: None,
                retry_after_secs: None,
            })
            .service("block-storage")
            .method("GET"),
        );
        let err = env
            .inventory()
            .list_volumes(&InventoryQuery::default())
            .await
            .unwrap_err();
        assert!(matches!(err, CloudError::Unavailable { .. }), "{err:?}");
        faults.clear();
    }

    pub async fn global_request_ids_reach_the_cloud(env: &Env) {
        let before = env.sim().global_request_ids().len();
        env.project.list_flavors().await.unwrap();
        env.project.list_volume_types().await.unwrap();
        let ids = env.sim().global_request_ids();
        assert!(ids.len() >= before + 2, "{ids:?}");
        assert!(ids.iter().all(|id| id.starts_with("req-")));
        let operation = uuid::Uuid::new_v4().to_string();
        with_operation_id(&operation, async {
            env.project.list_flavors().await.unwrap();
            env.project.list_volume_types().await.unwrap();
        })
        .await;
        let wanted = format!("req-{operation}");
        let seen = env
            .sim()
            .global_request_ids()
            .iter()
            .filter(|id| **id == wanted)
            .count();
        assert_eq!(seen, 2, "both calls carried the operation's id");
    }

    pub async fn identity_outage_is_unavailable(env: &Env) {
        let handle = fresh_handle(env);
        let faults = env.sim().faults();
        faults.auth_outage(503);
        let err = handle.list_flavors().await.unwrap_err();
        assert!(matches!(err, CloudError::Unavailable { .. }), "{err:?}");
        faults.clear();
        handle.list_flavors().await.unwrap();
    }
}

macro_rules! sim_suite {
    ($backend:ident, $setup:path, $config:expr) => {
        mod $backend {
            use super::*;

            async fn run<F, Fut>(config: SimConfig, case: F)
            where
                F: FnOnce(Arc<Env>) -> Fut,
                Fut: Future<Output = ()>,
            {
                let env = Arc::new($setup(config).await);
                case(env.clone()).await;
                if let Ok(env) = Arc::try_unwrap(env) {
                    env.finish().await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn concurrent_calls_share_one_token_request() {
                run($config, |e| async move {
                    sim_cases::concurrent_calls_share_one_token_request(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn revoked_token_is_replaced_once() {
                run($config, |e| async move {
                    sim_cases::revoked_token_is_replaced_once(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn expired_token_is_replaced_once() {
                run($config, |e| async move {
                    sim_cases::expired_token_is_replaced_once(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn create_is_not_retried_on_5xx() {
                run($config, |e| async move {
                    sim_cases::create_is_not_retried_on_5xx(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn lost_create_response_is_unknown_and_the_volume_is_found_again() {
                run($config, |e| async move {
                    sim_cases::lost_create_response_is_unknown_and_the_volume_is_found_again(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn retry_after_is_honoured_on_429() {
                run($config, |e| async move {
                    sim_cases::retry_after_is_honoured_on_429(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn error_statuses_map_to_typed_errors() {
                run($config, |e| async move {
                    sim_cases::error_statuses_map_to_typed_errors(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn quota_errors_are_over_quota() {
                let mut config = $config;
                config.quotas.security_groups = 2;
                config.quotas.gigabytes = 1000;
                run(config, |e| async move {
                    sim_cases::quota_errors_are_over_quota(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn failed_listing_is_an_error_not_an_empty_list() {
                run($config, |e| async move {
                    sim_cases::failed_listing_is_an_error_not_an_empty_list(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn global_request_ids_reach_the_cloud() {
                run($config, |e| async move {
                    sim_cases::global_request_ids_reach_the_cloud(&e).await
                })
                .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn identity_outage_is_unavailable() {
                run($config, |e| async move {
                    sim_cases::identity_outage_is_unavailable(&e).await
                })
                .await
            }
        }
    };
}

sim_suite!(openstack_sim_faults, openstack_sim_with, SimConfig::instant());
sim_suite!(nhn_sim_faults, nhn_sim_with, SimConfig::instant());

#[tokio::test]
async fn nhn_has_no_identity_api() {
    let env = nhn_sim_with(SimConfig::instant()).await;
    let identity = env.connector.identity(Provider::Nhn).unwrap();
    let err = identity
        .create_project(&CreateProjectRequest {
            name: "x".into(),
            description: None,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, CloudError::Unsupported { .. }));
    env.finish().await;
}

#[tokio::test]
async fn nhn_refuses_ipv6_rules_before_calling() {
    let env = nhn_sim_with(SimConfig::instant()).await;
    let group = env
        .project
        .create_security_group(&CreateSecurityGroupRequest {
            name: unique("v6"),
            description: None,
        })
        .await
        .unwrap();
    let mut rule = ssh_rule(&group.id);
    rule.ether_type = EtherType::IPv6;
    rule.remote_ip_prefix = Some("::/0".into());
    let err = env.project.create_security_group_rule(&rule).await.unwrap_err();
    assert!(matches!(err, CloudError::BadRequest(_)));
    env.finish().await;
}

#[tokio::test]
async fn nhn_inventory_spans_tenants_and_fails_as_a_whole() {
    let env = nhn_sim_with(SimConfig::instant()).await;
    let sim = env.sim();
    let other = sim.register_nhn_tenant("second@example.com", "api-password-2");
    let second = ProjectCloudTarget::Nhn(NhnTenantCredentials {
        tenant_id: other.tenant_id.clone(),
        username: other.username.clone(),
        api_password: Secret::new(other.api_password.clone()),
        region: Some(other.region.clone()),
    });
    let a = env
        .project
        .create_volume(&volume_request(&env, "tenant-a"))
        .await
        .unwrap();
    let b = env
        .connector
        .project(&second)
        .unwrap()
        .create_volume(&volume_request(&env, "tenant-b"))
        .await
        .unwrap();
    let both = env
        .connector
        .inventory(&[env.target.clone(), second.clone()])
        .unwrap()
        .list_volumes(&InventoryQuery::default())
        .await
        .unwrap();
    let owner = |id: &str| both.iter().find(|v| v.id == id).and_then(|v| v.project_id.clone());
    assert_eq!(owner(&a.id), Some(env.project.project_id().to_owned()));
    assert_eq!(owner(&b.id), Some(other.tenant_id.clone()));

    let ProjectCloudTarget::Nhn(mut wrong) = second else {
        unreachable!()
    };
    wrong.api_password = Secret::new("not-the-password");
    let err = env
        .connector
        .inventory(&[env.target.clone(), ProjectCloudTarget::Nhn(wrong)])
        .unwrap()
        .list_volumes(&InventoryQuery::default())
        .await
        .unwrap_err();
    assert!(matches!(err, CloudError::Unauthorized(_)), "{err:?}");
    env.finish().await;
}
