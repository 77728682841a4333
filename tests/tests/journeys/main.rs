//! Whole-stack journeys: the three real binaries, a fresh database and the
//! simulated cloud, driven only through the public HTTP API (and the
//! simulator's control surface for the cloud's side).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod converge;
mod tenant;

use e2e::Stack;
use e2e::tenancy::Provider;

/// Reconcile passes every second or two, without jitter, so a journey
/// waits seconds for what the batch server makes true.
pub const FAST_BATCH: &[(&str, &str)] = &[
    ("BATCH_SERVERS_CRON", "*/1 * * * * *"),
    ("BATCH_VOLUMES_CRON", "*/1 * * * * *"),
    ("BATCH_FLOATING_IPS_CRON", "*/2 * * * * *"),
    ("BATCH_NETWORK_INTERFACES_CRON", "*/2 * * * * *"),
    ("BATCH_SECURITY_GROUPS_CRON", "*/2 * * * * *"),
    ("BATCH_TRIGGER_POLL_CRON", "*/1 * * * * *"),
    ("BATCH_JITTER_MS", "0"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_openstack_tenant_goes_from_sign_up_to_a_server_and_back_to_an_empty_cloud() {
    let stack = Stack::start_with(FAST_BATCH).await;
    tenant::run(&stack, Provider::OpenStack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_nhn_tenant_goes_from_sign_up_to_a_server_and_back_to_an_empty_cloud() {
    let stack = Stack::start_with(FAST_BATCH).await;
    tenant::run(&stack, Provider::Nhn).await;
}

/// The security-groups job only runs when asked for, so the admin sees the
/// one pass its request caused.
async fn admin_journey(provider: Provider) {
    let mut env = FAST_BATCH.to_vec();
    env.retain(|(name, _)| *name != "BATCH_SECURITY_GROUPS_CRON");
    env.push(("BATCH_SECURITY_GROUPS_CRON", "0 0 0 1 1 *"));
    let stack = Stack::start_with(&env).await;
    let journey = tenant::run(&stack, provider).await;
    admin::run(&stack, &journey).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_audits_an_openstack_tenants_journey_resolves_drift_and_runs_a_requested_pass() {
    admin_journey(Provider::OpenStack).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_audits_an_nhn_tenants_journey_resolves_drift_and_runs_a_requested_pass() {
    admin_journey(Provider::Nhn).await;
}
