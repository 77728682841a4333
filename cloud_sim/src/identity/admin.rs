//! Routing of the identity admin API; domains, roles and role assignments.
use serde_json::{Map, Value, json};

use super::projects::{create_project, project_view, update_project};
use super::require_admin;
use super::store::ValidToken;
use super::users::{create_user, update_user, user_projects, user_view};
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, bool_field, string_field};
use crate::http::response::Resp;
use crate::state::State;

pub fn not_found(kind: &str, id: &str) -> ApiError {
    ApiError::not_found("NotFound", &format!("Could not find {kind}: {id}."))
}

pub fn conflict(kind: &str, name: &str) -> ApiError {
    ApiError::conflict(
        "Conflict",
        &format!("Conflict occurred attempting to store {kind} - Duplicate entry found with name {name}."),
    )
}

/// Filters by `name`, `domain_id`, `enabled`, then applies limit/marker with keystone's `links`.
pub fn collection(req: &Req, key: &str, items: Vec<Value>) -> ApiResult<Resp> {
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
        ("POST", ["domains"]) => {
            require_admin(caller, "create_domain")?;
            create_domain(st, req)
        }
        ("PATCH", ["domains", id]) => {
            require_admin(caller, "update_domain")?;
            update_domain(st, req, id)
        }
        ("DELETE", ["domains", id]) => {
            require_admin(caller, "delete_domain")?;
            let d = st.keystone.domains.get(*id).ok_or_else(|| not_found("domain", id))?;
            if d.enabled {
                return Err(ApiError::forbidden(
                    "Cannot delete a domain that is enabled, please disable it first.",
                ));
            }
            st.keystone.domains.remove(*id);
            Ok(Resp::empty(204))
        }
        ("POST", ["roles"]) => {
            require_admin(caller, "create_role")?;
            let body = req.json_object("role")?;
            let name =
                string_field(&body, "name").ok_or_else(|| ApiError::bad_request("'name' is a required property"))?;
            if st.keystone.role_id(&name).is_some() {
                return Err(conflict("role", &name));
            }
            let id = st.keystone.add_role(&name);
            Ok(Resp::json(201, json!({"role": role_view(&root, &id, &name)})))
        }
        ("DELETE", ["roles", id]) => {
            require_admin(caller, "delete_role")?;
            st.keystone.roles.remove(*id).ok_or_else(|| not_found("role", id))?;
            st.keystone.assignments.retain(|(_, _, r)| r != id);
            Ok(Resp::empty(204))
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

fn domain_view(root: &str, d: &super::store::Domain) -> Value {
    json!({"id": d.id, "name": d.name, "description": d.description, "enabled": d.enabled, "tags": [], "options": {},
           "links": {"self": format!("{root}/domains/{}", d.id)}})
}

fn create_domain(st: &mut State, req: &Req) -> ApiResult<Resp> {
    let body = req.json_object("domain")?;
    let name = string_field(&body, "name").ok_or_else(|| ApiError::bad_request("'name' is a required property"))?;
    if st.keystone.domains.values().any(|d| d.name == name) {
        return Err(conflict("domain", &name));
    }
    let id = st.keystone.id();
    let domain = super::store::Domain {
        id: id.clone(),
        name,
        description: string_field(&body, "description").unwrap_or_default(),
        enabled: bool_field(&body, "enabled").unwrap_or(true),
    };
    let view = domain_view(&req.root, &domain);
    st.keystone.domains.insert(id, domain);
    Ok(Resp::json(201, json!({"domain": view})))
}

fn update_domain(st: &mut State, req: &Req, id: &str) -> ApiResult<Resp> {
    let body = req.json_object("domain")?;
    let d = st.keystone.domains.get_mut(id).ok_or_else(|| not_found("domain", id))?;
    if let Some(name) = string_field(&body, "name") {
        d.name = name;
    }
    if let Some(desc) = string_field(&body, "description") {
        d.description = desc;
    }
    if let Some(e) = bool_field(&body, "enabled") {
        d.enabled = e;
    }
    Ok(Resp::ok(json!({"domain": domain_view(&req.root, d)})))
}
