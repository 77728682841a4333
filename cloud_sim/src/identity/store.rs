//! Keystone's records: domains, projects, users, roles, assignments and issued tokens.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::state::rng::SimRng;
use crate::time_fmt::Ts;

#[derive(Debug, Clone)]
pub struct Domain {
    pub id: String,
    pub name: String,
    pub description: String,
    pub enabled: bool,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub domain_id: String,
    pub description: String,
    pub enabled: bool,
    pub parent_id: Option<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub name: String,
    pub domain_id: String,
    pub password: String,
    pub enabled: bool,
    pub default_project_id: Option<String>,
    /// Attributes keystone round-trips as given (email, description, ...).
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub id: String,
    pub user_id: String,
    pub project_id: Option<String>,
    pub issued_at: Ts,
    pub expires_at: Ts,
    pub audit_id: String,
    pub revoked: bool,
}

/// A token that passed validation, with the roles the user holds *now*.
#[derive(Debug, Clone)]
pub struct ValidToken {
    pub token: Token,
    pub roles: Vec<Role>,
}

impl ValidToken {
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r.name == "admin")
    }
}

pub struct Keystone {
    pub rng: SimRng,
    pub domains: BTreeMap<String, Domain>,
    pub projects: BTreeMap<String, Project>,
    pub users: BTreeMap<String, User>,
    pub roles: BTreeMap<String, Role>,
    /// (project_id, user_id, role_id)
    pub assignments: BTreeSet<(String, String, String)>,
    pub tokens: HashMap<String, Token>,
    pub ttl: chrono::Duration,
    pub counters: BTreeMap<String, u64>,
    pub service_user_id: String,
    pub service_project_id: String,
}

impl Keystone {
    pub fn new(rng: SimRng, ttl: std::time::Duration) -> Self {
        Keystone {
            rng,
            domains: BTreeMap::new(),
            projects: BTreeMap::new(),
            users: BTreeMap::new(),
            roles: BTreeMap::new(),
            assignments: BTreeSet::new(),
            tokens: HashMap::new(),
            ttl: chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::hours(1)),
            counters: BTreeMap::new(),
            service_user_id: String::new(),
            service_project_id: String::new(),
        }
    }

    pub fn count(&mut self, name: &str) {
        *self.counters.entry(name.to_string()).or_insert(0) += 1;
    }

    pub fn id(&mut self) -> String {
        self.rng.hex(32)
    }

    pub fn add_role(&mut self, name: &str) -> String {
        let id = self.id();
        self.roles.insert(
            id.clone(),
            Role {
                id: id.clone(),
                name: name.to_string(),
                description: None,
            },
        );
        id
    }

    pub fn add_project(&mut self, name: &str, domain_id: &str, description: &str) -> String {
        let id = self.id();
        self.projects.insert(
            id.clone(),
            Project {
                id: id.clone(),
                name: name.to_string(),
                domain_id: domain_id.to_string(),
                description: description.to_string(),
                enabled: true,
                parent_id: Some(domain_id.to_string()),
                tags: Vec::new(),
            },
        );
        id
    }

    pub fn add_user(&mut self, name: &str, domain_id: &str, password: &str) -> String {
        let id = self.id();
        self.users.insert(
            id.clone(),
            User {
                id: id.clone(),
                name: name.to_string(),
                domain_id: domain_id.to_string(),
                password: password.to_string(),
                enabled: true,
                default_project_id: None,
                extra: Map::new(),
            },
        );
        id
    }

    pub fn role_id(&self, name: &str) -> Option<String> {
        self.roles.values().find(|r| r.name == name).map(|r| r.id.clone())
    }

    pub fn roles_on(&self, project_id: &str, user_id: &str) -> Vec<Role> {
        self.assignments
            .iter()
            .filter(|(p, u, _)| p == project_id && u == user_id)
            .filter_map(|(_, _, r)| self.roles.get(r).cloned())
            .collect()
    }

    pub fn issue(&mut self, user_id: &str, project_id: Option<&str>, now: Ts) -> Token {
        let id = format!("gAAAAAB{}", self.rng.hex(176));
        let audit_id = self.rng.hex(22);
        let token = Token {
            id: id.clone(),
            user_id: user_id.to_string(),
            project_id: project_id.map(str::to_string),
            issued_at: now,
            expires_at: now + self.ttl,
            audit_id,
            revoked: false,
        };
        self.tokens.insert(id, token.clone());
        token
    }

    /// Valid = known, not revoked, not expired, user enabled, and (if scoped) the user still has a role there.
    pub fn validate(&self, token_id: &str, now: Ts) -> Option<ValidToken> {
        let token = self.tokens.get(token_id)?;
        if token.revoked || token.expires_at <= now {
            return None;
        }
        let user = self.users.get(&token.user_id).filter(|u| u.enabled)?;
        let roles = match &token.project_id {
            Some(p) => {
                let project = self.projects.get(p).filter(|p| p.enabled)?;
                let roles = self.roles_on(&project.id, &user.id);
                if roles.is_empty() {
                    return None;
                }
                roles
            }
            None => Vec::new(),
        };
        Some(ValidToken {
            token: token.clone(),
            roles,
        })
    }

    pub fn revoke_user(&mut self, user_id: &str) {
        for t in self.tokens.values_mut() {
            if t.user_id == user_id {
                t.revoked = true;
            }
        }
    }
}
