//! A security group's rules in one canonical, readable form, so the rules
//! we store and the rules the cloud holds compare as sets. No I/O here.

use std::collections::BTreeSet;

use crate::domain::security_group_rule::{Direction, EtherType, Rule};
use crate::infrastructure::cloud::{self as port, CloudSecurityGroupRule, RuleDirection};

/// `(ours, cloud)` in canonical form when the two rule sets differ.
pub fn rules_drift(ours: &[Rule], cloud: &[CloudSecurityGroupRule]) -> Option<(String, String)> {
    let ours: BTreeSet<String> = ours.iter().map(describe_ours).collect();
    let cloud: BTreeSet<String> = cloud.iter().map(describe_cloud).collect();
    (ours != cloud).then(|| (join(&ours), join(&cloud)))
}

/// e.g. `ingress IPv4 tcp 22 from 10.0.0.0/8`, `egress IPv6 any from anywhere`.
pub fn describe_ours(rule: &Rule) -> String {
    let direction = match rule.direction {
        Direction::Ingress => "ingress",
        Direction::Egress => "egress",
    };
    let ether_type = match rule.ether_type {
        EtherType::IPv4 => "IPv4",
        EtherType::IPv6 => "IPv6",
    };
    let protocol = rule.protocol.map_or("any", |p| p.as_str());
    canonical(
        direction,
        ether_type,
        protocol,
        rule.port_range_min.map(u32::from),
        rule.port_range_max.map(u32::from),
        remote_of_prefix(rule.remote_ip_prefix.as_deref()),
    )
}

pub fn describe_cloud(rule: &CloudSecurityGroupRule) -> String {
    let direction = match rule.direction {
        RuleDirection::Ingress => "ingress",
        RuleDirection::Egress => "egress",
    };
    let ether_type = match rule.ether_type {
        port::EtherType::IPv4 => "IPv4",
        port::EtherType::IPv6 => "IPv6",
    };
    let protocol = rule.protocol.as_deref().map(str::to_ascii_lowercase);
    let protocol = match protocol.as_deref() {
        None | Some("") | Some("any") => "any".to_owned(),
        Some("6") => "tcp".to_owned(),
        Some("17") => "udp".to_owned(),
        Some("1") => "icmp".to_owned(),
        Some(other) => other.to_owned(),
    };
    let remote = match &rule.remote_group_id {
        Some(group) => format!("group {group}"),
        None => remote_of_prefix(rule.remote_ip_prefix.as_deref()),
    };
    canonical(
        direction,
        ether_type,
        &protocol,
        rule.port_range_min,
        rule.port_range_max,
        remote,
    )
}

/// An all-addresses prefix is the same as none.
fn remote_of_prefix(prefix: Option<&str>) -> String {
    match prefix {
        None | Some("") | Some("0.0.0.0/0") | Some("::/0") => "anywhere".to_owned(),
        Some(p) => p.to_owned(),
    }
}

fn canonical(
    direction: &str,
    ether_type: &str,
    protocol: &str,
    min: Option<u32>,
    max: Option<u32>,
    remote: String,
) -> String {
    let ports = match (min, max) {
        (None, None) => String::new(),
        (Some(lo), Some(hi)) if lo == hi => format!(" {lo}"),
        (lo, hi) => format!(" {}-{}", port_or_any(lo), port_or_any(hi)),
    };
    format!("{direction} {ether_type} {protocol}{ports} from {remote}")
}

fn port_or_any(port: Option<u32>) -> String {
    port.map_or_else(|| "any".to_owned(), |p| p.to_string())
}

fn join(rules: &BTreeSet<String>) -> String {
    if rules.is_empty() {
        return "(no rules)".to_owned();
    }
    rules.iter().map(String::as_str).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests;
