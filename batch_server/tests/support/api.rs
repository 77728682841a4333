//! The API's use cases called in-process, as its handlers call them, by a
//! member of the world's project: the intents the batch server finishes are
//! written exactly as the API writes them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::application::auth::password::PasswordHasher;
use common::application::auth::revocation::RevocationCache;
use common::application::auth::throttle::ThrottleSettings;
use common::application::auth::token::TokenIssuer;
use common::application::project_cloud::ProjectClouds;
use common::application::provisioning::NoCloud;
use common::application::server::ServerDetail;
use common::application::volume::{NewVolumeInput, VolumeDetail};
use common::application::{Services, catalog, server, volume};
use common::config::{Env, JwtSettings};
use common::domain::auth::{Actor, RequestContext};
use common::domain::quota::{Amounts, QuotaKind};
use common::domain::resource_name::ResourceName;
use common::domain::server::NewServer;
use common::domain::user::Role;
use common::error::AppResult;

use super::world::World;

pub struct Api {
    pub svc: Services,
    pub ctx: RequestContext,
    pub flavor_id: String,
    pub image_id: String,
    pub network_id: String,
    pub volume_type_id: String,
    pub root_size_gb: u32,
}

pub async fn api(w: &World) -> Api {
    let env_vars: HashMap<String, String> = [(
        "JWT_SECRET".to_string(),
        "batch-test-secret-that-is-long-enough-0123".to_string(),
    )]
    .into();
    let env = Env::new(&env_vars);
    let quota_defaults = [
        QuotaKind::Servers,
        QuotaKind::Vcpus,
        QuotaKind::RamMb,
        QuotaKind::Volumes,
        QuotaKind::VolumeGb,
        QuotaKind::FloatingIps,
        QuotaKind::SecurityGroups,
    ]
    .into_iter()
    .fold(Amounts::new(), |a, kind| a.with(kind, 100_000));
    let svc = Services {
        pool: w.db.pool.clone(),
        passwords: PasswordHasher::new(1).unwrap(),
        tokens: TokenIssuer::new(&JwtSettings::from_env(&env).unwrap()),
        revocations: RevocationCache::new(Duration::ZERO),
        throttle: ThrottleSettings::from_env(&env).unwrap(),
        quota_defaults,
        provisioner: Arc::new(NoCloud),
        credential_cipher: w.job.cipher.clone(),
        signup_enabled: false,
        clouds: Some(Arc::new(ProjectClouds::new(w.job.connector.clone()))),
    };
    let user_id = sqlx::query(
        "INSERT INTO user (domain_id, account_id, name, password_hash, role) VALUES (1, 'alice', 'Alice', 'x', 'member')",
    )
    .execute(&w.db.pool)
    .await
    .unwrap()
    .last_insert_id() as i64;
    let actor = Actor {
        user_id,
        role: Role::Member,
        project_id: Some(w.project_id),
        token_id: "token-1".into(),
        expires_at: i64::MAX,
    };
    let ctx = RequestContext::of(actor, "req-batch-test");
    let flavors = catalog::flavors(&svc, &ctx).await.unwrap();
    let flavor = flavors.iter().min_by_key(|f| f.ram_mb).unwrap().clone();
    let images = catalog::images(&svc, &ctx).await.unwrap();
    let image = images.iter().min_by_key(|i| i.min_disk_gb).unwrap().clone();
    let networks = catalog::networks(&svc, &ctx).await.unwrap();
    let network = networks.iter().find(|n| !n.external).unwrap().clone();
    let types = catalog::volume_types(&svc, &ctx).await.unwrap();
    Api {
        flavor_id: flavor.id,
        image_id: image.id,
        network_id: network.id,
        volume_type_id: types[0].id.clone(),
        root_size_gb: 20.max(u32::try_from(image.min_disk_gb).unwrap()),
        svc,
        ctx,
    }
}

impl Api {
    pub async fn create_server(&self, name: &str) -> AppResult<ServerDetail> {
        let input = NewServer {
            name: ResourceName::parse(name).unwrap(),
            description: String::new(),
            flavor_id: self.flavor_id.clone(),
            network_id: self.network_id.clone(),
            image_id: self.image_id.clone(),
            root_volume_size_gb: self.root_size_gb,
            security_group_ids: vec![],
            key_name: None,
            availability_zone: None,
        };
        server::create(&self.svc, &self.ctx, input).await
    }

    pub async fn create_volume(&self, name: &str, size_gb: u32) -> AppResult<VolumeDetail> {
        let input = NewVolumeInput {
            name: ResourceName::parse(name).unwrap(),
            description: String::new(),
            size_gb,
            volume_type_id: self.volume_type_id.clone(),
            image_id: None,
        };
        volume::create(&self.svc, &self.ctx, input).await
    }
}
