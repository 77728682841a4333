use chrono::{DateTime, Utc};
use common::application::security_group::GroupDetail;
use common::domain::security_group_rule::{Direction, EtherType, RuleInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::routes::servers::dto::NamedRef;

#[derive(Debug, Deserialize, ToSchema)]
pub struct RuleRequest {
    /// tcp, udp, icmp, or null/"any".
    pub protocol: Option<String>,
    /// IPv4 or IPv6.
    pub ether_type: Option<String>,
    /// ingress or egress.
    pub direction: Option<String>,
    #[schema(minimum = 1, maximum = 65535)]
    pub port_range_min: Option<i64>,
    #[schema(minimum = 1, maximum = 65535)]
    pub port_range_max: Option<i64>,
    pub remote_ip_prefix: Option<String>,
}

impl From<RuleRequest> for RuleInput {
    fn from(r: RuleRequest) -> Self {
        RuleInput {
            protocol: r.protocol,
            ether_type: r.ether_type,
            direction: r.direction,
            port_range_min: r.port_range_min,
            port_range_max: r.port_range_max,
            remote_ip_prefix: r.remote_ip_prefix,
        }
    }
}

/// Create, or (PUT) the complete desired state.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SecurityGroupRequest {
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 255)]
    pub description: Option<String>,
    #[serde(default)]
    pub rules: Vec<RuleRequest>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RuleResponse {
    pub openstack_id: Option<String>,
    pub protocol: Option<String>,
    pub ether_type: String,
    pub direction: String,
    pub port_range_min: Option<u16>,
    pub port_range_max: Option<u16>,
    pub remote_ip_prefix: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityGroupDetailResponse {
    pub id: i64,
    pub name: String,
    pub description: Option<String>,
    pub project_id: i64,
    /// CREATING, ACTIVE, UPDATING, DELETING, ERROR.
    pub status: String,
    pub error_message: Option<String>,
    pub openstack_id: Option<String>,
    pub rules: Vec<RuleResponse>,
    pub servers: Vec<NamedRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<&GroupDetail> for SecurityGroupDetailResponse {
    fn from(d: &GroupDetail) -> Self {
        let g = &d.group;
        Self {
            id: g.id,
            name: g.name.clone(),
            description: Some(g.description.clone()),
            project_id: g.project_id,
            status: g.status.clone(),
            error_message: g.error_message.clone(),
            openstack_id: g.openstack_id.clone(),
            rules: d
                .rules
                .iter()
                .map(|r| RuleResponse {
                    openstack_id: r.openstack_id.clone(),
                    protocol: r.rule.protocol.map(|p| p.as_str().to_owned()),
                    ether_type: match r.rule.ether_type {
                        EtherType::IPv4 => "IPv4".into(),
                        EtherType::IPv6 => "IPv6".into(),
                    },
                    direction: match r.rule.direction {
                        Direction::Ingress => "ingress".into(),
                        Direction::Egress => "egress".into(),
                    },
                    port_range_min: r.rule.port_range_min,
                    port_range_max: r.rule.port_range_max,
                    remote_ip_prefix: r.rule.remote_ip_prefix.clone(),
                })
                .collect(),
            servers: d
                .servers
                .iter()
                .map(|(id, name)| NamedRef {
                    id: *id,
                    name: name.clone(),
                })
                .collect(),
            created_at: g.created_at,
            updated_at: g.updated_at,
            deleted_at: g.deleted_at,
            version: g.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityGroupListResponse {
    pub security_groups: Vec<SecurityGroupDetailResponse>,
    pub next_cursor: Option<String>,
}
