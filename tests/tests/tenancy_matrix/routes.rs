//! The project-scoped routes of the OpenAPI document: every path + method
//! with a path parameter naming a project resource, with what a valid call
//! needs (body, required query, headers). Anything the matrix cannot
//! classify is reported, so a new route cannot slip past it.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Server,
    Volume,
    SecurityGroup,
    FloatingIp,
    NetworkInterface,
}

impl Kind {
    /// The owner's GET of one resource of this kind.
    pub fn detail_path(self, id: i64) -> String {
        match self {
            Kind::Server => format!("/servers/{id}"),
            Kind::Volume => format!("/volumes/{id}"),
            Kind::SecurityGroup => format!("/security-groups/{id}"),
            Kind::FloatingIp => format!("/floating-ips/{id}"),
            Kind::NetworkInterface => format!("/network-interfaces/{id}"),
        }
    }
}

/// Path parameters that name a project resource.
const SCOPED_PARAMS: &[(&str, Kind)] = &[
    ("server_id", Kind::Server),
    ("volume_id", Kind::Volume),
    ("security_group_id", Kind::SecurityGroup),
    ("floating_ip_id", Kind::FloatingIp),
    ("network_interface_id", Kind::NetworkInterface),
];

/// Paths of project resources start with one of these.
const SCOPED_PREFIXES: &[&str] = &[
    "/servers/",
    "/volumes/",
    "/security-groups/",
    "/floating-ips/",
    "/network-interfaces/",
];

/// Routes with path parameters that are not project resources: accounts,
/// projects themselves (their tenancy is tested in api_server's projects
/// tests), admin audit across projects, the docs page.
const UNSCOPED_PREFIXES: &[&str] = &["/users/", "/projects/", "/admin/", "/docs/"];

/// A valid body per operation that takes one, so a leak would really change
/// something (rename, grow, replace the rules).
fn example_body(method: &Method, path: &str) -> Option<Value> {
    let info = json!({"name": "taken-over", "description": "changed by another project"});
    match (method.as_str(), path) {
        ("PUT", "/servers/{server_id}/info") | ("PUT", "/volumes/{volume_id}/info") => Some(info),
        ("PUT", "/volumes/{volume_id}/size") => Some(json!({"size": 64})),
        ("PUT", "/security-groups/{security_group_id}") => Some(json!({
            "name": "taken-over", "description": "changed by another project",
            "rules": [{"protocol": "tcp", "ether_type": "IPv4", "direction": "ingress",
                       "port_range_min": 1, "port_range_max": 65535, "remote_ip_prefix": "0.0.0.0/0"}]})),
        _ => None,
    }
}

/// Required query parameters per operation (a leak would stop the server).
fn example_query(method: &Method, path: &str, name: &str) -> Option<&'static str> {
    match (method.as_str(), path, name) {
        ("PUT", "/servers/{server_id}/status", "status") => Some("SHUTOFF"),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    pub template: String,
    /// Path parameters in the order of the template.
    pub params: Vec<(String, Kind)>,
    pub query: Vec<(String, &'static str)>,
    pub body: Option<Value>,
    pub if_match: bool,
    pub idempotency_key: bool,
}

impl Route {
    pub fn path(&self, ids: &[i64]) -> String {
        let mut path = self.template.clone();
        for ((name, _), id) in self.params.iter().zip(ids) {
            path = path.replace(&format!("{{{name}}}"), &id.to_string());
        }
        if !self.query.is_empty() {
            let q: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            path = format!("{path}?{}", q.join("&"));
        }
        path
    }
}

/// The project-scoped routes of `doc`, or every reason the matrix cannot
/// cover a route of it.
pub fn scoped_routes(doc: &Value) -> Result<Vec<Route>, Vec<String>> {
    let mut routes = Vec::new();
    let mut problems = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return Err(vec!["the document has no paths".into()]);
    };
    for (template, item) in paths {
        let Some(ops) = item.as_object() else { continue };
        for (method, op) in ops {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            if method == Method::OPTIONS || method == Method::HEAD || !op.is_object() {
                continue;
            }
            match classify(&method, template, op) {
                Ok(Some(route)) => routes.push(route),
                Ok(None) => {}
                Err(mut p) => problems.append(&mut p),
            }
        }
    }
    if problems.is_empty() { Ok(routes) } else { Err(problems) }
}

fn classify(method: &Method, template: &str, op: &Value) -> Result<Option<Route>, Vec<String>> {
    let name = format!("{method} {template}");
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let in_template: Vec<String> = template
        .split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect();
    if in_template.is_empty() {
        return Ok(None);
    }
    let scoped = SCOPED_PREFIXES.iter().any(|p| template.starts_with(p));
    if !scoped {
        if UNSCOPED_PREFIXES.iter().any(|p| template.starts_with(p)) {
            return Ok(None);
        }
        return Err(vec![format!(
            "{name}: a path parameter on a route that is neither a project resource nor listed as unscoped"
        )]);
    }
    let mut problems = Vec::new();
    let documented: BTreeSet<&str> = params
        .iter()
        .filter(|p| p["in"] == "path")
        .filter_map(|p| p["name"].as_str())
        .collect();
    let mut kinds = Vec::new();
    for p in &in_template {
        if !documented.contains(p.as_str()) {
            problems.push(format!("{name}: path parameter {p} is not documented"));
        }
        match SCOPED_PARAMS.iter().find(|(n, _)| n == p) {
            Some((_, kind)) => kinds.push((p.clone(), *kind)),
            None => problems.push(format!("{name}: path parameter {p} names no known resource kind")),
        }
    }
    let mut query = Vec::new();
    for p in params
        .iter()
        .filter(|p| p["in"] == "query" && p["required"] == json!(true))
    {
        let q = p["name"].as_str().unwrap_or_default();
        match example_query(method, template, q) {
            Some(v) => query.push((q.to_string(), v)),
            None => problems.push(format!("{name}: required query parameter {q} has no example")),
        }
    }
    let body = if op.get("requestBody").is_some() {
        let body = example_body(method, template);
        if body.is_none() {
            problems.push(format!("{name}: takes a body but has no example body"));
        }
        body
    } else {
        None
    };
    let header = |h: &str| {
        params
            .iter()
            .any(|p| p["in"] == "header" && p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(h)))
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Some(Route {
        method: method.clone(),
        template: template.to_string(),
        params: kinds,
        query,
        body,
        if_match: header("If-Match"),
        idempotency_key: header("Idempotency-Key"),
    }))
}
