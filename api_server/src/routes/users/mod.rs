//! Accounts: `/users`.

pub mod create;
pub mod delete;
pub mod dto;
pub mod get;
pub mod list;
pub mod password;
pub mod rename;

use actix_web::web;

use super::resource;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/users")
            .route(web::post().to(create::handle))
            .route(web::get().to(list::handle)),
    )
    .service(
        resource("/users/{id}")
            .route(web::get().to(get::handle))
            .route(web::delete().to(delete::handle)),
    )
    .service(resource("/users/{id}/info").route(web::put().to(rename::handle)))
    .service(resource("/users/{id}/password").route(web::put().to(password::handle)));
}
