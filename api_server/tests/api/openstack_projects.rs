//! Project creation through the real OpenStack adapter against cloud_sim
//! over HTTP.

use std::net::TcpListener;

use api_server::settings::Settings;
use api_server::startup::Application;
use cloud_sim::{FaultAction, FaultRule, SimConfig, SimServer};
use common::config::Env;
use common::infrastructure::cloud::{CloudConnector, ProjectCloudTarget, Provider, ServerListQuery};
use serde_json::json;
use test_support::TestDb;

use crate::helpers::*;

struct CloudApp {
    address: String,
    db: TestDb,
    sim: SimServer,
}

async fn spawn_on_sim() -> CloudApp {
    let sim = SimServer::start(SimConfig::instant()).await.unwrap();
    let db = TestDb::new().await;
    let creds = sim.service_credentials();
    let mut env = base_env(&db.url());
    for (k, v) in [
        ("OS_AUTH_URL", creds.auth_url.as_str()),
        ("OS_USERNAME", &creds.username),
        ("OS_PASSWORD", &creds.password),
        ("OS_USER_DOMAIN_NAME", &creds.user_domain),
        ("OS_PROJECT_NAME", &creds.project),
        ("OS_PROJECT_DOMAIN_NAME", &creds.project_domain),
        ("OS_REGION_NAME", &creds.region),
    ] {
        env.insert(k.to_owned(), v.to_owned());
    }
    let settings = Settings::from_env(&Env::new(&env)).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let app = Application::build(settings.clone(), listener).await.unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    CloudApp { address, db, sim }
}

fn connector(app: &CloudApp) -> CloudConnector {
    let creds = app.sim.service_credentials();
    let mut env = std::collections::HashMap::new();
    env.insert("OS_AUTH_URL".to_owned(), creds.auth_url);
    env.insert("OS_USERNAME".to_owned(), creds.username);
    env.insert("OS_PASSWORD".to_owned(), creds.password);
    env.insert("OS_USER_DOMAIN_NAME".to_owned(), creds.user_domain);
    env.insert("OS_PROJECT_NAME".to_owned(), creds.project);
    env.insert("OS_PROJECT_DOMAIN_NAME".to_owned(), creds.project_domain);
    env.insert("OS_REGION_NAME".to_owned(), creds.region);
    let settings = common::config::CloudSettings::from_env(&Env::new(&env))
        .unwrap()
        .openstack
        .unwrap();
    CloudConnector::new(Some(settings), None).unwrap()
}

async fn admin_token(app: &CloudApp) -> String {
    let res = client()
        .post(format!("{}/auth/login", app.address))
        .json(&json!({"account_id": ADMIN, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    json_of(res).await["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn creating_a_project_creates_a_keystone_project_the_service_user_can_use() {
    let app = spawn_on_sim().await;
    let admin = admin_token(&app).await;
    let res = client()
        .post(format!("{}/projects", app.address))
        .bearer_auth(&admin)
        .json(&json!({"name": "team-a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body = json_of(res).await;
    let id = body["id"].as_i64().unwrap();
    let openstack_id = body["openstack_id"].as_str().unwrap().to_owned();

    let cloud = connector(&app);
    let identity = cloud.identity(Provider::OpenStack).unwrap();
    let found = identity
        .find_project_by_name(&format!("cp{id}-team-a"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, openstack_id);
    let project = cloud
        .project(&ProjectCloudTarget::OpenStack {
            project_id: openstack_id.clone(),
        })
        .unwrap();
    let servers = project.list_servers(&ServerListQuery::default()).await.unwrap();
    assert!(
        servers.is_empty(),
        "a project-scoped token works: the service user has its role"
    );

    let res = client()
        .delete(format!("{}/projects/{id}", app.address))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(
        identity
            .find_project_by_name(&format!("cp{id}-team-a"))
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_cloud_outage_answers_503_and_marks_the_project_error() {
    let app = spawn_on_sim().await;
    let admin = admin_token(&app).await;
    app.sim.faults().add(
        FaultRule::new(FaultAction::Error {
            status: 500,
            message: None,
            retry_after_secs: None,
        })
        .service("identity")
        .method("POST")
        .path_contains("/projects"),
    );
    let res = client()
        .post(format!("{}/projects", app.address))
        .bearer_auth(&admin)
        .json(&json!({"name": "team-a"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(json_of(res).await["code"], "CLOUD_UNAVAILABLE");
    let status: String = sqlx::query_scalar("SELECT status FROM project WHERE name = 'team-a'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(status, "ERROR");
}
