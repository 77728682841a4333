//! Security groups: the rule set is stored in our database as the desired
//! state and made true in the cloud (rules the cloud has but we do not want
//! are deleted, missing ones created).

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use super::intent::{self, Intent, Witness};
use super::project_cloud::{Scope, cloud_error, cloud_of, scope};
use super::{Services, guard, quotas};
use crate::domain::auth::RequestContext;
use crate::domain::page::{Cursor, Page, PageRequest, SortOrder};
use crate::domain::quota::{Amounts, QuotaKind};
use crate::domain::resource_name::ResourceName;
use crate::domain::security_group::{SecurityGroup, StoredRule, dedup_rules, rule_key};
use crate::domain::security_group_rule::{Direction, EtherType, Protocol, Rule};
use crate::domain::server::inventory_id;
use crate::error::{AppError, AppResult};
use crate::infrastructure::cloud::{
    self as port, CloudError, CloudProject, CloudSecurityGroupRule, CreateSecurityGroupRequest,
    CreateSecurityGroupRuleRequest, RuleDirection, UpdateSecurityGroupRequest,
};
use crate::infrastructure::db::security_groups::{self, GroupSort};
use crate::infrastructure::db::{begin, resource_actions};

pub fn not_found(id: i64) -> AppError {
    AppError::not_found(
        "SECURITY_GROUP_NOT_FOUND",
        format!("security group {id} does not exist"),
    )
}

#[derive(Debug, Clone)]
pub struct GroupDetail {
    pub group: SecurityGroup,
    pub rules: Vec<StoredRule>,
    /// `(id, name)` of the live servers using it.
    pub servers: Vec<(i64, String)>,
}

pub struct GroupQuery {
    pub sort: GroupSort,
    pub order: SortOrder,
    pub page: PageRequest,
}

pub async fn list(svc: &Services, ctx: &RequestContext, q: GroupQuery) -> AppResult<Page<GroupDetail>> {
    let project_id = scope(ctx)?.project_id;
    let sort_name = format!("{}:{}", q.sort.column(), q.order.sql());
    let after = q
        .page
        .for_sort(&sort_name)
        .map_err(|e| AppError::invalid_field("query.cursor", "value_error", e))?;
    let rows = security_groups::list(&svc.pool, project_id, q.sort, q.order, after, q.page.limit).await?;
    let page = Page::from_overfetch(rows, q.page.limit, |g| Cursor {
        sort: sort_name.clone(),
        key: q.sort.cursor_key(g),
        id: g.id,
    });
    Ok(Page {
        items: details(svc, page.items).await?,
        next_cursor: page.next_cursor,
    })
}

pub async fn get(svc: &Services, ctx: &RequestContext, id: i64) -> AppResult<GroupDetail> {
    let project_id = scope(ctx)?.project_id;
    let group = security_groups::find(&svc.pool, project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    let mut all = details(svc, vec![group]).await?;
    all.pop().ok_or_else(|| not_found(id))
}

async fn details(svc: &Services, groups: Vec<SecurityGroup>) -> AppResult<Vec<GroupDetail>> {
    let ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
    let mut rules: HashMap<i64, Vec<StoredRule>> = HashMap::new();
    for r in security_groups::rules_of(&svc.pool, &ids).await? {
        rules.entry(r.security_group_id).or_default().push(r);
    }
    let mut servers: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (group, server, name) in security_groups::servers_of(&svc.pool, &ids).await? {
        servers.entry(group).or_default().push((server, name));
    }
    Ok(groups
        .into_iter()
        .map(|group| GroupDetail {
            rules: rules.remove(&group.id).unwrap_or_default(),
            servers: servers.remove(&group.id).unwrap_or_default(),
            group,
        })
        .collect())
}

pub struct GroupInput {
    pub name: ResourceName,
    pub description: String,
    pub rules: Vec<Rule>,
}

pub async fn create(svc: &Services, ctx: &RequestContext, input: GroupInput) -> AppResult<GroupDetail> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let rules = dedup_rules(input.rules);
    let mut tx = begin(&svc.pool).await?;
    let one = Amounts::new().with(QuotaKind::SecurityGroups, 1);
    quotas::check_quota(&mut tx, &svc.quota_defaults, scope.project_id, &one).await?;
    let id = security_groups::insert(&mut tx, scope.project_id, input.name.as_str(), &input.description).await?;
    security_groups::insert_rules(&mut tx, id, &rules).await?;
    let record = Intent {
        resource_type: "security_group",
        resource_id: id,
        action: "create",
        audit_action: "security_group.create",
        detail: Some(json!({"name": input.name.as_str(), "rules": rules.len()})),
    };
    intent::record(&mut tx, &scope, record).await?;
    tx.commit().await?;
    let request = CreateSecurityGroupRequest {
        name: input.name.as_str().to_owned(),
        description: Some(inventory_id("security_group", id)),
    };
    match cloud.create_security_group(&request).await {
        Ok(created) => converge(svc, &scope, cloud.as_ref(), id, &created.id, created.rules).await?,
        Err(e) => settle_failure(svc, &scope, id, e).await?,
    }
    get(svc, ctx, id).await
}

