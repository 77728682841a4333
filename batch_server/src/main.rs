use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

use batch_server::jobs::Job;
use batch_server::jobs::housekeeping::Housekeeping;
use batch_server::settings::Settings;
use batch_server::startup::{Application, Parts};
use common::config::{Env, ProcessEnv};

#[tokio::main]
async fn main() -> ExitCode {
    let source = ProcessEnv::with_dotenv();
    let settings = match Settings::from_env(&Env::new(&source)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("batch_server: {e}");
            return ExitCode::from(2);
        }
    };
    common::telemetry::init(&settings.telemetry);
    match run(settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("batch_server: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(settings: Settings) -> Result<(), String> {
    let listener =
        TcpListener::bind(settings.listen).map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
    let pool = common::infrastructure::db::connect(&settings.database)
        .await
        .map_err(|e| e.to_string())?;
    if settings.database.run_migrations {
        common::infrastructure::db::run_migrations(&pool)
            .await
            .map_err(|e| e.to_string())?;
    }
    let jobs: Vec<Arc<dyn Job>> = vec![Arc::new(Housekeeping {
        pool: pool.clone(),
        schedule: settings.schedule.housekeeping_cron.clone(),
        throttle_window: std::time::Duration::from_secs(3600),
    })];
    tracing::info!(listen = %settings.listen, runner_id = %settings.runner_id, "batch_server starting");
    let app = Application::build(
        Parts {
            pool,
            runner_id: settings.runner_id,
            schedule: settings.schedule,
            jobs,
        },
        listener,
    )
    .await
    .map_err(|e| e.to_string())?;
    app.run_until_stopped().await.map_err(|e| e.to_string())
}
