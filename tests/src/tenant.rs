//! Accounts and projects made through the public API of a running stack:
//! the bootstrap admin's token, a project, a member of it logged in to it.

use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{Value, json};

use crate::stack::{ADMIN_ACCOUNT, ADMIN_PASSWORD, Stack, client};

pub const MEMBER_PASSWORD: &str = "member-password-e2e";

/// A logged-in caller of the API.
#[derive(Clone)]
pub struct Caller {
    pub api_url: String,
    pub token: String,
    pub user_id: i64,
    pub http: Client,
}

/// A project with one member logged in to it.
pub struct Tenant {
    pub project_id: i64,
    pub member: Caller,
}

impl Caller {
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.api_url))
            .bearer_auth(&self.token)
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Response {
        let mut req = self.request(method.clone(), path);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path} got no answer: {e}"))
    }

    /// Sends and expects `status`; answers the JSON body (`null` when empty).
    pub async fn expect(&self, method: Method, path: &str, body: Option<&Value>, status: u16) -> Value {
        let res = self.send(method.clone(), path, body).await;
        let got = res.status().as_u16();
        let text = res.text().await.unwrap_or_default();
        assert_eq!(got, status, "{method} {path}: {text}");
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{method} {path} answered no JSON ({e}): {text}"))
        }
    }

    pub async fn get_json(&self, path: &str) -> Value {
        self.expect(Method::GET, path, None, 200).await
    }
}

pub async fn login(api_url: &str, account: &str, password: &str, project_id: Option<i64>) -> Caller {
    let http = client();
    let mut body = json!({"account_id": account, "password": password});
    if let Some(p) = project_id {
        body["project_id"] = json!(p);
    }
    let res = http
        .post(format!("{api_url}/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("login of {account} got no answer: {e}"));
    let status = res.status();
    let text = res.text().await.unwrap_or_default();
    assert_eq!(status, 200, "login of {account}: {text}");
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("login answer is no JSON ({e}): {text}"));
    Caller {
        api_url: api_url.to_string(),
        token: v["token"].as_str().unwrap_or_default().to_string(),
        user_id: v["user"]["id"].as_i64().unwrap_or_default(),
        http,
    }
}

/// The bootstrap admin, with a token for no project (or for `project_id`).
pub async fn admin(stack: &Stack, project_id: Option<i64>) -> Caller {
    login(&stack.api_url, ADMIN_ACCOUNT, ADMIN_PASSWORD, project_id).await
}

/// An OpenStack project `name` with a new member `account` (4..20 of
/// `[a-z0-9_.-]`) logged in to it.
pub async fn tenant(stack: &Stack, admin: &Caller, name: &str, account: &str) -> Tenant {
    let project = admin
        .expect(Method::POST, "/projects", Some(&json!({"name": name})), 201)
        .await;
    let project_id = project["id"].as_i64().unwrap_or_default();
    let user = admin
        .expect(
            Method::POST,
            "/users",
            Some(&json!({"account_id": account, "name": account, "password": MEMBER_PASSWORD})),
            201,
        )
        .await;
    let user_id = user["id"].as_i64().unwrap_or_default();
    admin
        .expect(
            Method::POST,
            &format!("/projects/{project_id}/users/{user_id}"),
            None,
            204,
        )
        .await;
    let member = login(&stack.api_url, account, MEMBER_PASSWORD, Some(project_id)).await;
    Tenant { project_id, member }
}