/// Name, description and the complete desired rule set.
pub async fn update(
    svc: &Services,
    ctx: &RequestContext,
    id: i64,
    input: GroupInput,
    if_match: Option<i64>,
) -> AppResult<GroupDetail> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let rules = dedup_rules(input.rules);
    let mut tx = begin(&svc.pool).await?;
    let group = security_groups::lock(&mut tx, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, group.version)?;
    if group.pending_action.is_some() {
        return Err(busy(id));
    }
    let (name, description) = (input.name.as_str(), input.description.as_str());
    security_groups::begin_action(&mut tx, id, group.version, name, description, "UPDATING", "update").await?;
    security_groups::replace_rules(&mut tx, id, &rules).await?;
    let record = Intent {
        resource_type: "security_group",
        resource_id: id,
        action: "update",
        audit_action: "security_group.update",
        detail: Some(json!({"name": name, "rules": rules.len()})),
    };
    intent::record(&mut tx, &scope, record).await?;
    tx.commit().await?;
    if let Some(cloud_id) = &group.openstack_id {
        let request = UpdateSecurityGroupRequest {
            name: Some(name.to_owned()),
            description: None,
        };
        match cloud.update_security_group(cloud_id, &request).await {
            Ok(updated) => converge(svc, &scope, cloud.as_ref(), id, cloud_id, updated.rules).await?,
            Err(e) => settle_failure(svc, &scope, id, e).await?,
        }
    }
    get(svc, ctx, id).await
}

fn busy(id: i64) -> AppError {
    AppError::conflict(
        "SECURITY_GROUP_BUSY",
        format!("security group {id} has a change in flight; try again shortly"),
    )
}

/// Makes the cloud's rules those stored, records the rule ids, and marks the
/// group ACTIVE. Stops at the first failure (definite: ERROR; unknown: left).
async fn converge(
    svc: &Services,
    scope: &Scope,
    cloud: &dyn CloudProject,
    id: i64,
    cloud_id: &str,
    cloud_rules: Vec<CloudSecurityGroupRule>,
) -> AppResult<()> {
    let stored = security_groups::rules_of(&svc.pool, &[id]).await?;
    let mut wanted: BTreeMap<String, &StoredRule> = stored.iter().map(|r| (rule_key(&r.rule), r)).collect();
    for existing in cloud_rules {
        let key = from_cloud(&existing).map(|r| rule_key(&r));
        match key.and_then(|k| wanted.remove(&k)) {
            Some(ours) => security_groups::set_rule_openstack_id(&svc.pool, ours.id, &existing.id).await?,
            None => match cloud.delete_security_group_rule(&existing.id).await {
                Ok(()) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return settle_failure(svc, scope, id, e).await,
            },
        }
    }
    for ours in wanted.values() {
        match cloud.create_security_group_rule(&to_cloud(cloud_id, &ours.rule)).await {
            Ok(created) => security_groups::set_rule_openstack_id(&svc.pool, ours.id, &created.id).await?,
            Err(e) => return settle_failure(svc, scope, id, e).await,
        }
    }
    security_groups::set_synced(&svc.pool, id, cloud_id).await?;
    resource_actions::finish(&svc.pool, "security_group", id, true, None).await
}

