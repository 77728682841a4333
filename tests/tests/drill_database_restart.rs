//! Failure drill: the database dies (SIGKILL) under load and comes back on
//! the same port and data. Meanwhile the API answers 503 `DB_UNAVAILABLE` in
//! the agreed error shape, promptly, never a 500 or a hang; afterwards
//! api_server and batch_server work again without being restarted. The
//! database is a private MariaDB instance of this test, never the shared one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use e2e::Stack;
use e2e::drill::census;
use e2e::drill::cloud_listing::OpenStackView;
use e2e::drill::figures::Figures;
use e2e::drill::load::{Load, Sample, probe};
use e2e::drill::runs;
use e2e::drill::tenant::{Provider, Tenant, admin_token};
use e2e::drill::{DRILL_SETTINGS, wait};
use e2e::mariadb_instance::MariaDbInstance;
use e2e::stack::{ADMIN_ACCOUNT, ADMIN_PASSWORD, client};
use reqwest::Method;
use serde_json::json;
use test_support::TestDb;

const ACQUIRE_TIMEOUT_SECS: u64 = 2;
/// An answer while the database is away may wait for a connection, never longer.
const ANSWER_WITHIN: Duration = Duration::from_secs(ACQUIRE_TIMEOUT_SECS + 5);
const DOWN_FOR: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_database_is_down_the_api_answers_503_db_unavailable_and_both_servers_recover_by_themselves() {
    let mut mariadb = MariaDbInstance::start().await;
    let db = TestDb::on_server(&mariadb.url()).await.unwrap();
    let mut settings = DRILL_SETTINGS.to_vec();
    let acquire = ACQUIRE_TIMEOUT_SECS.to_string();
    settings.push(("DATABASE_ACQUIRE_TIMEOUT_SECS", &acquire));
    let mut stack = Stack::start_on(db, &settings).await;
    let tenant = Tenant::create(&stack, Provider::OpenStack, "drill-db").await;

    let load = Load::start(&tenant, 4, "db");
    wait::until(Duration::from_secs(60), Duration::from_millis(50), || async {
        let volumes = census::rows(&stack.db.pool, "volume").await;
        (volumes.len() >= 4).then_some(())
    })
    .await
    .expect("the load creates volumes before the database dies");

    mariadb.kill();
    let killed = Instant::now();
    let mut down_probes = Vec::new();
    while killed.elapsed() < DOWN_FOR {
        down_probes.push(probe("list servers", tenant.request(Method::GET, "/servers")).await);
        let body = tenant.volume_body(&format!("down-{}", down_probes.len()));
        down_probes.push(probe("create volume", tenant.request(Method::POST, "/volumes").json(&body)).await);
        let login = json!({"account_id": ADMIN_ACCOUNT, "password": ADMIN_PASSWORD});
        let login = client().post(format!("{}/auth/login", stack.api_url)).json(&login);
        down_probes.push(probe("login", login).await);
    }
    let ready_while_down = client().get(format!("{}/ready", stack.api_url)).send().await.unwrap();
    assert_eq!(ready_while_down.status(), 503, "/ready says the database is away");

    let restarting = Instant::now();
    mariadb.restart().await;
    let restarted = Instant::now();
    let recovered = wait::until(Duration::from_secs(60), Duration::from_millis(100), || async {
        let list = probe("list servers", tenant.request(Method::GET, "/servers")).await;
        let body = tenant.volume_body(&format!("after-{}", list.sent.elapsed().as_nanos()));
        let create = probe("create volume", tenant.request(Method::POST, "/volumes").json(&body)).await;
        (list.is_success() && create.is_success()).then(|| restarted.elapsed())
    })
    .await
    .expect("the API serves again without a restart");
    let rows_at_recovery = census::rows(&stack.db.pool, "volume").await.len();
    wait::until(Duration::from_secs(60), Duration::from_millis(50), || async {
        let volumes = census::rows(&stack.db.pool, "volume").await;
        (volumes.len() >= rows_at_recovery + 4).then_some(())
    })
    .await
    .expect("the load creates volumes again");
    let samples = load.finish().await;

    let admin = admin_token(&stack.api_url, None).await;
    let mark = runs::latest_id(&stack.api_url, &admin).await;
    let batch_recovered = wait::until(Duration::from_secs(60), Duration::from_millis(250), || async {
        let passes = runs::finished_since(&stack.api_url, &admin, "volumes", mark).await;
        passes
            .iter()
            .any(|r| r.outcome == "success")
            .then(|| restarted.elapsed())
    })
    .await
    .expect("the batch server passes again without a restart");
    census::wait_settled(&stack.db.pool, &["volume"], Duration::from_secs(90)).await;
    let volumes = census::rows(&stack.db.pool, "volume").await;
    let agreement = census::agreement(
        "volume",
        &volumes,
        &OpenStackView::connect(&stack.sim_url).await.volumes().await,
    );

    let in_outage: Vec<&Sample> = samples
        .iter()
        .chain(&down_probes)
        .filter(|s| s.sent >= killed && s.answered_at() < restarting)
        .collect();
    let all: Vec<&Sample> = samples.iter().chain(&down_probes).collect();
    let slowest = all.iter().map(|s| s.took).max().unwrap_or_default();
    let accepted_creates: Vec<i64> = all
        .iter()
        .filter(|s| s.what == "create volume" && s.is_success())
        .filter_map(|s| s.id)
        .collect();
    let row_of = |id: i64| volumes.iter().find(|r| r.id == id && !r.deleted && r.settled());
    let converged = accepted_creates
        .iter()
        .filter(|id| row_of(**id).is_some_and(|r| r.status == "AVAILABLE"))
        .count();
    let failed_visibly = accepted_creates
        .iter()
        .filter(|id| row_of(**id).is_some_and(|r| r.failed_visibly()))
        .count();
    Figures {
        drill: "database_restart",
        requested: all.len(),
        accepted: all.iter().filter(|s| s.is_success()).count(),
        converged,
        failed_visibly,
        duplicated: agreement.duplicated.len(),
        lost: accepted_creates.len() - converged - failed_visibly,
        time_to_converge: recovered,
        extra: Vec::new(),
    }
    .with("down_for", format!("{:.1}s", (restarted - killed).as_secs_f64()))
    .with("answered_while_down", in_outage.len())
    .with(
        "db_unavailable_while_down",
        in_outage.iter().filter(|s| s.is_db_unavailable()).count(),
    )
    .with(
        "answers_5xx_other",
        all.iter()
            .filter(|s| s.status.is_some_and(|c| c >= 500 && c != 503))
            .count(),
    )
    .with("slowest_answer", format!("{:.2}s", slowest.as_secs_f64()))
    .with(
        "batch_recovered_after",
        format!("{:.1}s", batch_recovered.as_secs_f64()),
    )
    .with("volume_creates_accepted", accepted_creates.len())
    .print();

    assert!(stack.batch.pid().is_some(), "batch_server was not restarted");
    assert!(
        in_outage.len() >= 3,
        "the outage was probed: {} answers",
        in_outage.len()
    );
    for s in &in_outage {
        assert!(s.is_db_unavailable(), "while the database is down: {s:?}");
    }
    for s in &all {
        assert!(s.status.is_some(), "every request is answered: {s:?}");
        assert!(s.took < ANSWER_WITHIN, "no request hangs: {s:?}");
        assert_ne!(s.status, Some(500), "no 500: {s:?}");
    }
    assert_eq!(
        converged + failed_visibly,
        accepted_creates.len(),
        "every accepted create is done or visibly failed: {volumes:?}"
    );
    assert!(agreement.is_one_to_one(), "volumes and the cloud agree: {agreement:?}");
    let still_alive = stack.api.stop_with("TERM", Duration::from_secs(20));
    assert!(
        still_alive.is_some_and(|s| s.success()),
        "api_server ran on and stops cleanly"
    );
}
