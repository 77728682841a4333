//! Projects: views, create (which provisions the tenant network), update.
use serde_json::{Value, json};

use super::admin::{conflict, not_found};
use super::store::Project;
use crate::http::error::{ApiError, ApiResult};
use crate::http::request::{Req, bool_field, str_field, string_field};
use crate::http::response::Resp;
use crate::state::State;

pub fn project_view(root: &str, p: &Project) -> Value {
    json!({
        "id": p.id, "name": p.name, "domain_id": p.domain_id, "description": p.description,
        "enabled": p.enabled, "is_domain": false, "parent_id": p.parent_id, "tags": p.tags,
        "options": {}, "links": {"self": format!("{root}/projects/{}", p.id)}
    })
}

pub fn create_project(st: &mut State, req: &Req) -> ApiResult<Resp> {
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

pub fn update_project(st: &mut State, req: &Req, id: &str) -> ApiResult<Resp> {
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
