//! Keystone v3.
pub mod admin;
pub mod catalog;
pub mod store;
pub mod tokens;

use serde_json::json;

use crate::http::error::{ApiError, ApiResult};
use crate::http::request::Req;
use crate::http::response::Resp;
use crate::http::route::Route;
use crate::state::State;
use store::ValidToken;

pub fn handle(st: &mut State, route: &Route, req: &Req) -> ApiResult<Resp> {
    if route.versionless {
        return Ok(Resp::json(
            300,
            json!({"versions": {"values": [version_doc(&route.root)]}}),
        ));
    }
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    let m = req.method.as_str();
    match (m, segs.as_slice()) {
        ("GET", []) => Ok(Resp::ok(json!({"version": version_doc(&route.root)}))),
        ("POST", ["auth", "tokens"]) => tokens::issue(st, req),
        ("GET" | "HEAD" | "DELETE", ["auth", "tokens"]) => tokens::subject(st, req),
        ("GET", ["auth", "projects"]) => admin::auth_projects(st, req),
        ("POST", ["users", id, "password"]) => admin::change_password(st, req, id),
        _ => {
            let caller = caller(st, req)?;
            admin::handle(st, req, &caller, m, &segs)
        }
    }
}

fn version_doc(root: &str) -> serde_json::Value {
    let root = root.trim_end_matches("/v3");
    json!({
        "id": "v3.14",
        "status": "stable",
        "updated": "2020-04-07T00:00:00Z",
        "links": [{"rel": "self", "href": format!("{root}/v3/")}],
        "media-types": [{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}]
    })
}

pub fn caller(st: &State, req: &Req) -> ApiResult<ValidToken> {
    let token = req.header("x-auth-token").ok_or_else(ApiError::unauthorized)?;
    st.keystone.validate(token, st.now()).ok_or_else(ApiError::unauthorized)
}

pub fn require_admin(caller: &ValidToken, action: &str) -> ApiResult<()> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ApiError::forbidden(&format!(
            "You are not authorized to perform the requested action: identity:{action}."
        )))
    }
}
