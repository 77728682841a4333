//! A small client of the REST API as a tenant or an admin sees it: one
//! base URL, an optional token, JSON in and out, and answers that tell what
//! went wrong when they are not what a step expected.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use crate::stack::client;

#[derive(Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// One answer: its status, headers and body (`Value::Null` when empty or
/// not JSON).
#[derive(Debug)]
pub struct Reply {
    pub method: Method,
    pub path: String,
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The body, after checking the status; a mismatch panics naming the
    /// request and showing what came back.
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "{} {} answered {} instead of {status}: {}",
            self.method, self.path, self.status, self.body
        );
        self.body
    }

    /// The error code, after checking the status and the error shape.
    pub fn expect_error(self, status: u16) -> String {
        let request_id = self.header("x-request-id");
        let body = self.expect(status);
        let code = body["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code in {body}"));
        assert!(body["message"].is_string(), "no message in {body}");
        assert_eq!(
            body["request_id"].as_str(),
            request_id.as_deref(),
            "the error body carries the request id: {body}"
        );
        code.to_owned()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
}

impl Api {
    pub fn new(base: &str) -> Api {
        Api {
            http: client(),
            base: base.trim_end_matches('/').to_owned(),
            token: None,
        }
    }

    /// The same API, calling with `token`.
    pub fn with_token(&self, token: &str) -> Api {
        Api {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.call_with(method, path, body, &[]).await
    }

    pub async fn call_with(&self, method: Method, path: &str, body: Option<&Value>, headers: &[(&str, &str)]) -> Reply {
        self.try_call(method.clone(), path, body, headers)
            .await
            .unwrap_or_else(|e| panic!("{method} {path} failed: {e}"))
    }

    /// Like [`Api::call_with`], with a failure to get an answer at all
    /// (refused connection, timeout, cut body) as an error instead of a panic.
    pub async fn try_call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, reqwest::Error> {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply {
            method,
            path: path.to_owned(),
            status,
            headers,
            body,
        })
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(&body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    /// `POST /users`: the new user's id.
    pub async fn sign_up(&self, account_id: &str, name: &str, password: &str) -> i64 {
        let user = self
            .post(
                "/users",
                json!({"account_id": account_id, "name": name, "password": password}),
            )
            .await
            .expect(201);
        assert_eq!(user["account_id"], account_id);
        assert_eq!(user["role"], "member");
        assert!(user.get("password").is_none() && user.get("password_hash").is_none());
        user["id"].as_i64().unwrap_or_else(|| panic!("no id in {user}"))
    }

    /// `POST /auth/login`, scoped to `project_id` when given: the API acting
    /// with the new token, and the login's body.
    pub async fn login(&self, account_id: &str, password: &str, project_id: Option<i64>) -> (Api, Value) {
        let mut body = json!({"account_id": account_id, "password": password});
        if let Some(project_id) = project_id {
            body["project_id"] = json!(project_id);
        }
        let reply = self.post("/auth/login", body).await.expect(200);
        let token = reply["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token in {reply}"))
            .to_owned();
        (self.with_token(&token), reply)
    }
}

/// The `id` of a created resource.
pub fn id_of(body: &Value) -> i64 {
    body["id"].as_i64().unwrap_or_else(|| panic!("no id in {body}"))
}

/// The `id`s of a list's items.
pub fn ids_in(items: &Value) -> Vec<i64> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"))
        .iter()
        .map(id_of)
        .collect()
}
