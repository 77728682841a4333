//! Users, projects, domains, roles and role assignments.
use serde_json::{Map, Value, json};

use super::require_admin;
use super::store::{Project, User, ValidToken};
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, bool_field, str_field, string_field};
use crate::http::response::Resp;
use crate::state::State;

fn not_found(kind: &str, id: &str) -> ApiError {
    ApiError::not_found("NotFound", &format!("Could not find {kind}: {id}."))
}

fn conflict(kind: &str, name: &str) -> ApiError {
    ApiError::conflict(
        "Conflict",
        &format!("Conflict occurred attempting to store {kind} - Duplicate entry found with name {name}."),
    )
}

fn user_view(root: &str, u: &User) -> Value {
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

fn project_view(root: &str, p: &Project) -> Value {
    json!({
        "id": p.id, "name": p.name, "domain_id": p.domain_id, "description": p.description,
        "enabled": p.enabled, "is_domain": false, "parent_id": p.parent_id, "tags": p.tags,
        "options": {}, "links": {"self": format!("{root}/projects/{}", p.id)}
    })
}

/// Filters by `name`, `domain_id`, `enabled`, then applies limit/marker with keystone's `links`.
fn collection(req: &Req, key: &str, items: Vec<Value>) -> ApiResult<Resp> {
    let mut items: Vec<Value> = items
        .into_iter()
        .filter(|v| {
            ["name", "domain_id", "enabled", "id"].iter().all(|k| match req.q(k) {
                None => true,
                Some(want) => match v.get(*k) {
                    Some(Value::Bool(b)) => want.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
                    Some(Value::String(s)) => s == want,
                    _ => false,
                },
            })
        })
        .collect();
    let mut next = Value::Null;
    if let Some(m) = req.q("marker") {
        let pos = items
            .iter()
            .position(|v| v.get("id").and_then(Value::as_str) == Some(m))
            .ok_or_else(|| ApiError::bad_request(&format!("marker {m} not found")))?;
        items.drain(..=pos);
    }
    if let Some(limit) = req.limit()?
        && items.len() > limit
    {
        items.truncate(limit);
        if let Some(last) = items.last().and_then(|v| v.get("id")).and_then(Value::as_str) {
            next = json!(format!("{}/{key}?limit={limit}&marker={last}", req.root));
        }
    }
    let mut body = Map::new();
    body.insert(key.to_string(), Value::Array(items));
    body.insert(
        "links".into(),
        json!({"self": format!("{}/{key}", req.root), "next": next, "previous": null}),
    );
    Ok(Resp::ok(Value::Object(body)))
}

pub fn auth_projects(st: &mut State, req: &Req) -> ApiResult<Resp> {
    let caller = super::caller(st, req)?;
    let items = user_projects(st, &req.root, &caller.token.user_id);
    collection(req, "projects", items)
}

fn user_projects(st: &State, root: &str, user_id: &str) -> Vec<Value> {
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
        .map(|p| project_view(root, p))
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

pub fn handle(st: &mut State, req: &Req, caller: &ValidToken, m: &str, segs: &[&str]) -> ApiResult<Resp> {
    let root = req.root.clone();
    match (m, segs) {
        ("GET", ["users"]) => {
            require_admin(caller, "list_users")?;
            let items = st.keystone.users.values().map(|u| user_view(&root, u)).collect();
            collection(req, "users", items)
        }
        ("POST", ["users"]) => {
            require_admin(caller, "create_user")?;
            create_user(st, req)
        }
        ("GET", ["users", id]) => {
            if caller.token.user_id != *id {
                require_admin(caller, "get_user")?;
            }
            let u = st.keystone.users.get(*id).ok_or_else(|| not_found("user", id))?;
            Ok(Resp::ok(json!({"user": user_view(&root, u)})))
        }
        ("PATCH", ["users", id]) => {
            require_admin(caller, "update_user")?;
            update_user(st, req, id)
        }
        ("DELETE", ["users", id]) => {
            require_admin(caller, "delete_user")?;
            st.keystone.users.remove(*id).ok_or_else(|| not_found("user", id))?;
            st.keystone.assignments.retain(|(_, u, _)| u != id);
            st.keystone.revoke_user(id);
            st.keystone.count("user.delete");
            Ok(Resp::empty(204))
        }
        ("GET", ["users", id, "projects"]) => {
            if caller.token.user_id != *id {
                require_admin(caller, "list_user_projects")?;
            }
            if !st.keystone.users.contains_key(*id) {
                return Err(not_found("user", id));
            }
            let items = user_projects(st, &root, id);
            collection(req, "projects", items)
        }
        ("GET", ["projects"]) => {
            require_admin(caller, "list_projects")?;
            let items = st.keystone.projects.values().map(|p| project_view(&root, p)).collect();
            collection(req, "projects", items)
        }
        ("POST", ["projects"]) => {
            require_admin(caller, "create_project")?;
            create_project(st, req)
        }
        ("GET", ["projects", id]) => {
            if caller.token.project_id.as_deref() != Some(*id) {
                require_admin(caller, "get_project")?;
            }
            let p = st.keystone.projects.get(*id).ok_or_else(|| not_found("project", id))?;
            Ok(Resp::ok(json!({"project": project_view(&root, p)})))
        }
        ("PATCH", ["projects", id]) => {
            require_admin(caller, "update_project")?;
            update_project(st, req, id)
        }
        ("DELETE", ["projects", id]) => {
            require_admin(caller, "delete_project")?;
            st.keystone
                .projects
                .remove(*id)
                .ok_or_else(|| not_found("project", id))?;
            st.keystone.assignments.retain(|(p, _, _)| p != id);
            st.keystone.count("project.delete");
            Ok(Resp::empty(204))
        }
        ("GET", ["projects", p, "users", u, "roles"]) => {
            require_admin(caller, "list_grants")?;
            check_pu(st, p, u)?;
            let roles: Vec<Value> = st
                .keystone
                .roles_on(p, u)
                .iter()
                .map(|r| role_view(&root, &r.id, &r.name))
                .collect();
            Ok(Resp::ok(
                json!({"roles": roles, "links": {"self": format!("{root}/projects/{p}/users/{u}/roles"), "next": null, "previous": null}}),
            ))
        }
        ("PUT" | "HEAD" | "DELETE", ["projects", p, "users", u, "roles", r]) => {
            require_admin(caller, "create_grant")?;
            check_pu(st, p, u)?;
            if !st.keystone.roles.contains_key(*r) {
                return Err(not_found("role", r));
            }
            let key = (p.to_string(), u.to_string(), r.to_string());
            match m {
                "PUT" => {
                    st.keystone.assignments.insert(key);
                    st.keystone.count("role_assignment.create");
                    Ok(Resp::empty(204))
                }
                "HEAD" if st.keystone.assignments.contains(&key) => Ok(Resp::empty(204)),
                "DELETE" if st.keystone.assignments.remove(&key) => Ok(Resp::empty(204)),
                _ => Err(ApiError::not_found(
                    "RoleAssignmentNotFound",
                    &format!(
                        "Could not find role assignment with role: {r}, user or group: {u}, project, domain, or system: {p}."
                    ),
                )),
            }
        }
        ("GET", ["domains"]) => {
            require_admin(caller, "list_domains")?;
            let items = st
                .keystone
                .domains
                .values()
                .map(|d| json!({"id": d.id, "name": d.name, "description": d.description, "enabled": d.enabled, "tags": [], "options": {}, "links": {"self": format!("{root}/domains/{}", d.id)}}))
                .collect();
            collection(req, "domains", items)
        }
        ("GET", ["domains", id]) => {
            let d = st.keystone.domains.get(*id).ok_or_else(|| not_found("domain", id))?;
            Ok(Resp::ok(
                json!({"domain": {"id": d.id, "name": d.name, "description": d.description, "enabled": d.enabled, "tags": [], "options": {}, "links": {"self": format!("{root}/domains/{}", d.id)}}}),
            ))
        }
        ("GET", ["roles"]) => {
            let items = st
                .keystone
                .roles
                .values()
                .map(|r| role_view(&root, &r.id, &r.name))
                .collect();
            collection(req, "roles", items)
        }
        ("GET", ["roles", id]) => {
            let r = st.keystone.roles.get(*id).ok_or_else(|| not_found("role", id))?;
            Ok(Resp::ok(json!({"role": role_view(&root, &r.id, &r.name)})))
        }
        ("GET", ["role_assignments"]) => {
            require_admin(caller, "list_role_assignments")?;
            role_assignments(st, req)
        }
        _ => Err(ApiError::not_found("NotFound", "The resource could not be found.")),
    }
}

fn role_view(root: &str, id: &str, name: &str) -> Value {
    json!({"id": id, "name": name, "description": null, "domain_id": null, "options": {}, "links": {"self": format!("{root}/roles/{id}")}})
}

fn check_pu(st: &State, p: &str, u: &str) -> ApiResult<()> {
    if !st.keystone.projects.contains_key(p) {
        return Err(not_found("project", p));
    }
    if !st.keystone.users.contains_key(u) {
        return Err(not_found("user", u));
    }
    Ok(())
}

fn role_assignments(st: &State, req: &Req) -> ApiResult<Resp> {
    let ks = &st.keystone;
    let names = req.has_q("include_names");
    let items: Vec<Value> = ks
        .assignments
        .iter()
        .filter(|(p, u, r)| {
            req.q("scope.project.id").is_none_or(|x| x == p)
                && req.q("user.id").is_none_or(|x| x == u)
                && req.q("role.id").is_none_or(|x| x == r)
        })
        .map(|(p, u, r)| {
            let mut v = json!({
                "role": {"id": r}, "user": {"id": u}, "scope": {"project": {"id": p}},
                "links": {"assignment": format!("{}/projects/{p}/users/{u}/roles/{r}", req.root)}
            });
            if names {
                v["role"]["name"] = json!(ks.roles.get(r).map(|x| x.name.clone()));
                v["user"]["name"] = json!(ks.users.get(u).map(|x| x.name.clone()));
                v["scope"]["project"]["name"] = json!(ks.projects.get(p).map(|x| x.name.clone()));
            }
            v
        })
        .collect();
    Ok(Resp::ok(
        json!({"role_assignments": items, "links": {"self": format!("{}/role_assignments", req.root), "next": null, "previous": null}}),
    ))
}

fn create_user(st: &mut State, req: &Req) -> ApiResult<Resp> {
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

fn update_user(st: &mut State, req: &Req, id: &str) -> ApiResult<Resp> {
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

fn create_project(st: &mut State, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("project")?;
    let name = string_field(&body, "name").ok_or_else(|| ApiError::bad_request("'name' is a required property"))?;
    let domain_id = string_field(&body, "domain_id").unwrap_or_else(|| "default".into());
    if !st.keystone.domains.contains_key(&domain_id) {
        return Err(not_found("domain", &domain_id));
    }
    if st
        .keystone
        .projects
        .values()
        .any(|p| p.name == name && p.domain_id == domain_id)
    {
        return Err(conflict("project", &name));
    }
    let description = string_field(&body, "description").unwrap_or_default();
    let id = st.keystone.add_project(&name, &domain_id, &description);
    if let Some(p) = st.keystone.projects.get_mut(&id) {
        p.enabled = bool_field(&body, "enabled").unwrap_or(true);
        if let Some(parent) = string_field(&body, "parent_id") {
            p.parent_id = Some(parent);
        }
        if let Some(tags) = body.get("tags").and_then(Value::as_array) {
            p.tags = tags.iter().filter_map(Value::as_str).map(str::to_string).collect();
        }
    }
    st.keystone.count("project.create");
    if let Some(cloud) = st.openstack() {
        cloud.ensure_project(&id);
    }
    let p = st.keystone.projects.get(&id).ok_or_else(|| not_found("project", &id))?;
    Ok(Resp::json(201, json!({"project": project_view(&req.root, p)})))
}

fn update_project(st: &mut State, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("project")?;
    let ks = &mut st.keystone;
    let domain = ks
        .projects
        .get(id)
        .map(|p| p.domain_id.clone())
        .ok_or_else(|| not_found("project", id))?;
    if let Some(name) = str_field(&body, "name")
        && ks
            .projects
            .values()
            .any(|p| p.id != id && p.name == name && p.domain_id == domain)
    {
        return Err(conflict("project", name));
    }
    if let Some(p) = ks.projects.get_mut(id) {
        if let Some(name) = string_field(&body, "name") {
            p.name = name;
        }
        if let Some(d) = string_field(&body, "description") {
            p.description = d;
        }
        if let Some(e) = bool_field(&body, "enabled") {
            p.enabled = e;
        }
        if let Some(tags) = body.get("tags").and_then(Value::as_array) {
            p.tags = tags.iter().filter_map(Value::as_str).map(str::to_string).collect();
        }
    }
    let p = ks.projects.get(id).ok_or_else(|| not_found("project", id))?;
    Ok(Resp::ok(json!({"project": project_view(&req.root, p)})))
}
