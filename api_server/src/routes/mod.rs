//! Routing: every path the service answers.

mod operations;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    operations::configure(cfg);
}
