//! One reconcile pass over a large converged world: servers, volumes and
//! ports (10k of each by default, across 100 projects) in cloud_sim (in this
//! process, over real HTTP) and the matching rows in a fresh database, so a
//! pass finds nothing to change. Per kind and listing (complete and
//! changes-since) it prints the cloud requests of a pass (the listing's pages
//! and anything else), the SQL statements and writes it ran, its wall time
//! beside the floor (the same pages through the same adapter plus one SELECT
//! of the rows) and the ratio, first at half the size, then at the full size,
//! then at the full size with the cloud's page limit halved; and peak RSS.
//!
//! Run: `cargo bench -p batch_server --bench reconcile_pass` (add
//! `--profile dev` to skip the release build). `BENCH_RESOURCES` (default
//! 10000) sets the servers (and volumes, and ports), `BENCH_PROJECTS`
//! (default 100) the projects, `BENCH_RUNS` (default 5) the timed passes per
//! line (four times as many for changes-since). `pass` and `pages+SELECT`
//! are medians, `ratio` theirs, `best` the fastest pass over the fastest floor.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::Utc;
use cloud_sim::Counters;
use common::application::reconcile::Listing;
use common::application::reconcile::managed::ManagedProjects;
use common::application::reconcile::report::PassReport;
use common::infrastructure::cloud::install_crypto_provider;
use tracing_subscriber::layer::SubscriberExt;

#[path = "reconcile_pass/counting.rs"]
mod counting;
#[path = "reconcile_pass/kinds.rs"]
mod kinds;
#[path = "reconcile_pass/world.rs"]
mod world;

use kinds::Kind;
use world::World;

fn env_number(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
        Err(_) => default,
    }
}

struct Figures {
    listed: usize,
    rows: usize,
    pages: u64,
    requests: u64,
    statements: u64,
    writes: u64,
    pass: Duration,
    floor: Duration,
    /// Fastest pass over fastest floor: the least disturbed by other load.
    best_ratio: f64,
}

/// (listing pages, all requests) the simulator received since its counters
/// were reset.
fn requests(counters: &Counters, kind: Kind) -> (u64, u64) {
    let (service_get, path) = kind.page_request();
    let http = counters.by_cloud.get("http").cloned().unwrap_or_default();
    let pages = http
        .iter()
        .filter(|(k, _)| k.starts_with(service_get) && k.ends_with(path))
        .map(|(_, n)| n)
        .sum();
    (pages, http.values().sum())
}

fn assert_no_change(report: &PassReport, kind: Kind) {
    assert!(
        report.changed == 0 && report.drift_found == 0 && report.errors == 0,
        "the {} pass over a converged world changed something: {report:?}",
        kind.name()
    );
}

