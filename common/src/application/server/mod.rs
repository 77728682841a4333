//! Servers: reads that assemble the detail view in a fixed number of
//! queries, and the intents (create, delete, power, attach/detach, rename).

mod create;
mod delete;
mod info;
mod power;
pub mod provision;
mod read;
mod volumes;

pub use create::create;
pub use delete::{DeletedServer, delete};
pub use info::{update_info, vnc_url};
pub use power::set_power;
pub use read::{ServerDetail, ServerQuery, actions, details, get, list};
pub use volumes::{attach_volume, detach_volume};

use crate::error::AppError;

pub fn not_found(id: i64) -> AppError {
    AppError::not_found("SERVER_NOT_FOUND", format!("server {id} does not exist"))
}

pub fn busy(id: i64, task: &str) -> AppError {
    AppError::conflict(
        "SERVER_BUSY",
        format!("server {id} is busy ({task}); try again when it has finished"),
    )
}
