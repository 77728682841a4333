use std::net::TcpListener;
use std::process::ExitCode;
use std::sync::Arc;

use batch_server::cli::{self, Command};
use batch_server::jobs::{self, Job};
use batch_server::metrics::Metrics;
use batch_server::runner::Runner;
use batch_server::settings::Settings;
use batch_server::startup::{Application, Parts};
use common::application::credentials::CredentialCipher;
use common::config::{Env, ProcessEnv, credential_cipher_from_env};
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(Command::Help) => {
            println!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(c) => c,
        Err(e) => {
            eprintln!("batch_server: {e}");
            return ExitCode::from(2);
        }
    };
    let source = ProcessEnv::with_dotenv();
    let env = Env::new(&source);
    let settings = match Settings::from_env(&env).and_then(|s| Ok((s, credential_cipher_from_env(&env)?))) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("batch_server: {e}");
            return ExitCode::from(2);
        }
    };
    let (settings, cipher) = settings;
    common::telemetry::init(&settings.telemetry);
    common::infrastructure::cloud::install_crypto_provider();
    match run(settings, cipher, command).await {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("batch_server: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(settings: Settings, cipher: Option<CredentialCipher>, command: Command) -> Result<u8, String> {
    let pool = common::infrastructure::db::connect(&settings.database)
        .await
        .map_err(|e| format!("{e:?}"))?;
    if settings.database.run_migrations {
        common::infrastructure::db::run_migrations(&pool)
            .await
            .map_err(|e| format!("{e:?}"))?;
    }
    let jobs: Vec<Arc<dyn Job>> = jobs::registry(&settings, &pool, cipher).map_err(|e| format!("{e:?}"))?;
    if let Command::RunOnce { job, dry_run } = command {
        let runner = Runner::new(
            pool,
            settings.runner_id,
            settings.schedule.lease_ttl,
            Arc::new(Metrics::default()),
            CancellationToken::new(),
        );
        return Ok(cli::run_once(&jobs, &runner, &job, dry_run).await);
    }
    let listener =
        TcpListener::bind(settings.listen).map_err(|e| format!("cannot listen on {}: {e}", settings.listen))?;
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
    app.run_until_stopped().await.map_err(|e| e.to_string())?;
    Ok(0)
}
