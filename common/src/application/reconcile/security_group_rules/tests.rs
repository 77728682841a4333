#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::domain::security_group_rule::Protocol;

fn ssh_from(prefix: Option<&str>) -> Rule {
    Rule {
        protocol: Some(Protocol::Tcp),
        ether_type: EtherType::IPv4,
        direction: Direction::Ingress,
        port_range_min: Some(22),
        port_range_max: Some(22),
        remote_ip_prefix: prefix.map(Into::into),
    }
}

fn cloud_rule(protocol: Option<&str>, ports: Option<(u32, u32)>, prefix: Option<&str>) -> CloudSecurityGroupRule {
    CloudSecurityGroupRule {
        id: "r1".into(),
        security_group_id: "g".into(),
        direction: RuleDirection::Ingress,
        ether_type: port::EtherType::IPv4,
        protocol: protocol.map(Into::into),
        port_range_min: ports.map(|p| p.0),
        port_range_max: ports.map(|p| p.1),
        remote_ip_prefix: prefix.map(Into::into),
        remote_group_id: None,
    }
}

fn egress_any(ether_type: port::EtherType) -> CloudSecurityGroupRule {
    CloudSecurityGroupRule {
        direction: RuleDirection::Egress,
        ether_type,
        ..cloud_rule(None, None, None)
    }
}

#[test]
fn the_same_rules_in_another_order_do_not_differ() {
    let ours = [
        ssh_from(Some("10.0.0.0/8")),
        Rule {
            protocol: None,
            direction: Direction::Egress,
            port_range_min: None,
            port_range_max: None,
            ..ssh_from(None)
        },
    ];
    let cloud = [
        egress_any(port::EtherType::IPv4),
        cloud_rule(Some("tcp"), Some((22, 22)), Some("10.0.0.0/8")),
    ];
    assert_eq!(rules_drift(&ours, &cloud), None);
}

#[test]
fn an_all_addresses_prefix_matches_a_rule_without_one() {
    let cloud = [cloud_rule(Some("tcp"), Some((22, 22)), Some("0.0.0.0/0"))];
    assert_eq!(rules_drift(&[ssh_from(None)], &cloud), None);
}

#[test]
fn a_numeric_protocol_matches_its_name() {
    let cloud = [cloud_rule(Some("6"), Some((22, 22)), None)];
    assert_eq!(rules_drift(&[ssh_from(None)], &cloud), None);
}

#[test]
fn a_rule_added_in_the_cloud_shows_in_the_cloud_value() {
    let cloud = [
        cloud_rule(Some("tcp"), Some((22, 22)), Some("10.0.0.0/8")),
        cloud_rule(Some("tcp"), Some((3306, 3306)), None),
    ];
    let (ours, theirs) = rules_drift(&[ssh_from(Some("10.0.0.0/8"))], &cloud).unwrap();
    assert_eq!(ours, "ingress IPv4 tcp 22 from 10.0.0.0/8");
    assert_eq!(
        theirs,
        "ingress IPv4 tcp 22 from 10.0.0.0/8; ingress IPv4 tcp 3306 from anywhere"
    );
}

#[test]
fn a_rule_removed_in_the_cloud_leaves_the_cloud_value_without_it() {
    let (ours, theirs) = rules_drift(&[ssh_from(None)], &[]).unwrap();
    assert_eq!(
        (ours.as_str(), theirs.as_str()),
        ("ingress IPv4 tcp 22 from anywhere", "(no rules)")
    );
}

#[test]
fn a_changed_port_range_differs() {
    let cloud = [cloud_rule(Some("tcp"), Some((20, 23)), None)];
    let (_, theirs) = rules_drift(&[ssh_from(None)], &cloud).unwrap();
    assert_eq!(theirs, "ingress IPv4 tcp 20-23 from anywhere");
}

#[test]
fn a_rule_from_another_group_names_the_group() {
    let mut from_group = cloud_rule(None, None, None);
    from_group.remote_group_id = Some("g2".into());
    assert_eq!(describe_cloud(&from_group), "ingress IPv4 any from group g2");
    assert!(rules_drift(&[], &[from_group]).is_some());
}

#[test]
fn an_open_ended_port_range_is_readable() {
    let mut r = cloud_rule(Some("udp"), None, None);
    r.port_range_min = Some(1000);
    assert_eq!(describe_cloud(&r), "ingress IPv4 udp 1000-any from anywhere");
}