async fn settle_failure(svc: &Services, scope: &Scope, id: i64, e: CloudError) -> AppResult<()> {
    if e.is_outcome_unknown() {
        return Ok(());
    }
    let message = e.message();
    let mut tx = begin(&svc.pool).await?;
    if let Some(current) = security_groups::lock(&mut tx, scope.project_id, id).await? {
        security_groups::mark_error(&mut tx, id, current.version, &message).await?;
    }
    intent::record_failure(&mut tx, Witness::Request(scope), "security_group", id, &message).await?;
    tx.commit().await?;
    Err(cloud_error(e))
}

fn from_cloud(r: &CloudSecurityGroupRule) -> Option<Rule> {
    let protocol = match r.protocol.as_deref() {
        None | Some("any") => None,
        Some("tcp") => Some(Protocol::Tcp),
        Some("udp") => Some(Protocol::Udp),
        Some("icmp") => Some(Protocol::Icmp),
        Some(_) => return None,
    };
    if r.remote_group_id.is_some() {
        return None;
    }
    Some(Rule {
        protocol,
        ether_type: match r.ether_type {
            port::EtherType::IPv4 => EtherType::IPv4,
            port::EtherType::IPv6 => EtherType::IPv6,
        },
        direction: match r.direction {
            RuleDirection::Ingress => Direction::Ingress,
            RuleDirection::Egress => Direction::Egress,
        },
        port_range_min: r.port_range_min.and_then(|p| u16::try_from(p).ok()),
        port_range_max: r.port_range_max.and_then(|p| u16::try_from(p).ok()),
        remote_ip_prefix: r.remote_ip_prefix.clone().filter(|p| p != "0.0.0.0/0" && p != "::/0"),
    })
}

fn to_cloud(group: &str, r: &Rule) -> CreateSecurityGroupRuleRequest {
    CreateSecurityGroupRuleRequest {
        security_group_id: group.to_owned(),
        direction: match r.direction {
            Direction::Ingress => RuleDirection::Ingress,
            Direction::Egress => RuleDirection::Egress,
        },
        ether_type: match r.ether_type {
            EtherType::IPv4 => port::EtherType::IPv4,
            EtherType::IPv6 => port::EtherType::IPv6,
        },
        protocol: r.protocol.map(|p| p.as_str().to_owned()),
        port_range_min: r.port_range_min.map(u32::from),
        port_range_max: r.port_range_max.map(u32::from),
        remote_ip_prefix: r.remote_ip_prefix.clone(),
        remote_group_id: None,
    }
}

/// 204 when the group is gone, 202 when the cloud's answer was lost.
pub async fn delete(svc: &Services, ctx: &RequestContext, id: i64, if_match: Option<i64>) -> AppResult<bool> {
    let scope = scope(ctx)?;
    let cloud = cloud_of(svc, scope.project_id).await?;
    let mut tx = begin(&svc.pool).await?;
    let group = security_groups::lock(&mut tx, scope.project_id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    guard::if_match(if_match, group.version)?;
    if security_groups::in_use(&mut tx, id).await? {
        return Err(AppError::conflict(
            "ATTACHED_SECURITY_GROUP_DELETION",
            format!("security group {id} is used by a server"),
        ));
    }
    let (name, description) = (group.name.as_str(), group.description.as_str());
    security_groups::begin_action(&mut tx, id, group.version, name, description, "DELETING", "delete").await?;
    let record = Intent {
        resource_type: "security_group",
        resource_id: id,
        action: "delete",
        audit_action: "security_group.delete",
        detail: Some(json!({"name": name})),
    };
    intent::record(&mut tx, &scope, record).await?;
    tx.commit().await?;
    if let Some(cloud_id) = &group.openstack_id {
        match cloud.delete_security_group(cloud_id).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) if e.is_outcome_unknown() => return Ok(false),
            Err(e) => return settle_failure(svc, &scope, id, e).await.map(|()| false),
        }
    }
    let mut tx = begin(&svc.pool).await?;
    if let Some(current) = security_groups::lock(&mut tx, scope.project_id, id).await? {
        security_groups::finish_delete(&mut tx, id, current.version).await?;
    }
    resource_actions::finish(&mut *tx, "security_group", id, true, None).await?;
    tx.commit().await?;
    Ok(true)
}
