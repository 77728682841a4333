//! Identity management: Keystone v3 users, projects and role grants.

use serde_json::{Map, Value, json};

use super::wire::*;
use crate::infrastructure::cloud::error::{CloudError, CloudResult, CloudService};
use crate::infrastructure::cloud::model::*;
use crate::infrastructure::cloud::session::{Req, Session};

const S: CloudService = CloudService::Identity;

fn project_record(v: &Value) -> CloudResult<CloudProjectRecord> {
    Ok(CloudProjectRecord {
        id: required_str(S, v, "id")?,
        name: str_field(v, "name").unwrap_or_default(),
        domain_id: str_field(v, "domain_id").unwrap_or_default(),
    })
}

pub(crate) async fn create_project(
    s: &Session,
    domain_id: &str,
    r: &CreateProjectRequest,
) -> CloudResult<CloudProjectRecord> {
    let body = json!({ "project": {
        "name": r.name,
        "domain_id": domain_id,
        "description": r.description.clone().unwrap_or_default(),
        "enabled": true,
    }});
    let v: Value = s.json(&Req::post(S, "/projects", "/projects".into(), body)).await?;
    project_record(&unwrap_key(S, v, "project")?)
}

pub(crate) async fn find_project(s: &Session, domain_id: &str, name: &str) -> CloudResult<Option<CloudProjectRecord>> {
    let v: Value = s
        .json(
            &Req::get(S, "/projects", "/projects".into())
                .query("name", name)
                .query("domain_id", domain_id),
        )
        .await?;
    array(&v, "projects")
        .iter()
        .find(|p| str_field(p, "name").as_deref() == Some(name))
        .map(project_record)
        .transpose()
}

pub(crate) async fn rename_project(s: &Session, id: &str, name: &str) -> CloudResult<()> {
    s.empty(&Req::patch(
        S,
        "/projects/{id}",
        format!("/projects/{}", seg(id)),
        json!({ "project": { "name": name } }),
    ))
    .await
}

pub(crate) async fn delete_project(s: &Session, id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(S, "/projects/{id}", format!("/projects/{}", seg(id))))
        .await
}

pub(crate) async fn create_user(s: &Session, domain_id: &str, r: &CreateUserRequest) -> CloudResult<CloudUserRecord> {
    let mut user = Map::new();
    user.insert("name".into(), json!(r.name));
    user.insert("domain_id".into(), json!(domain_id));
    user.insert("password".into(), json!(r.password.expose()));
    user.insert("enabled".into(), json!(true));
    if let Some(p) = &r.default_project_id {
        user.insert("default_project_id".into(), json!(p));
    }
    if let Some(d) = &r.description {
        user.insert("description".into(), json!(d));
    }
    let v: Value = s
        .json(&Req::post(S, "/users", "/users".into(), json!({ "user": user })))
        .await?;
    let u = unwrap_key(S, v, "user")?;
    Ok(CloudUserRecord {
        id: required_str(S, &u, "id")?,
        name: str_field(&u, "name").unwrap_or_default(),
        domain_id: str_field(&u, "domain_id").unwrap_or_default(),
    })
}

pub(crate) async fn delete_user(s: &Session, id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(S, "/users/{id}", format!("/users/{}", seg(id))))
        .await
}

pub(crate) async fn role_id(s: &Session, name: &str) -> CloudResult<String> {
    let v: Value = s
        .json(&Req::get(S, "/roles", "/roles".into()).query("name", name))
        .await?;
    array(&v, "roles")
        .iter()
        .find(|r| str_field(r, "name").as_deref() == Some(name))
        .and_then(|r| str_field(r, "id"))
        .ok_or_else(|| {
            CloudError::NotFound(crate::infrastructure::cloud::error::ErrorDetail::local(
                S,
                format!("role {name} does not exist"),
            ))
        })
}

fn grant_path(project_id: &str, user_id: &str, role_id: &str) -> String {
    format!(
        "/projects/{}/users/{}/roles/{}",
        seg(project_id),
        seg(user_id),
        seg(role_id)
    )
}

pub(crate) async fn assign_role(s: &Session, project_id: &str, user_id: &str, role_id: &str) -> CloudResult<()> {
    s.empty(&Req::put_empty(
        S,
        "/projects/{project_id}/users/{user_id}/roles/{role_id}",
        grant_path(project_id, user_id, role_id),
    ))
    .await
}

pub(crate) async fn unassign_role(s: &Session, project_id: &str, user_id: &str, role_id: &str) -> CloudResult<()> {
    s.empty(&Req::delete(
        S,
        "/projects/{project_id}/users/{user_id}/roles/{role_id}",
        grant_path(project_id, user_id, role_id),
    ))
    .await
}
