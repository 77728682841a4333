//! Behaviour of the shared call path (retries, Retry-After, timeouts,
//! concurrency limit, call rate, 401 replay) against a scripted server.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{Duration as ChronoDuration, Utc};
use serde_json::json;

use super::catalog::{Catalog, CatalogEndpoint, CatalogService};
use super::error::{CloudError, CloudResult, CloudService, Outcome};
use super::http::HttpCore;
use super::rate::CallRate;
use super::secret::Secret;
use super::session::{Dialect, Req, Session};
use super::settings::{EndpointInterface, HttpSettings, RetryPolicy};
use super::test_server::{Canned, TestServer};
use super::token::{ScopedToken, TokenCell, TokenSource};

fn settings(max_attempts: u32, timeout: Duration, max_concurrency: usize) -> HttpSettings {
    HttpSettings {
        timeout,
        max_concurrency,
        retry: RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
        },
        ca_certificates_pem: Vec::new(),
    }
}

/// Issues `tok-1`, `tok-2`, ... and counts how often.
struct CountingTokens {
    url: String,
    issued: AtomicUsize,
    cell: TokenCell,
}

impl CountingTokens {
    fn new(url: &str) -> Arc<Self> {
        Arc::new(CountingTokens {
            url: url.to_owned(),
            issued: AtomicUsize::new(0),
            cell: TokenCell::default(),
        })
    }
}

#[async_trait]
impl TokenSource for CountingTokens {
    async fn token(&self) -> CloudResult<Arc<ScopedToken>> {
        self.cell
            .get_or_refresh(|| async {
                let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
                let expires_at = Utc::now() + ChronoDuration::hours(1);
                Ok(ScopedToken {
                    value: Secret::new(format!("tok-{n}")),
                    expires_at,
                    refresh_at: expires_at - ChronoDuration::minutes(5),
                    project_id: "p1".into(),
                    project_domain_id: None,
                    user_id: None,
                    catalog: Catalog {
                        services: vec![CatalogService {
                            service_type: "compute".into(),
                            endpoints: vec![CatalogEndpoint {
                                interface: Some(EndpointInterface::Public),
                                region: Some("RegionOne".into()),
                                url: format!("{}/compute/v2.1", self.url),
                            }],
                        }],
                    },
                })
            })
            .await
    }

    async fn invalidate(&self, stale: &ScopedToken) {
        self.cell.invalidate(stale).await
    }
}

fn session(server: &TestServer, http: HttpSettings) -> (Session, Arc<CountingTokens>) {
    rated_session(server, http, None)
}

fn rated_session(
    server: &TestServer,
    http: HttpSettings,
    rate: Option<Arc<CallRate>>,
) -> (Session, Arc<CountingTokens>) {
    let tokens = CountingTokens::new(&server.url);
    let session = Session {
        http: Arc::new(HttpCore::new("test", http, rate).unwrap()),
        tokens: tokens.clone(),
        dialect: Dialect::OpenStack,
        interfaces: vec![EndpointInterface::Public],
        region: None,
        identity_root: None,
    };
    (session, tokens)
}

fn get() -> Req {
    Req::get(CloudService::Compute, "/servers/{id}", "/servers/s1".into())
}

fn post() -> Req {
    Req::post(
        CloudService::Compute,
        "/servers",
        "/servers".into(),
        json!({"server": {}}),
    )
}

const FAULT_500: &str = r#"{"computeFault":{"code":500,"message":"boom"}}"#;
const FAULT_503: &str = r#"{"serviceUnavailable":{"code":503,"message":"busy"}}"#;
const OK: &str = r#"{"server":{"id":"s1"}}"#;

