//! Bounded load on the whole stack: the three real binaries (built first,
//! in the bench's own profile), a fresh database and the simulated cloud.
//! Seeds a few OpenStack projects with one account per client, then for
//! `LOAD_SECS` (60) seconds `LOAD_CLIENTS` (16) concurrent clients mix
//! logins, lists and creates. Prints requests/s, p50/p99 per request type
//! and overall, errors by status, and the resident memory (VmRSS) of each
//! process before and after.
//! Run: `cargo bench -p e2e --bench load` (add `--profile dev` to skip the
//! release build).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use e2e::Stack;
use e2e::api::Api;
use e2e::catalog::Choices;
use e2e::memory::rss_kib;
use e2e::process::use_binaries_from;
use e2e::sim::Sim;
use e2e::tenancy::{self, Provider};
use reqwest::Method;
use serde_json::json;

const PROJECTS: usize = 4;
const PASSWORD: &str = "load-password-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Login,
    ListServers,
    ListVolumes,
    ListSecurityGroups,
    GetProject,
    CreateVolume,
    CreateSecurityGroup,
}

/// Each kind's share of the requests, in percent.
const MIX: [(Kind, u64); 7] = [
    (Kind::Login, 10),
    (Kind::ListServers, 20),
    (Kind::ListVolumes, 20),
    (Kind::ListSecurityGroups, 15),
    (Kind::GetProject, 15),
    (Kind::CreateVolume, 10),
    (Kind::CreateSecurityGroup, 10),
];

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Login => "POST /auth/login",
            Kind::ListServers => "GET /servers?limit=50",
            Kind::ListVolumes => "GET /volumes?limit=50",
            Kind::ListSecurityGroups => "GET /security-groups?limit=50",
            Kind::GetProject => "GET /projects/{id}",
            Kind::CreateVolume => "POST /volumes",
            Kind::CreateSecurityGroup => "POST /security-groups",
        }
    }

    fn pick(roll: u64) -> Kind {
        let mut left = roll % 100;
        for (kind, share) in MIX {
            if left < share {
                return kind;
            }
            left -= share;
        }
        Kind::ListServers
    }
}

/// One request: what, its status (0: no answer at all) and error code, how long.
struct Sample {
    kind: Kind,
    status: u16,
    code: Option<String>,
    latency: Duration,
}

struct Client {
    number: usize,
    account: String,
    project_id: i64,
    volume_type_id: String,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} must be a whole number")))
        .unwrap_or(default)
}

const BINARIES: [&str; 3] = ["cloud_sim", "api_server", "batch_server"];

/// Builds the three binaries in the profile this bench was built in, and
/// runs private copies of them: the stack runs what this checkout says, even
/// if another build in a shared target folder replaces the originals.
fn build_binaries() -> (String, tempdir::Copies) {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let profile = match dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev".to_owned(),
        Some(other) => other.to_owned(),
        None => "release".to_owned(),
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--profile", &profile, "--bins"])
        .args(BINARIES.iter().flat_map(|b| ["-p", *b]))
        .current_dir(workspace)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the binaries failed");
    let copies = tempdir::Copies::of(dir, &BINARIES);
    use_binaries_from(copies.path().to_path_buf());
    (profile, copies)
}

mod tempdir {
    use std::path::{Path, PathBuf};

    /// Copies of the binaries in a folder of their own, removed on drop.
    pub struct Copies(PathBuf);

