//! `/auth/login` and `/auth/logout`.

pub mod login;
pub mod logout;

use actix_web::web;

use super::resource;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/auth/login").route(web::post().to(login::handle)))
        .service(resource("/auth/logout").route(web::post().to(logout::handle)));
}