fn fastest(times: impl Iterator<Item = Duration>) -> Duration {
    times.min().unwrap_or_default()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

struct PassRun {
    took: Duration,
    pages: u64,
    requests: u64,
    statements: u64,
    writes: u64,
}

async fn timed_pass(world: &World, kind: Kind, listing: Listing) -> PassRun {
    world.sim.reset_counters();
    let (statements, writes) = counting::statements();
    let t = Instant::now();
    let report = kind.pass(world, listing).await;
    let took = t.elapsed();
    let (statements_after, writes_after) = counting::statements();
    assert_no_change(&report, kind);
    let (pages, requests) = requests(&world.sim.counters(), kind);
    PassRun {
        took,
        pages,
        requests,
        statements: statements_after - statements,
        writes: writes_after - writes,
    }
}

struct FloorRun {
    took: Duration,
    pages: u64,
    listed: usize,
    rows: usize,
}

async fn timed_floor(world: &World, kind: Kind, managed: &ManagedProjects, listing: Listing) -> FloorRun {
    world.sim.reset_counters();
    let t = Instant::now();
    let (listed, rows) = kind.bare(world, managed, listing).await;
    let took = t.elapsed();
    let (pages, _) = requests(&world.sim.counters(), kind);
    FloorRun {
        took,
        pages,
        listed,
        rows,
    }
}

async fn measure(world: &World, kind: Kind, listing: Listing, runs: usize) -> Figures {
    // Warm: the token, the connections, the database's buffer pool.
    assert_no_change(&kind.pass(world, listing).await, kind);
    let managed = ManagedProjects::load(&world.db.pool, None).await.unwrap();
    kind.bare(world, &managed, listing).await;

    let (mut passes, mut floors) = (Vec::new(), Vec::new());
    for i in 0..runs {
        // Alternate which goes first, so neither always follows the other.
        let (pass, floor) = if i % 2 == 0 {
            let pass = timed_pass(world, kind, listing).await;
            (pass, timed_floor(world, kind, &managed, listing).await)
        } else {
            let floor = timed_floor(world, kind, &managed, listing).await;
            (timed_pass(world, kind, listing).await, floor)
        };
        assert_eq!(floor.pages, pass.pages, "the floor fetches the pages the pass fetched");
        passes.push(pass);
        floors.push(floor);
    }
    let (last_pass, last_floor) = (passes.last().unwrap(), floors.last().unwrap());
    Figures {
        listed: last_floor.listed,
        rows: last_floor.rows,
        pages: last_pass.pages,
        requests: last_pass.requests,
        statements: last_pass.statements,
        writes: passes.iter().map(|p| p.writes).sum(),
        pass: median(passes.iter().map(|p| p.took).collect()),
        floor: median(floors.iter().map(|f| f.took).collect()),
        best_ratio: fastest(passes.iter().map(|p| p.took)).as_secs_f64()
            / fastest(floors.iter().map(|f| f.took)).as_secs_f64(),
    }
}

fn header() {
    println!(
        "{:<9} {:<14} {:>7} {:>7} {:>6} {:>9} {:>11} {:>7} {:>10} {:>13} {:>6} {:>6}",
        "kind",
        "listing",
        "listed",
        "rows",
        "pages",
        "requests",
        "statements",
        "writes",
        "pass",
        "pages+SELECT",
        "ratio",
        "best"
    );
}

fn print(kind: Kind, listing: &str, f: &Figures) {
    println!(
        "{:<9} {:<14} {:>7} {:>7} {:>6} {:>9} {:>11} {:>7} {:>10.1?} {:>13.1?} {:>5.2}x {:>5.2}x",
        kind.name(),
        listing,
        f.listed,
        f.rows,
        f.pages,
        f.requests,
        f.statements,
        f.writes,
        f.pass,
        f.floor,
        f.pass.as_secs_f64() / f.floor.as_secs_f64(),
        f.best_ratio
    );
}

/// The first pass of a process also authenticates: the requests beyond the
/// listing's pages, by simulator request key.
async fn cold_pass(world: &World) {
    world.sim.reset_counters();
    assert_no_change(&Kind::Servers.pass(world, Listing::Complete).await, Kind::Servers);
    let counters = world.sim.counters();
    let (pages, all) = requests(&counters, Kind::Servers);
    let (service_get, path) = Kind::Servers.page_request();
    let others: Vec<String> = counters
        .by_cloud
        .get("http")
        .into_iter()
        .flatten()
        .filter(|(k, _)| !(k.starts_with(service_get) && k.ends_with(path)))
        .map(|(k, n)| format!("{n} x {k}"))
        .collect();
    println!(
        "first servers pass of the process: {all} requests = {pages} pages + {} ({})",
        all - pages,
        others.join(", ")
    );
}

async fn table(world: &World, runs: usize, with_changes_since: bool) {
    header();
    // After the last change to the world: a changes-since listing has nothing to show.
    let since = Listing::ChangesSince(Utc::now() + chrono::Duration::seconds(2));
    for kind in Kind::ALL {
        print(kind, "complete", &measure(world, kind, Listing::Complete, runs).await);
        if with_changes_since {
            // Short passes: more of them, so a scheduling hiccup weighs less.
            print(kind, "changes-since", &measure(world, kind, since, runs * 4).await);
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    install_crypto_provider();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(counting::CountStatements)).unwrap();
    let resources = env_number("BENCH_RESOURCES", 10_000);
    let projects = env_number("BENCH_PROJECTS", 100).max(1);
    let runs = env_number("BENCH_RUNS", 5).max(1);
    let half_per_project = (resources / projects / 2).max(1);

    let mut world = World::start(projects).await;
    let t = Instant::now();
    world.grow(half_per_project).await;
    println!(
        "seeded {n} servers + {n} root volumes + {n} ports across {projects} projects (cloud and rows) in {:.1?}",
        t.elapsed(),
        n = world.servers()
    );
    cold_pass(&world).await;
    println!(
        "page size asked 1000; cloud limit 1000 (nova, cinder), none (neutron); {runs} timed passes per line ({} for changes-since)",
        runs * 4
    );
    table(&world, runs, true).await;

    let t = Instant::now();
    world.grow(half_per_project).await;
    println!(
        "\nseeded up to {n} servers + {n} root volumes + {n} ports in {:.1?}",
        t.elapsed(),
        n = world.servers()
    );
    let rss_seeded = counting::status_kib("VmRSS");
    let peak_reset = counting::reset_peak_rss();
    table(&world, runs, true).await;
    let peak = counting::status_kib("VmHWM");

    world.sim.set_page_limits(500, Some(500));
    println!(
        "\ncloud page limit 500 (nova, cinder, neutron), {} of each",
        world.servers()
    );
    table(&world, runs, false).await;

    let mib = |k: Option<u64>| k.map_or("unknown".to_owned(), |k| format!("{:.0} MiB", k as f64 / 1024.0));
    println!(
        "\nRSS of this process (cloud_sim state, the passes, the bench) after seeding: {}",
        mib(rss_seeded)
    );
    println!(
        "peak RSS over the full-size passes (VmHWM{}): {}",
        if peak_reset {
            ", reset after seeding"
        } else {
            ", since start: the reset is not allowed here"
        },
        mib(peak)
    );
}
