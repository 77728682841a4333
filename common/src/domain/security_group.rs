//! Security groups and the rules we keep for them.

use chrono::{DateTime, Utc};

use super::security_group_rule::Rule;

#[derive(Debug, Clone, PartialEq)]
pub struct SecurityGroup {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub description: String,
    /// `CREATING`, `ACTIVE`, `UPDATING`, `DELETING` or `ERROR`.
    pub status: String,
    pub pending_action: Option<String>,
    pub error_message: Option<String>,
    pub openstack_id: Option<String>,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// A rule row: the rule and the cloud id once the cloud holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRule {
    pub id: i64,
    pub security_group_id: i64,
    pub rule: Rule,
    pub openstack_id: Option<String>,
}

/// What makes two rules the same rule (the cloud refuses duplicates). An
/// all-addresses prefix is the same as none.
pub fn rule_key(rule: &Rule) -> String {
    let prefix = rule
        .remote_ip_prefix
        .as_deref()
        .filter(|p| *p != "0.0.0.0/0" && *p != "::/0");
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        rule.direction, rule.ether_type, rule.protocol, rule.port_range_min, rule.port_range_max, prefix
    )
}

/// The desired rules with duplicates removed, in their first order.
pub fn dedup_rules(rules: Vec<Rule>) -> Vec<Rule> {
    let mut seen = std::collections::HashSet::new();
    rules.into_iter().filter(|r| seen.insert(rule_key(r))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::security_group_rule::{Direction, EtherType, Protocol};

    fn ssh() -> Rule {
        Rule {
            protocol: Some(Protocol::Tcp),
            ether_type: EtherType::IPv4,
            direction: Direction::Ingress,
            port_range_min: Some(22),
            port_range_max: Some(22),
            remote_ip_prefix: Some("10.0.0.0/8".into()),
        }
    }

    #[test]
    fn an_all_addresses_prefix_is_the_same_rule_as_none() {
        let mut open = ssh();
        open.remote_ip_prefix = Some("0.0.0.0/0".into());
        let mut none = ssh();
        none.remote_ip_prefix = None;
        assert_eq!(rule_key(&open), rule_key(&none));
        assert_ne!(rule_key(&ssh()), rule_key(&none));
    }

    #[test]
    fn duplicate_rules_collapse_to_one() {
        let mut other = ssh();
        other.port_range_min = Some(23);
        other.port_range_max = Some(23);
        assert_eq!(dedup_rules(vec![ssh(), other.clone(), ssh()]), vec![ssh(), other]);
    }
}
