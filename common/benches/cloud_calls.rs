//! Prints the cost of the cloud call path against an in-process simulator:
//! sequential and concurrent reads through the port (token cached), and a
//! cold start (token issue included). Run: `cargo bench -p common --bench cloud_calls`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud_sim::{SimConfig, SimServer};
use common::infrastructure::cloud::*;

fn settings(sim: &SimServer, max_concurrency: usize) -> OpenStackSettings {
    let http = HttpSettings {
        max_concurrency,
        ..HttpSettings::default()
    };
    test_support::sim_cloud::openstack_settings(sim, EndpointInterface::Public, http)
}

fn report(label: &str, calls: usize, elapsed: Duration) {
    let per_call = elapsed / calls as u32;
    let rate = calls as f64 / elapsed.as_secs_f64();
    println!("{label:<44} {calls:>6} calls  {per_call:>10.2?}/call  {rate:>9.0} calls/s");
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    install_crypto_provider();
    let sim = SimServer::start(SimConfig::instant()).await.unwrap();
    let connector = Arc::new(CloudConnector::new(Some(settings(&sim, 16)), None).unwrap());
    let identity = connector.identity(Provider::OpenStack).unwrap();
    let project = identity
        .create_project(&CreateProjectRequest {
            name: "bench".into(),
            description: None,
        })
        .await
        .unwrap();
    let target = ProjectCloudTarget::OpenStack {
        project_id: project.id.clone(),
    };
    let handle = connector.project(&target).unwrap();
    handle.list_volume_types().await.unwrap();

    let calls = 500;
    let started = Instant::now();
    for _ in 0..calls {
        handle.list_volume_types().await.unwrap();
    }
    report("sequential GET /types (token cached)", calls, started.elapsed());

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..calls {
        let h = connector.project(&target).unwrap();
        tasks.push(tokio::spawn(async move { h.list_volume_types().await }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    report("concurrent GET /types (limit 16)", calls, started.elapsed());

    let rounds = 50;
    let started = Instant::now();
    for _ in 0..rounds {
        let cold = CloudConnector::new(Some(settings(&sim, 16)), None).unwrap();
        cold.project(&target).unwrap().list_volume_types().await.unwrap();
    }
    report("cold connector: token issue + GET", rounds, started.elapsed());

    sim.stop().await;
}
