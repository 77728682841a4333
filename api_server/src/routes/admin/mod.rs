//! Admin audit: `/admin/...`. Every route answers 403 to members.

pub mod audit_events;
mod csv;
pub mod drift_list;
pub mod drift_resolve;
pub mod dto;
pub mod inventory;
pub mod reconcile_runs;
pub mod reconcile_trigger;
mod require_admin;
pub mod summary;

use actix_web::dev::HttpServiceFactory;
use actix_web::middleware::from_fn;
use actix_web::{Resource, web};

use super::resource;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(admin_only(
        resource("/admin/inventory/{kind}").route(web::get().to(inventory::handle)),
    ))
    .service(admin_only(
        resource("/admin/summary").route(web::get().to(summary::handle)),
    ))
    .service(admin_only(
        resource("/admin/audit-events").route(web::get().to(audit_events::handle)),
    ))
    .service(admin_only(
        resource("/admin/drift").route(web::get().to(drift_list::handle)),
    ))
    .service(admin_only(
        resource("/admin/drift/{id}/resolve").route(web::post().to(drift_resolve::handle)),
    ))
    .service(admin_only(
        resource("/admin/reconcile-runs").route(web::get().to(reconcile_runs::handle)),
    ))
    .service(admin_only(
        resource("/admin/reconcile/{job}").route(web::post().to(reconcile_trigger::handle)),
    ));
}

fn admin_only(resource: Resource) -> impl HttpServiceFactory {
    resource.wrap(from_fn(require_admin::check))
}
