//! POST /v2.0/tokens with tenantId + passwordCredentials.
use serde_json::{Value, json};

use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, str_field};
use crate::http::response::Resp;
use crate::http::route::Route;
use crate::identity::catalog::nhn_catalog;
use crate::state::State;
use crate::time_fmt::{micros_naive, seconds_z};

pub fn handle(st: &mut State, _route: &Route, req: &Req) -> ApiResult<Resp> {
    let segs: Vec<&str> = req.segs.iter().map(String::as_str).collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["tokens"]) => issue(st, req),
        ("GET", []) => Ok(Resp::ok(
            json!({"version": {"id": "v2.0", "status": "stable", "links": [{"rel": "self", "href": format!("{}/", req.root)}]}}),
        )),
        _ => Err(ApiError::not_found("NotFound", "The resource could not be found.")),
    }
}

fn issue(st: &mut State, req: &Req) -> ApiResult<Resp> {
    let body = req.json()?;
    let auth = body
        .get("auth")
        .filter(|a| a.is_object())
        .ok_or_else(|| ApiError::bad_request("Expecting to find auth in request body."))?;
    let tenant_id =
        str_field(auth, "tenantId").ok_or_else(|| ApiError::bad_request("Expecting to find tenantId in auth."))?;
    let creds = auth
        .get("passwordCredentials")
        .ok_or_else(|| ApiError::bad_request("Expecting to find passwordCredentials in auth."))?;
    let username = str_field(creds, "username").unwrap_or("");
    let password = str_field(creds, "password").unwrap_or("");
    let tenant = st
        .nhn
        .tenants
        .get(tenant_id)
        .filter(|t| t.username == username)
        .cloned()
        .ok_or_else(|| ApiError::new(401, "Unauthorized", &format!("Could not find user: {username}.")))?;
    if tenant.api_password != password {
        return Err(ApiError::new(
            401,
            "Unauthorized",
            "The request you have made requires authentication.",
        ));
    }
    let now = st.now();
    let token = st.nhn.issue(tenant_id, username, now);
    *st.nhn.counters.entry("token.create".into()).or_insert(0) += 1;
    let catalog: Value = nhn_catalog(&st.base_url, tenant_id, &st.config.nhn_regions);
    Ok(Resp::ok(json!({"access": {
        "token": {
            "id": token.id,
            "expires": seconds_z(&token.expires),
            "issued_at": micros_naive(&token.issued_at),
            "tenant": {"id": tenant.tenant_id, "name": tenant.tenant_name, "groupId": "simgroup", "description": "", "enabled": true, "project_domain": "NORMAL"}
        },
        "serviceCatalog": catalog,
        "user": {"id": token.user_id, "username": username, "name": username, "roles": [{"name": "project_admin"}], "roles_links": []},
        "metadata": {"roles": ["project_admin"], "is_admin": 0}
    }})))
}
