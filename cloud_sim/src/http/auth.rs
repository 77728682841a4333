//! The auth middleware every service runs: X-Auth-Token -> who is calling, in which project.
use super::error::{ApiError, ApiResult};
use super::request::Req;
use super::route::Route;
use crate::state::State;

/// The caller of a service request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub cloud: String,
    pub project_id: String,
    pub user_id: String,
    pub is_admin: bool,
    pub nhn: bool,
}

pub fn authenticate(st: &mut State, route: &Route, req: &Req) -> ApiResult<Ctx> {
    let token = req.header("x-auth-token").ok_or_else(ApiError::unauthorized)?;
    let now = st.now();
    let ctx = if route.service.is_nhn() {
        let t = st.nhn.validate(token, now).ok_or_else(ApiError::unauthorized)?;
        Ctx {
            cloud: route.cloud.clone(),
            project_id: t.tenant_id,
            user_id: t.user_id,
            is_admin: false,
            nhn: true,
        }
    } else {
        let v = st.keystone.validate(token, now).ok_or_else(ApiError::unauthorized)?;
        let is_admin = v.is_admin();
        let project_id = v.token.project_id.clone().ok_or_else(ApiError::unauthorized)?;
        Ctx {
            cloud: route.cloud.clone(),
            project_id,
            user_id: v.token.user_id,
            is_admin,
            nhn: false,
        }
    };
    if let Some(t) = &route.tenant
        && *t != ctx.project_id
    {
        let msg = if route.service.is_compute() {
            format!(
                "Malformed request URL: URL's project_id '{t}' doesn't match Context's project_id '{}'",
                ctx.project_id
            )
        } else {
            "Malformed request url".to_string()
        };
        return Err(ApiError::bad_request(&msg));
    }
    if let Some(cloud) = st.clouds.get_mut(&ctx.cloud) {
        cloud.ensure_project(&ctx.project_id);
    }
    Ok(ctx)
}