#[tokio::test]
async fn idempotent_call_is_retried_on_5xx_until_it_succeeds() {
    let server = TestServer::start(vec![
        Canned::json(503, FAULT_503),
        Canned::json(500, FAULT_500),
        Canned::json(200, OK),
    ])
    .await;
    let (s, _) = session(&server, settings(4, Duration::from_secs(5), 4));
    s.send(&get()).await.unwrap();
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn non_idempotent_create_is_not_retried_on_5xx_and_its_outcome_is_unknown() {
    let server = TestServer::start(vec![
        Canned::json(500, FAULT_500).header("x-openstack-request-id", "req-abc"),
        Canned::json(202, OK),
    ])
    .await;
    let (s, _) = session(&server, settings(4, Duration::from_secs(5), 4));
    let err = s.send(&post()).await.unwrap_err();
    assert_eq!(server.count(), 1);
    assert!(matches!(err, CloudError::Unavailable { .. }));
    assert_eq!(err.outcome(), Outcome::Unknown);
    assert_eq!(err.request_id(), Some("req-abc"));
    assert_eq!(err.message(), "boom");
}

#[tokio::test]
async fn retry_after_on_429_is_honoured() {
    let server = TestServer::start(vec![
        Canned::json(429, r#"{"error":{"message":"Too Many Requests"}}"#).header("retry-after", "1"),
        Canned::json(200, OK),
    ])
    .await;
    let (s, _) = session(&server, settings(3, Duration::from_secs(5), 4));
    let started = Instant::now();
    s.send(&get()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn throttled_create_is_retried_because_it_was_not_processed() {
    let server = TestServer::start(vec![
        Canned::json(429, "{}").header("retry-after", "0"),
        Canned::json(202, OK),
    ])
    .await;
    let (s, _) = session(&server, settings(3, Duration::from_secs(5), 4));
    s.send(&post()).await.unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn retry_after_longer_than_the_cap_is_returned_as_rate_limited() {
    let server = TestServer::start(vec![Canned::json(429, "{}").header("retry-after", "120")]).await;
    let (s, _) = session(&server, settings(3, Duration::from_secs(5), 4));
    match s.send(&get()).await.unwrap_err() {
        CloudError::RateLimited { retry_after, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(120)))
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn timeout_on_a_create_is_an_unknown_outcome_and_not_retried() {
    let server = TestServer::start(vec![Canned::json(202, OK).delayed(Duration::from_millis(800))]).await;
    let (s, _) = session(&server, settings(3, Duration::from_millis(200), 4));
    let err = s.send(&post()).await.unwrap_err();
    assert!(matches!(err, CloudError::Unavailable { .. }), "{err:?}");
    assert_eq!(err.outcome(), Outcome::Unknown);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn timeout_on_a_read_is_retried() {
    let server = TestServer::start(vec![
        Canned::json(200, OK).delayed(Duration::from_millis(800)),
        Canned::json(200, OK),
    ])
    .await;
    let (s, _) = session(&server, settings(3, Duration::from_millis(200), 4));
    s.send(&get()).await.unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn refused_connection_is_a_definite_failure() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let tokens = CountingTokens::new(&url);
    let s = Session {
        http: Arc::new(HttpCore::new("test", settings(2, Duration::from_secs(2), 4), None).unwrap()),
        tokens,
        dialect: Dialect::OpenStack,
        interfaces: vec![EndpointInterface::Public],
        region: None,
        identity_root: None,
    };
    let err = s.send(&post()).await.unwrap_err();
    assert!(matches!(err, CloudError::Unavailable { .. }));
    assert_eq!(err.outcome(), Outcome::Definite);
}

#[tokio::test]
async fn a_401_causes_one_reauthentication_and_one_replay() {
    let unauthorized = r#"{"error":{"code":401,"title":"Unauthorized","message":"The request you have made requires authentication."}}"#;
    let server = TestServer::start(vec![Canned::json(401, unauthorized), Canned::json(200, OK)]).await;
    let (s, tokens) = session(&server, settings(3, Duration::from_secs(5), 4));
    s.send(&post()).await.unwrap();
    assert_eq!(tokens.issued.load(Ordering::SeqCst), 2);
    let seen = server.requests();
    assert_eq!(seen[0].header("x-auth-token"), Some("tok-1"));
    assert_eq!(seen[1].header("x-auth-token"), Some("tok-2"));
}

#[tokio::test]
async fn a_second_401_is_returned_as_unauthorized() {
    let unauthorized = r#"{"error":{"code":401,"title":"Unauthorized","message":"nope"}}"#;
    let server = TestServer::start(vec![]).await;
    server.otherwise(Canned::json(401, unauthorized));
    let (s, tokens) = session(&server, settings(3, Duration::from_secs(5), 4));
    let err = s.send(&get()).await.unwrap_err();
    assert!(matches!(err, CloudError::Unauthorized(_)));
    assert_eq!(server.count(), 2);
    assert_eq!(tokens.issued.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn concurrency_is_limited_per_cloud() {
    let server = TestServer::start(vec![]).await;
    server.otherwise(Canned::json(200, OK).delayed(Duration::from_millis(50)));
    let (s, _) = session(&server, settings(1, Duration::from_secs(5), 2));
    let s = Arc::new(s);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move { s.send(&get()).await.map(|_| ()) }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(server.count(), 8);
    assert!(server.max_in_flight() <= 2, "{}", server.max_in_flight());
}

#[tokio::test]
async fn microversions_and_a_global_request_id_are_sent() {
    let server = TestServer::start(vec![Canned::json(200, OK)]).await;
    let (s, _) = session(&server, settings(1, Duration::from_secs(5), 2));
    s.send(&get()).await.unwrap();
    let seen = &server.requests()[0];
    assert_eq!(seen.header("x-openstack-nova-api-version"), Some("2.79"));
    assert_eq!(seen.header("openstack-api-version"), Some("compute 2.79"));
    assert!(seen.header("x-openstack-request-id").unwrap().starts_with("req-"));
    assert_eq!(seen.header("accept"), Some("application/json"));
    assert!(seen.request_line.starts_with("GET /compute/v2.1/servers/s1 "));
}

#[tokio::test]
async fn paging_follows_next_links_to_the_end() {
    let server = TestServer::start(vec![
        Canned::json(
            200,
            r#"{"servers":[{"id":"a","status":"ACTIVE"},{"id":"b","status":"ACTIVE"}],
                "servers_links":[{"rel":"next","href":"http://elsewhere/v2.1/servers/detail?limit=2&marker=b"}]}"#,
        ),
        Canned::json(200, r#"{"servers":[{"id":"c","status":"BUILD"}]}"#),
    ])
    .await;
    let (s, _) = session(&server, settings(1, Duration::from_secs(5), 2));
    let query = super::model::ServerListQuery {
        changes_since: None,
        page_size: Some(2),
    };
    let servers = super::services::nova::list_servers(&s, &query, false).await.unwrap();
    let ids: Vec<_> = servers.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen[1].request_line.contains("marker=b"), "{}", seen[1].request_line);
    assert!(seen[1].request_line.starts_with("GET /compute/v2.1/servers/detail?"));
}

#[tokio::test]
async fn a_failed_page_fails_the_whole_listing() {
    let server = TestServer::start(vec![
        Canned::json(
            200,
            r#"{"servers":[{"id":"a"}],"servers_links":[{"rel":"next","href":"/servers/detail?marker=a"}]}"#,
        ),
        Canned::json(403, r#"{"forbidden":{"code":403,"message":"Policy doesn't allow"}}"#),
    ])
    .await;
    let (s, _) = session(&server, settings(1, Duration::from_secs(5), 2));
    let err = super::services::nova::list_servers(&s, &Default::default(), false)
        .await
        .unwrap_err();
    assert!(matches!(err, CloudError::Forbidden(_)));
}

#[tokio::test]
async fn a_service_that_ignores_the_marker_does_not_loop_forever() {
    let page = r#"{"ports":[{"id":"p1","network_id":"n"},{"id":"p2","network_id":"n"}]}"#;
    let server = TestServer::start(vec![]).await;
    server.otherwise(Canned::json(200, page));
    let tokens = CountingTokens::new(&server.url);
    let mut s = session(&server, settings(1, Duration::from_secs(5), 2)).0;
    s.tokens = Arc::new(NetworkTokens(tokens));
    let inventory = super::model::InventoryQuery {
        changes_since: None,
        page_size: Some(2),
    };
    let ports = super::services::neutron::list_ports(
        &s,
        &Default::default(),
        super::services::neutron::Scope::AllProjects,
        &inventory,
    )
    .await
    .unwrap();
    assert_eq!(ports.len(), 2);
    assert_eq!(server.count(), 2);
}

/// Same tokens, with the catalog's compute URL also offered as `network`.
struct NetworkTokens(Arc<CountingTokens>);

#[async_trait]
impl TokenSource for NetworkTokens {
    async fn token(&self) -> CloudResult<Arc<ScopedToken>> {
        let t = self.0.token().await?;
        let mut copy = (*t).clone();
        copy.catalog.services.push(CatalogService {
            service_type: "network".into(),
            endpoints: vec![CatalogEndpoint {
                interface: Some(EndpointInterface::Public),
                region: None,
                url: format!("{}/network", self.0.url),
            }],
        });
        Ok(Arc::new(copy))
    }

    async fn invalidate(&self, stale: &ScopedToken) {
        self.0.invalidate(stale).await
    }
}

/// Collects formatted log output of the current thread.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn calls_are_traced_with_template_status_and_request_id_but_never_the_token() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = TestServer::start(vec![
        Canned::json(
            404,
            r#"{"itemNotFound":{"code":404,"message":"Instance s1 could not be found."}}"#,
        )
        .header("x-openstack-request-id", "req-0000"),
    ])
    .await;
    let (s, _) = session(&server, settings(1, Duration::from_secs(5), 2));
    let err = s.send(&get()).await.unwrap_err();
    assert!(err.is_not_found());
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("cloud_call"), "{text}");
    assert!(text.contains("path=\"/servers/{id}\""), "{text}");
    assert!(text.contains("status=404"), "{text}");
    assert!(text.contains("request_id=\"req-0000\""), "{text}");
    assert!(text.contains("duration_ms="), "{text}");
    assert!(!text.contains("tok-1"), "token leaked into logs: {text}");
}

#[test]
fn an_unreadable_ca_certificate_is_a_setup_error() {
    let mut http = settings(1, Duration::from_secs(1), 1);
    http.ca_certificates_pem = vec!["-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".into()];
    assert!(HttpCore::new("test", http, None).is_err());
}

#[tokio::test]
async fn calls_through_a_rate_start_evenly_spaced() {
    let server = TestServer::start(vec![]).await;
    server.otherwise(Canned::json(200, OK));
    let rate = Arc::new(CallRate::per_second(20));
    let (s, _) = rated_session(&server, settings(1, Duration::from_secs(5), 4), Some(rate));
    let started = Instant::now();
    for _ in 0..6 {
        s.send(&get()).await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "6 calls at 20/s need 5 intervals of 50 ms, took {:?}",
        started.elapsed()
    );
    assert_eq!(server.count(), 6);
}

#[tokio::test]
async fn a_retry_after_holds_back_the_other_calls_through_the_rate() {
    let server = TestServer::start(vec![Canned::json(429, "{}").header("retry-after", "1")]).await;
    server.otherwise(Canned::json(200, OK));
    let rate = Arc::new(CallRate::unlimited());
    let (s, _) = rated_session(&server, settings(1, Duration::from_secs(5), 4), Some(rate));
    let started = Instant::now();
    assert!(matches!(s.send(&get()).await, Err(CloudError::RateLimited { .. })));
    s.send(&get()).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "the second call waited out the pause: {:?}",
        started.elapsed()
    );
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_pause_longer_than_a_call_may_wait_fails_calls_without_sending_them() {
    let server = TestServer::start(vec![Canned::json(429, "{}").header("retry-after", "120")]).await;
    server.otherwise(Canned::json(200, OK));
    let rate = Arc::new(CallRate::unlimited());
    let (s, _) = rated_session(&server, settings(3, Duration::from_secs(5), 4), Some(rate));
    assert!(s.send(&get()).await.is_err());
    let started = Instant::now();
    match s.send(&get()).await.unwrap_err() {
        CloudError::RateLimited { retry_after, .. } => {
            assert!(
                retry_after.is_some_and(|d| d > Duration::from_secs(100)),
                "{retry_after:?}"
            )
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2), "refused at once");
    assert_eq!(server.count(), 1, "the held-back call never reached the cloud");
}
