//! Servers of the token's project: `/servers`.

pub mod dto;
pub mod read;
mod timestamp;
pub mod volumes;
pub mod write;

use actix_web::web;

use super::resource;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/servers")
            .route(web::get().to(read::list))
            .route(web::post().to(write::create)),
    )
    .service(
        resource("/servers/{server_id}")
            .route(web::get().to(read::get))
            .route(web::delete().to(write::delete)),
    )
    .service(resource("/servers/{server_id}/info").route(web::put().to(write::update_info)))
    .service(resource("/servers/{server_id}/status").route(web::put().to(write::set_status)))
    .service(resource("/servers/{server_id}/vnc-url").route(web::get().to(read::vnc_url)))
    .service(resource("/servers/{server_id}/actions").route(web::get().to(read::actions)))
    .service(
        resource("/servers/{server_id}/volumes/{volume_id}")
            .route(web::post().to(volumes::attach))
            .route(web::delete().to(volumes::detach)),
    );
}
