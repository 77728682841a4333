//! POST/GET/HEAD/DELETE /v3/auth/tokens.
use serde_json::{Value, json};

use super::catalog::keystone_catalog;
use super::store::{Keystone, Token};
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, str_field};
use crate::http::response::Resp;
use crate::state::State;
use crate::time_fmt::micros_z;

fn bad_credentials() -> ApiError {
    ApiError::unauthorized()
}

fn resolve_domain(ks: &Keystone, domain: Option<&Value>) -> Option<String> {
    let d = domain?;
    if let Some(id) = str_field(d, "id") {
        return ks.domains.contains_key(id).then(|| id.to_string());
    }
    let name = str_field(d, "name")?;
    ks.domains.values().find(|x| x.name == name).map(|x| x.id.clone())
}

fn resolve_user(ks: &Keystone, user: &Value) -> Option<String> {
    if let Some(id) = str_field(user, "id") {
        return ks.users.contains_key(id).then(|| id.to_string());
    }
    let name = str_field(user, "name")?;
    let domain = resolve_domain(ks, user.get("domain"))?;
    ks.users
        .values()
        .find(|u| u.name == name && u.domain_id == domain)
        .map(|u| u.id.clone())
}

fn resolve_project(ks: &Keystone, project: &Value) -> Option<String> {
    if let Some(id) = str_field(project, "id") {
        return ks.projects.contains_key(id).then(|| id.to_string());
    }
    let name = str_field(project, "name")?;
    let domain = resolve_domain(ks, project.get("domain"))?;
    ks.projects
        .values()
        .find(|p| p.name == name && p.domain_id == domain)
        .map(|p| p.id.clone())
}

pub fn issue(st: &mut State, req: &Req) -> ApiResult<Resp> {
    let body = req.json()?;
    let auth = body
        .get("auth")
        .ok_or_else(|| ApiError::bad_request("'auth' is a required property"))?;
    let identity = auth
        .get("identity")
        .ok_or_else(|| ApiError::bad_request("'identity' is a required property"))?;
    let methods: Vec<&str> = identity
        .get("methods")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let now = st.now();
    let user_id = if methods.contains(&"password") {
        let user = identity
            .pointer("/password/user")
            .ok_or_else(|| ApiError::bad_request("'user' is a required property"))?;
        let password = str_field(user, "password").unwrap_or("");
        let uid = resolve_user(&st.keystone, user).ok_or_else(bad_credentials)?;
        let u = st.keystone.users.get(&uid).ok_or_else(bad_credentials)?;
        if u.password != password || !u.enabled {
            return Err(bad_credentials());
        }
        uid
    } else if methods.contains(&"token") {
        let tid = identity
            .pointer("/token/id")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("'id' is a required property"))?;
        st.keystone
            .validate(tid, now)
            .ok_or_else(bad_credentials)?
            .token
            .user_id
    } else {
        return Err(ApiError::bad_request("Unsupported authentication method"));
    };
    let project_id = match auth.pointer("/scope/project") {
        Some(p) => {
            let pid = resolve_project(&st.keystone, p).ok_or_else(bad_credentials)?;
            let enabled = st.keystone.projects.get(&pid).is_some_and(|p| p.enabled);
            if !enabled || st.keystone.roles_on(&pid, &user_id).is_empty() {
                return Err(bad_credentials());
            }
            Some(pid)
        }
        None => None,
    };
    let token = st.keystone.issue(&user_id, project_id.as_deref(), now);
    st.keystone.count("token.create");
    if let (Some(pid), Some(cloud)) = (project_id.as_deref(), st.openstack()) {
        cloud.ensure_project(pid);
    }
    let body = token_body(st, &token, !req.has_q("nocatalog"));
    Ok(Resp::json(201, body).with_header("X-Subject-Token", &token.id))
}

pub fn subject(st: &mut State, req: &Req) -> ApiResult<Resp> {
    let now = st.now();
    super::caller(st, req)?;
    let subject = req
        .header("x-subject-token")
        .ok_or_else(|| ApiError::bad_request("X-Subject-Token is missing"))?
        .to_string();
    let allow_expired = req.q("allow_expired").is_some_and(|v| v == "1" || v == "true");
    let valid = st.keystone.validate(&subject, now);
    let token = match valid {
        Some(v) => v.token,
        None => match st.keystone.tokens.get(&subject) {
            Some(t) if allow_expired && !t.revoked => t.clone(),
            _ => {
                return Err(ApiError::not_found(
                    "TokenNotFound",
                    &format!("Could not find token: {subject}."),
                ));
            }
        },
    };
    match req.method.as_str() {
        "DELETE" => {
            if let Some(t) = st.keystone.tokens.get_mut(&subject) {
                t.revoked = true;
            }
            Ok(Resp::empty(204))
        }
        "HEAD" => Ok(Resp::empty(200).with_header("X-Subject-Token", &subject)),
        _ => {
            let body = token_body(st, &token, !req.has_q("nocatalog"));
            Ok(Resp::ok(body).with_header("X-Subject-Token", &subject))
        }
    }
}

pub fn token_body(st: &State, token: &Token, with_catalog: bool) -> Value {
    let ks = &st.keystone;
    let domain_ref = |id: &str| {
        let name = ks.domains.get(id).map(|d| d.name.clone()).unwrap_or_default();
        json!({"id": id, "name": name})
    };
    let user = ks.users.get(&token.user_id);
    let mut body = json!({
        "methods": ["password"],
        "expires_at": micros_z(&token.expires_at),
        "issued_at": micros_z(&token.issued_at),
        "audit_ids": [token.audit_id],
        "user": {
            "id": token.user_id,
            "name": user.map(|u| u.name.clone()).unwrap_or_default(),
            "domain": domain_ref(user.map(|u| u.domain_id.as_str()).unwrap_or("default")),
            "password_expires_at": null
        }
    });
    if let Some(pid) = &token.project_id {
        let project = ks.projects.get(pid);
        body["is_domain"] = json!(false);
        body["project"] = json!({
            "id": pid,
            "name": project.map(|p| p.name.clone()).unwrap_or_default(),
            "domain": domain_ref(project.map(|p| p.domain_id.as_str()).unwrap_or("default")),
        });
        let roles: Vec<Value> = ks
            .roles_on(pid, &token.user_id)
            .iter()
            .map(|r| json!({"id": r.id, "name": r.name}))
            .collect();
        body["roles"] = json!(roles);
        if with_catalog {
            body["catalog"] = keystone_catalog(&st.base_url, pid, &st.config.region);
        }
    }
    json!({"token": body})
}
