//! Users: views, create, update, password change, the projects a user belongs to.
use serde_json::{Value, json};

use super::admin::{conflict, not_found};
use super::store::User;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, bool_field, str_field, string_field};
use crate::http::response::Resp;
use crate::state::State;

pub fn user_view(root: &str, u: &User) -> Value {
    let mut v = json!({
        "id": u.id, "name": u.name, "domain_id": u.domain_id, "enabled": u.enabled,
        "password_expires_at": null, "options": {},
        "links": {"self": format!("{root}/users/{}", u.id)}
    });
    if let Some(p) = &u.default_project_id {
        v["default_project_id"] = json!(p);
    }
    if let Value::Object(m) = &mut v {
        for (k, val) in &u.extra {
            m.insert(k.clone(), val.clone());
        }
    }
    v
}

pub fn user_projects(st: &State, root: &str, user_id: &str) -> Vec<Value> {
    let ks = &st.keystone;
    let mut ids: Vec<&String> = ks
        .assignments
        .iter()
        .filter(|(_, u, _)| u == user_id)
        .map(|(p, _, _)| p)
        .collect();
    ids.dedup();
    ids.iter()
        .filter_map(|p| ks.projects.get(*p))
        .map(|p| super::projects::project_view(root, p))
        .collect()
}

pub fn change_password(st: &mut State, req: &Req, user_id: &str) -> ApiResult<Resp> {
    let body = req.json_object("user")?;
    let original = str_field(&body, "original_password").unwrap_or("");
    let new = str_field(&body, "password").ok_or_else(|| ApiError::bad_request("'password' is a required property"))?;
    let user = st
        .keystone
        .users
        .get_mut(user_id)
        .ok_or_else(|| not_found("user", user_id))?;
    if user.password != original {
        return Err(ApiError::unauthorized());
    }
    user.password = new.to_string();
    st.keystone.revoke_user(user_id);
    Ok(Resp::empty(204))
}

pub fn create_user(st: &mut State, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("user")?;
    let name = string_field(&body, "name").ok_or_else(|| ApiError::bad_request("'name' is a required property"))?;
    let domain_id = string_field(&body, "domain_id").unwrap_or_else(|| "default".into());
    if !st.keystone.domains.contains_key(&domain_id) {
        return Err(not_found("domain", &domain_id));
    }
    if st
        .keystone
        .users
        .values()
        .any(|u| u.name == name && u.domain_id == domain_id)
    {
        return Err(conflict("user", &name));
    }
    let password = string_field(&body, "password").unwrap_or_default();
    let id = st.keystone.add_user(&name, &domain_id, &password);
    let known = ["name", "domain_id", "password", "enabled", "default_project_id", "id"];
    if let Some(u) = st.keystone.users.get_mut(&id) {
        u.enabled = bool_field(&body, "enabled").unwrap_or(true);
        u.default_project_id = string_field(&body, "default_project_id");
        if let Value::Object(m) = &body {
            for (k, v) in m {
                if !known.contains(&k.as_str()) {
                    u.extra.insert(k.clone(), v.clone());
                }
            }
        }
    }
    st.keystone.count("user.create");
    let u = st.keystone.users.get(&id).ok_or_else(|| not_found("user", &id))?;
    Ok(Resp::json(201, json!({"user": user_view(&req.root, u)})))
}

pub fn update_user(st: &mut State, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("user")?;
    let ks = &mut st.keystone;
    let domain = ks
        .users
        .get(id)
        .map(|u| u.domain_id.clone())
        .ok_or_else(|| not_found("user", id))?;
    if let Some(name) = str_field(&body, "name")
        && ks
            .users
            .values()
            .any(|u| u.id != id && u.name == name && u.domain_id == domain)
    {
        return Err(conflict("user", name));
    }
    let mut revoke = false;
    if let Some(u) = ks.users.get_mut(id) {
        if let Some(name) = string_field(&body, "name") {
            u.name = name;
        }
        if let Some(p) = string_field(&body, "password") {
            u.password = p;
            revoke = true;
        }
        if let Some(e) = bool_field(&body, "enabled") {
            u.enabled = e;
            revoke |= !e;
        }
        if body.get("default_project_id").is_some() {
            u.default_project_id = string_field(&body, "default_project_id");
        }
        for k in ["description", "email"] {
            if let Some(v) = body.get(k) {
                u.extra.insert(k.to_string(), v.clone());
            }
        }
    }
    if revoke {
        ks.revoke_user(id);
    }
    let u = ks.users.get(id).ok_or_else(|| not_found("user", id))?;
    Ok(Resp::ok(json!({"user": user_view(&req.root, u)})))
}
