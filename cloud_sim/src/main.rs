//! `cloud_sim --listen 127.0.0.1:8900 [--seed N] [--transition-ms N]`
use std::net::SocketAddr;
use std::time::Duration;

use cloud_sim::{SimConfig, SimServer};

struct Args {
    listen: SocketAddr,
    seed: u64,
    transition_ms: u64,
    token_ttl_secs: Option<u64>,
    nhn_regions: Option<Vec<String>>,
}

const USAGE: &str =
    "usage: cloud_sim [--listen ADDR:PORT] [--seed N] [--transition-ms N] [--token-ttl-secs N] [--nhn-regions KR1,KR2]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 8900)),
        seed: 42,
        transition_ms: 300,
        token_ttl_secs: None,
        nhn_regions: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--listen" => args.listen = value("--listen")?.parse().map_err(|e| format!("--listen: {e}"))?,
            "--seed" => args.seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--transition-ms" => {
                args.transition_ms = value("--transition-ms")?
                    .parse()
                    .map_err(|e| format!("--transition-ms: {e}"))?
            }
            "--token-ttl-secs" => {
                args.token_ttl_secs = Some(
                    value("--token-ttl-secs")?
                        .parse()
                        .map_err(|e| format!("--token-ttl-secs: {e}"))?,
                )
            }
            "--nhn-regions" => {
                let list = value("--nhn-regions")?;
                args.nhn_regions = Some(
                    list.split(',')
                        .map(|r| r.trim().to_ascii_uppercase())
                        .filter(|r| !r.is_empty())
                        .collect(),
                );
            }
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    Ok(args)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut config = SimConfig::default()
        .with_seed(args.seed)
        .with_transition_delay(Duration::from_millis(args.transition_ms));
    if let Some(ttl) = args.token_ttl_secs {
        config = config.with_token_ttl(Duration::from_secs(ttl));
    }
    if let Some(regions) = args.nhn_regions {
        config.nhn_regions = regions;
    }
    let sim = match SimServer::start_on(config, args.listen).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot listen on {}: {e}", args.listen);
            return std::process::ExitCode::FAILURE;
        }
    };
    let creds = sim.service_credentials();
    println!("cloud_sim listening on {}", sim.base_url());
    println!("OS_AUTH_URL={}", creds.auth_url);
    println!("OS_USERNAME={}", creds.username);
    println!("OS_PASSWORD={}", creds.password);
    println!("OS_USER_DOMAIN_NAME={}", creds.user_domain);
    println!("OS_PROJECT_NAME={}", creds.project);
    println!("OS_PROJECT_DOMAIN_NAME={}", creds.project_domain);
    println!("OS_REGION_NAME={}", creds.region);
    println!(
        "NHN identity: {}/v2.0/tokens (register tenants with POST {}/_sim/nhn/tenants)",
        sim.nhn_identity_url(),
        sim.base_url()
    );
    tracing::info!(base_url = %sim.base_url(), seed = args.seed, transition_ms = args.transition_ms, "cloud simulator started");
    shutdown_signal().await;
    tracing::info!("shutting down");
    sim.stop().await;
    std::process::ExitCode::SUCCESS
}
