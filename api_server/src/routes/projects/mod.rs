//! Projects, their members and quotas: `/projects`.

pub mod create;
pub mod delete;
pub mod dto;
pub mod get;
pub mod list;
pub mod members;
pub mod quotas;
pub mod rename;

use actix_web::web;

use super::resource;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/projects")
            .route(web::get().to(list::handle))
            .route(web::post().to(create::handle)),
    )
    .service(
        resource("/projects/{id}")
            .route(web::get().to(get::handle))
            .route(web::put().to(rename::handle))
            .route(web::delete().to(delete::handle)),
    )
    .service(
        resource("/projects/{id}/users/{user_id}")
            .route(web::post().to(members::add))
            .route(web::delete().to(members::remove)),
    )
    .service(
        resource("/projects/{id}/quotas")
            .route(web::get().to(quotas::get))
            .route(web::put().to(quotas::put)),
    );
}