    impl Copies {
        pub fn of(from: &Path, names: &[&str]) -> Copies {
            let dir = std::env::temp_dir().join(format!("cloudplane-load-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            for name in names {
                std::fs::copy(from.join(name), dir.join(name)).unwrap();
            }
            Copies(dir)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Copies {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn rss_line(stack: &Stack) -> Vec<(&'static str, Option<u64>)> {
    [&stack.sim, &stack.api, &stack.batch]
        .into_iter()
        .map(|p| (p.name, p.pid().and_then(rss_kib)))
        .collect()
}

async fn seed(stack: &Stack, clients: usize) -> Vec<Client> {
    let sim = Sim::new(&stack.sim_url);
    sim.set_quotas(json!({"volumes": 1_000_000, "gigabytes": 100_000_000, "security_groups": 1_000_000}))
        .await;
    let admin = tenancy::admin(&stack.api_url).await;
    let mut projects = Vec::new();
    for p in 0..PROJECTS {
        let project = tenancy::create_project(&admin, &sim, Provider::OpenStack, &format!("load-{p}")).await;
        projects.push(project.id);
    }
    let anonymous = Api::new(&stack.api_url);
    let mut seeded = Vec::new();
    for number in 0..clients {
        let account = format!("load.{number}");
        let user = anonymous.sign_up(&account, &format!("load {number}"), PASSWORD).await;
        let project_id = projects[number % PROJECTS];
        tenancy::add_member(&admin, project_id, user).await;
        seeded.push(Client {
            number,
            account,
            project_id,
            volume_type_id: String::new(),
        });
    }
    let (first, _) = anonymous.login(&seeded[0].account, PASSWORD, Some(projects[0])).await;
    let volume_type_id = Choices::read(&first).await.volume_type_id;
    for c in &mut seeded {
        c.volume_type_id.clone_from(&volume_type_id);
    }
    seeded
}

async fn drive(api_url: String, client: Client, until: Instant) -> Vec<Sample> {
    let anonymous = Api::new(&api_url);
    let login_body = json!({"account_id": client.account, "password": PASSWORD, "project_id": client.project_id});
    let (mut tenant, _) = anonymous
        .login(&client.account, PASSWORD, Some(client.project_id))
        .await;
    let mut samples = Vec::new();
    let mut random = 0x9E37_79B9_7F4A_7C15_u64 ^ (client.number as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407);
    let mut created = 0u64;
    while Instant::now() < until {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        let kind = Kind::pick(random);
        created += 1;
        let n = created;
        let started = Instant::now();
        let (api, method, path, body) = match kind {
            Kind::Login => (
                &anonymous,
                Method::POST,
                "/auth/login".to_owned(),
                Some(login_body.clone()),
            ),
            Kind::ListServers => (&tenant, Method::GET, "/servers?limit=50".to_owned(), None),
            Kind::ListVolumes => (&tenant, Method::GET, "/volumes?limit=50".to_owned(), None),
            Kind::ListSecurityGroups => (&tenant, Method::GET, "/security-groups?limit=50".to_owned(), None),
            Kind::GetProject => (&tenant, Method::GET, format!("/projects/{}", client.project_id), None),
            Kind::CreateVolume => (
                &tenant,
                Method::POST,
                "/volumes".to_owned(),
                Some(json!({"name": format!("v-{}-{n}", client.number), "size": 1,
                            "volume_type_id": client.volume_type_id})),
            ),
            Kind::CreateSecurityGroup => (
                &tenant,
                Method::POST,
                "/security-groups".to_owned(),
                Some(json!({"name": format!("sg-{}-{n}", client.number), "rules": [
                    {"protocol": "tcp", "ether_type": "IPv4", "direction": "ingress",
                     "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "10.0.0.0/8"}]})),
            ),
        };
        let reply = api.try_call(method, &path, body.as_ref(), &[]).await;
        let latency = started.elapsed();
        let status = reply.as_ref().map_or(0, |r| r.status);
        let code = match &reply {
            Ok(r) => r.body["code"].as_str().map(str::to_owned),
            Err(e) => Some(e.to_string()),
        };
        if kind == Kind::Login
            && let Ok(r) = &reply
            && let Some(token) = r.body["token"].as_str()
        {
            tenant = anonymous.with_token(token);
        }
        samples.push(Sample {
            kind,
            status,
            code,
            latency,
        });
    }
    samples
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn print_row(label: &str, samples: &[&Sample], secs: f64) {
    let mut latencies: Vec<Duration> = samples.iter().map(|s| s.latency).collect();
    latencies.sort_unstable();
    let errors = samples.iter().filter(|s| s.status == 0 || s.status >= 400).count();
    println!(
        "{label:<30} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>7}",
        samples.len(),
        samples.len() as f64 / secs,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        errors
    );
}

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "-".to_owned(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
}

#[tokio::main]
async fn main() {
    let secs = env_number("LOAD_SECS", 60);
    let clients = env_number("LOAD_CLIENTS", 16).max(1) as usize;
    let (profile, _binaries) = build_binaries();
    let stack = Stack::start_with(&[
        ("QUOTA_DEFAULT_VOLUMES", "1000000"),
        ("QUOTA_DEFAULT_VOLUME_GB", "100000000"),
        ("QUOTA_DEFAULT_SECURITY_GROUPS", "1000000"),
    ])
    .await;
    let seeded = seed(&stack, clients).await;
    let before = rss_line(&stack);

    let started = Instant::now();
    let until = started + Duration::from_secs(secs);
    let tasks: Vec<_> = seeded
        .into_iter()
        .map(|c| tokio::spawn(drive(stack.api_url.clone(), c, until)))
        .collect();
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = rss_line(&stack);

    println!(
        "load: {clients} clients for {elapsed:.1} s, {PROJECTS} OpenStack projects, binaries in profile {profile}"
    );
    println!(
        "{:<30} {:>8} {:>9} {:>9} {:>9} {:>7}",
        "request", "count", "req/s", "p50 ms", "p99 ms", "errors"
    );
    for (kind, _) in MIX {
        let of_kind: Vec<&Sample> = samples.iter().filter(|s| s.kind == kind).collect();
        print_row(kind.label(), &of_kind, elapsed);
    }
    print_row("overall", &samples.iter().collect::<Vec<_>>(), elapsed);

    let mut by_status: BTreeMap<u16, BTreeMap<(&str, &str), u64>> = BTreeMap::new();
    for s in samples.iter().filter(|s| s.status == 0 || s.status >= 400) {
        let code = s.code.as_deref().unwrap_or("-");
        *by_status
            .entry(s.status)
            .or_default()
            .entry((s.kind.label(), code))
            .or_default() += 1;
    }
    if by_status.is_empty() {
        println!("errors by status: none");
    }
    for (status, kinds) in &by_status {
        let name = if *status == 0 {
            "no answer".to_owned()
        } else {
            status.to_string()
        };
        println!("errors {name}: {kinds:?}");
    }
    println!("{:<14} {:>12} {:>12}", "VmRSS", "before", "after");
    for ((name, b), (_, a)) in before.iter().zip(&after) {
        println!("{name:<14} {:>12} {:>12}", mib(*b), mib(*a));
    }
}
