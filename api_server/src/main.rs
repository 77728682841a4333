use std::net::TcpListener;
use std::process::ExitCode;

use api_server::settings::Settings;
use api_server::startup::Application;
use common::config::{Env, ProcessEnv};

#[actix_web::main]
async fn main() -> ExitCode {
    let source = ProcessEnv::with_dotenv();
    let settings = match Settings::from_env(&Env::new(&source)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("api_server: {e}");
            return ExitCode::from(2);
        }
    };
    common::telemetry::init(&settings.telemetry);
    let listener = match TcpListener::bind(settings.listen) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("api_server: cannot listen on {}: {e}", settings.listen);
            return ExitCode::from(1);
        }
    };
    tracing::info!(listen = %settings.listen, "api_server starting");
    let app = match Application::build(settings, listener).await {
        Ok(app) => app,
        Err(e) => {
            eprintln!("api_server: {e}");
            return ExitCode::from(1);
        }
    };
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("api_server: {e}");
            ExitCode::from(1)
        }
    }
}
