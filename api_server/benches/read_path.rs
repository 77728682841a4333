//! Read path of the servers API: 10k servers (each with a root volume and a
//! network interface, every other one with a floating IP) across 100 projects
//! in a fresh database, then `GET /servers?limit=50` and `GET /servers/{id}`
//! over HTTP with 16 clients, beside the same SQL statements the request runs
//! (see `bare.rs`), issued directly on the same pool with the same
//! concurrency, and the SQL statements one request costs at page sizes 10 and
//! 50 (constant: no N+1), counted from sqlx's own statement events.
//! Run: `cargo bench -p api_server --bench read_path` (add `--profile dev` to
//! skip the release build; `BENCH_ROUNDS` sets the timed rounds, default 5).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use api_server::settings::Settings;
use api_server::startup::Application;
use common::application::provisioning::NoCloud;
use common::config::Env;
use serde_json::{Value, json};
use sqlx::MySqlPool;
use test_support::TestDb;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;

#[path = "read_path/bare.rs"]
mod bare;

const PROJECTS: i64 = 100;
const SERVERS_PER_PROJECT: i64 = 100;
const CLIENTS: usize = 16;
const REQUESTS: usize = 3000;

async fn seed(pool: &MySqlPool) {
    for p in 1..=PROJECTS {
        sqlx::query("INSERT INTO project (id, domain_id, name, provider, openstack_id, status) VALUES (?, 1, ?, 'openstack', ?, 'ACTIVE')")
            .bind(p)
            .bind(format!("bench-{p}"))
            .bind(format!("os-{p}"))
            .execute(pool)
            .await
            .unwrap();
    }
    let total = PROJECTS * SERVERS_PER_PROJECT;
    for chunk in (1..=total).collect::<Vec<i64>>().chunks(500) {
        let rows = |f: &dyn Fn(i64) -> String| chunk.iter().map(|i| f(*i)).collect::<Vec<_>>().join(",");
        let project = |i: i64| (i - 1) / SERVERS_PER_PROJECT + 1;
        let sql = format!(
            "INSERT INTO server (id, project_id, name, flavor_id, network_id, status, openstack_id, vcpus, ram_mb) VALUES {}",
            rows(&|i| format!(
                "({i}, {}, 'srv-{i}', '1', 'net', 'ACTIVE', 'os-srv-{i}', 1, 512)",
                project(i)
            ))
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await.unwrap();
        let sql = format!(
            "INSERT INTO volume (id, project_id, name, size_gb, status, server_id, is_root, openstack_id) VALUES {}",
            rows(&|i| format!("({i}, {}, 'root-{i}', 20, 'IN_USE', {i}, 1, 'os-vol-{i}')", project(i)))
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await.unwrap();
        let sql = format!(
            "INSERT INTO network_interface (id, project_id, server_id, network_id, fixed_ip, status, openstack_id) VALUES {}",
            rows(&|i| format!(
                "({i}, {}, {i}, 'net', '10.0.{}.{}', 'ACTIVE', 'os-port-{i}')",
                project(i),
                i / 250,
                i % 250
            ))
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await.unwrap();
        let sql = format!(
            "INSERT INTO floating_ip (id, project_id, floating_network_id, address, network_interface_id, status, openstack_id) VALUES {}",
            chunk
                .iter()
                .filter(|i| *i % 2 == 1)
                .map(|i| format!(
                    "({i}, {}, 'ext', '198.51.{}.{}', {i}, 'ACTIVE', 'os-fip-{i}')",
                    project(*i),
                    i / 250,
                    i % 250
                ))
                .collect::<Vec<_>>()
                .join(",")
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await.unwrap();
    }
}

struct Figures {
    rate: f64,
    p50: Duration,
    p99: Duration,
}

fn print(label: &str, f: &Figures) {
    println!(
        "{label:<46} {:>8.0} req/s   p50 {:>9.2?}   p99 {:>9.2?}",
        f.rate, f.p50, f.p99
    );
}

#[derive(Clone, Copy)]
enum Case {
    Page,
    One,
    BarePage,
    BareOne,
}

impl Case {
    const ALL: [Case; 4] = [Case::Page, Case::One, Case::BarePage, Case::BareOne];

    fn label(self) -> &'static str {
        match self {
            Case::Page => "GET /servers?limit=50 (HTTP, detail view)",
            Case::One => "GET /servers/{id} (HTTP, detail view)",
            Case::BarePage => "bare SQL: the page's statements (same pool)",
            Case::BareOne => "bare SQL: one server's statements (same pool)",
        }
    }
}

#[derive(Clone)]
struct Cases {
    client: reqwest::Client,
    base: String,
    token: String,
    pool: MySqlPool,
    first_id: i64,
}

impl Cases {
    async fn call(&self, case: Case, i: usize) {
        let id = self.first_id + (i as i64 % SERVERS_PER_PROJECT);
        match case {
            Case::Page => self.http("/servers?limit=50".to_owned()).await,
            Case::One => self.http(format!("/servers/{id}")).await,
            Case::BarePage => assert_eq!(bare::page(&self.pool, 42, 50).await, 50),
            Case::BareOne => bare::one(&self.pool, 42, id).await,
        }
    }

    async fn http(&self, path: String) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let _ = res.bytes().await.unwrap();
    }
}

/// Runs `requests` calls of one case from `CLIENTS` concurrent tasks.
async fn measure(cases: &Cases, case: Case, requests: usize) -> Figures {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let cases = cases.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for i in (c..requests).step_by(CLIENTS) {
                let t = Instant::now();
                cases.call(case, i).await;
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    Figures {
        rate: all.len() as f64 / elapsed.as_secs_f64(),
        p50: all[all.len() / 2],
        p99: all[all.len() * 99 / 100],
    }
}

/// The round with the median rate.
fn median(mut rounds: Vec<Figures>) -> Figures {
    rounds.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    rounds.swap_remove(rounds.len() / 2)
}

/// Counts the statements sqlx runs in this process (its `sqlx::query` events),
/// so other users of the database server do not blur the figure.
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

struct CountStatements;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountStatements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            STATEMENTS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Only sqlx's statement events are switched on, as a production filter
    // would switch off every trace-level span of actix, hyper and reqwest.
    let statements_only = Targets::new().with_target("sqlx::query", LevelFilter::TRACE);
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry().with(CountStatements.with_filter(statements_only)),
    )
    .unwrap();
    let db = TestDb::new().await;
    let t = Instant::now();
    seed(&db.pool).await;
    println!(
        "seeded {} servers across {PROJECTS} projects in {:.1?}",
        PROJECTS * SERVERS_PER_PROJECT,
        t.elapsed()
    );

    let env: HashMap<String, String> = [
        ("DATABASE_URL", db.url()),
        ("JWT_SECRET", "bench-secret-bench-secret-bench-secret-01".into()),
        ("BOOTSTRAP_ADMIN_ACCOUNT", "admin".into()),
        ("BOOTSTRAP_ADMIN_PASSWORD", "admin-password-1".into()),
        ("RUST_LOG", "error".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let settings = Settings::from_env(&Env::new(&env)).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::with_pool(settings, db.pool.clone(), listener, Arc::new(NoCloud))
        .await
        .unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let token = member_token(&client, &base, 42).await;

    let first_id = (42 - 1) * SERVERS_PER_PROJECT + 1;
    let cases = Cases {
        client: client.clone(),
        base: base.clone(),
        token: token.clone(),
        pool: db.pool.clone(),
        first_id,
    };
    // A freshly seeded database answers at about half speed for its first
    // seconds, whichever case goes first, so one unmeasured round lets it
    // settle; then the cases take turns, so no slow phase falls on one side.
    for case in Case::ALL {
        measure(&cases, case, REQUESTS).await;
    }
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut figures: Vec<Vec<Figures>> = Case::ALL.iter().map(|_| Vec::new()).collect();
    for round in 1..=rounds {
        for (i, case) in Case::ALL.into_iter().enumerate() {
            figures[i].push(measure(&cases, case, REQUESTS).await);
        }
        let rate = |case: Case| figures[case as usize][round - 1].rate;
        println!(
            "round {round}: page {:.0} / bare {:.0} req/s = {:.0}%   by id {:.0} / bare {:.0} req/s = {:.0}%",
            rate(Case::Page),
            rate(Case::BarePage),
            100.0 * rate(Case::Page) / rate(Case::BarePage),
            rate(Case::One),
            rate(Case::BareOne),
            100.0 * rate(Case::One) / rate(Case::BareOne),
        );
    }
    let medians: Vec<Figures> = figures.into_iter().map(median).collect();
    println!("{CLIENTS} clients, {REQUESTS} requests per round, median of {rounds} interleaved rounds:");
    for (case, f) in Case::ALL.iter().zip(&medians) {
        print(case.label(), f);
    }
    let [page, one, bare_page, bare_one] = &medians[..] else {
        unreachable!()
    };

    println!(
        "endpoint / bare SQL: GET /servers?limit=50 {:.0}%, GET /servers/{{id}} {:.0}%",
        100.0 * page.rate / bare_page.rate,
        100.0 * one.rate / bare_one.rate
    );

    for limit in [10, 50] {
        let before = STATEMENTS.load(Ordering::Relaxed);
        let runs = 20;
        for _ in 0..runs {
            let res = client
                .get(format!("{base}/servers?limit={limit}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["servers"].as_array().unwrap().len(), limit);
        }
        let per_request = (STATEMENTS.load(Ordering::Relaxed) - before) as f64 / f64::from(runs);
        let before_bare = STATEMENTS.load(Ordering::Relaxed);
        for _ in 0..runs {
            bare::page(&db.pool, 42, limit as u32).await;
        }
        let bare_per = (STATEMENTS.load(Ordering::Relaxed) - before_bare) as f64 / f64::from(runs);
        println!("statements per GET /servers?limit={limit:<3}  {per_request:>6.2}   (bare side {bare_per:.2})");
    }
    let before = STATEMENTS.load(Ordering::Relaxed);
    let runs = 20;
    for i in 0..runs {
        let res = client
            .get(format!("{base}/servers/{}", first_id + i64::from(i)))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    let per_request = (STATEMENTS.load(Ordering::Relaxed) - before) as f64 / f64::from(runs);
    let before_bare = STATEMENTS.load(Ordering::Relaxed);
    for i in 0..runs {
        bare::one(&db.pool, 42, first_id + i64::from(i)).await;
    }
    let bare_per = (STATEMENTS.load(Ordering::Relaxed) - before_bare) as f64 / f64::from(runs);
    println!("statements per GET /servers/{{id}}       {per_request:>6.2}   (bare side {bare_per:.2})");
}

async fn member_token(client: &reqwest::Client, base: &str, project_id: i64) -> String {
    let res = client
        .post(format!("{base}/users"))
        .json(&json!({"account_id": "bench", "name": "bench", "password": "bench-password-1"}))
        .send()
        .await
        .unwrap();
    let user: Value = res.json().await.unwrap();
    let admin = login(client, base, "admin", "admin-password-1", None).await;
    let res = client
        .post(format!("{base}/projects/{project_id}/users/{}", user["id"]))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    login(client, base, "bench", "bench-password-1", Some(project_id)).await
}

async fn login(client: &reqwest::Client, base: &str, account: &str, password: &str, project: Option<i64>) -> String {
    let mut body = json!({"account_id": account, "password": password});
    if let Some(p) = project {
        body["project_id"] = json!(p);
    }
    let res = client
        .post(format!("{base}/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "login {account}");
    let body: Value = res.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}
