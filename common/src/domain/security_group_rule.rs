//! Security group rules as users write them, parsed into rules that cannot be
//! wrong: ports only with tcp/udp, ranges ordered, CIDRs of the rule's family.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EtherType {
    IPv4,
    IPv6,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
}

impl Protocol {
    fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
        }
    }
}

/// What a request body says; every field still unchecked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RuleInput {
    pub protocol: Option<String>,
    pub ether_type: Option<String>,
    pub direction: Option<String>,
    pub port_range_min: Option<i64>,
    pub port_range_max: Option<i64>,
    pub remote_ip_prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// `None` means any protocol.
    pub protocol: Option<Protocol>,
    pub ether_type: EtherType,
    pub direction: Direction,
    pub port_range_min: Option<u16>,
    pub port_range_max: Option<u16>,
    /// Normalised CIDR, e.g. `10.0.0.0/8`.
    pub remote_ip_prefix: Option<String>,
}

impl Rule {
    /// Parses one rule; `at` is its field path prefix, e.g. `body.rules.0`.
    pub fn parse(input: &RuleInput, at: &str) -> Result<Rule, Vec<FieldError>> {
        let mut errors = Vec::new();
        let field = |name: &str| format!("{at}.{name}");

        let protocol = match input.protocol.as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("any") | Some("") => None,
            Some("tcp") => Some(Protocol::Tcp),
            Some("udp") => Some(Protocol::Udp),
            Some("icmp") => Some(Protocol::Icmp),
            Some(_) => {
                errors.push(FieldError::new(
                    field("protocol"),
                    "enum",
                    "must be tcp, udp, icmp or null (any)",
                ));
                None
            }
        };
        let ether_type = match input.ether_type.as_deref() {
            None | Some("IPv4") => Some(EtherType::IPv4),
            Some("IPv6") => Some(EtherType::IPv6),
            Some(_) => {
                errors.push(FieldError::new(field("ether_type"), "enum", "must be IPv4 or IPv6"));
                None
            }
        };
        let direction = match input.direction.as_deref() {
            None | Some("ingress") => Some(Direction::Ingress),
            Some("egress") => Some(Direction::Egress),
            Some(_) => {
                errors.push(FieldError::new(field("direction"), "enum", "must be ingress or egress"));
                None
            }
        };
        let port = |value: Option<i64>, name: &str, errors: &mut Vec<FieldError>| match value {
            None => None,
            Some(p) if (1..=65535).contains(&p) => u16::try_from(p).ok(),
            Some(_) => {
                errors.push(FieldError::new(field(name), "range", "must be between 1 and 65535"));
                None
            }
        };
        let min = port(input.port_range_min, "port_range_min", &mut errors);
        let max = port(input.port_range_max, "port_range_max", &mut errors);
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            errors.push(FieldError::new(
                field("port_range_min"),
                "range",
                "must not be greater than port_range_max",
            ));
        }
        let has_ports = input.port_range_min.is_some() || input.port_range_max.is_some();
        if has_ports && !protocol.is_some_and(Protocol::has_ports) {
            errors.push(FieldError::new(
                field("protocol"),
                "ports_need_tcp_or_udp",
                "port ranges need protocol tcp or udp",
            ));
        }
        let remote_ip_prefix = match input.remote_ip_prefix.as_deref().filter(|p| !p.is_empty()) {
            None => None,
            Some(raw) => match (parse_cidr(raw), ether_type) {
                (Ok((addr, len)), Some(family)) if family_of(addr) != family => {
                    errors.push(FieldError::new(
                        field("remote_ip_prefix"),
                        "family_mismatch",
                        format!("{raw} is not an {family:?} prefix, but ether_type is {family:?}"),
                    ));
                    let _ = len;
                    None
                }
                (Ok((addr, len)), _) => Some(format!("{}/{len}", network_of(addr, len))),
                (Err(why), _) => {
                    errors.push(FieldError::new(field("remote_ip_prefix"), "cidr", why));
                    None
                }
            },
        };

        match (ether_type, direction) {
            (Some(ether_type), Some(direction)) if errors.is_empty() => Ok(Rule {
                protocol,
                ether_type,
                direction,
                port_range_min: min.or(if has_ports { max } else { None }),
                port_range_max: max.or(if has_ports { min } else { None }),
                remote_ip_prefix,
            }),
            _ => Err(errors),
        }
    }

    /// Parses a whole rule set at `body.rules`, collecting every error.
    pub fn parse_all(inputs: &[RuleInput], at: &str) -> Result<Vec<Rule>, Vec<FieldError>> {
        let mut rules = Vec::with_capacity(inputs.len());
        let mut errors = Vec::new();
        for (i, input) in inputs.iter().enumerate() {
            match Rule::parse(input, &format!("{at}.{i}")) {
                Ok(rule) => rules.push(rule),
                Err(mut e) => errors.append(&mut e),
            }
        }
        if errors.is_empty() { Ok(rules) } else { Err(errors) }
    }
}

fn family_of(addr: IpAddr) -> EtherType {
    match addr {
        IpAddr::V4(_) => EtherType::IPv4,
        IpAddr::V6(_) => EtherType::IPv6,
    }
}

fn parse_cidr(raw: &str) -> Result<(IpAddr, u8), String> {
    let (addr, len) = raw.split_once('/').unwrap_or((raw, ""));
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("{raw:?} is not an IP prefix like 10.0.0.0/8"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let len = if len.is_empty() {
        max
    } else {
        len.parse::<u8>()
            .ok()
            .filter(|l| *l <= max)
            .ok_or_else(|| format!("{raw:?} has a prefix length outside 0..={max}"))?
    };
    Ok((addr, len))
}

fn network_of(addr: IpAddr, len: u8) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => {
            let mask = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
            IpAddr::V4((u32::from(v4) & mask).into())
        }
        IpAddr::V6(v6) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - u32::from(len))
            };
            IpAddr::V6((u128::from(v6) & mask).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(protocol: &str, min: Option<i64>, max: Option<i64>, cidr: Option<&str>) -> RuleInput {
        RuleInput {
            protocol: Some(protocol.into()),
            ether_type: Some("IPv4".into()),
            direction: Some("ingress".into()),
            port_range_min: min,
            port_range_max: max,
            remote_ip_prefix: cidr.map(Into::into),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_tcp_range_with_a_cidr_parses_and_normalises_the_network() {
        let rule = Rule::parse(&input("tcp", Some(22), Some(22), Some("10.1.2.3/8")), "body.rules.0").unwrap();
        assert_eq!(rule.protocol, Some(Protocol::Tcp));
        assert_eq!(rule.remote_ip_prefix.as_deref(), Some("10.0.0.0/8"));
    }

    #[test]
    fn ports_outside_1_to_65535_are_refused() {
        let e = Rule::parse(&input("tcp", Some(0), Some(70000), None), "body.rules.0").unwrap_err();
        assert_eq!(
            fields(e),
            ["body.rules.0.port_range_min", "body.rules.0.port_range_max"]
        );
    }

    #[test]
    fn a_reversed_range_is_refused() {
        let e = Rule::parse(&input("udp", Some(100), Some(10), None), "body.rules.3").unwrap_err();
        assert_eq!(fields(e), ["body.rules.3.port_range_min"]);
    }

    #[test]
    fn ports_with_icmp_are_refused() {
        let e = Rule::parse(&input("icmp", Some(1), Some(2), None), "body.rules.0").unwrap_err();
        assert_eq!(e[0].kind, "ports_need_tcp_or_udp");
    }

    #[test]
    fn an_ipv6_prefix_on_an_ipv4_rule_is_refused() {
        let e = Rule::parse(&input("tcp", None, None, Some("2001:db8::/32")), "body.rules.0").unwrap_err();
        assert_eq!(e[0].kind, "family_mismatch");
    }

    #[test]
    fn a_malformed_cidr_is_refused() {
        for bad in ["10.0.0.0/33", "banana", "10.0.0/8"] {
            let e = Rule::parse(&input("tcp", None, None, Some(bad)), "body.rules.0").unwrap_err();
            assert_eq!(e[0].field, "body.rules.0.remote_ip_prefix", "{bad}");
        }
    }

    #[test]
    fn unknown_enums_name_their_field() {
        let mut i = input("tcp", None, None, None);
        i.ether_type = Some("IPv5".into());
        i.direction = Some("sideways".into());
        assert_eq!(
            fields(Rule::parse(&i, "body.rules.0").unwrap_err()),
            ["body.rules.0.ether_type", "body.rules.0.direction"]
        );
    }

    #[test]
    fn a_single_port_fills_both_ends_of_the_range() {
        let rule = Rule::parse(&input("tcp", Some(443), None, None), "r").unwrap();
        assert_eq!((rule.port_range_min, rule.port_range_max), (Some(443), Some(443)));
    }

    #[test]
    fn parse_all_collects_errors_from_every_rule() {
        let inputs = [
            input("tcp", Some(0), None, None),
            input("tcp", Some(80), Some(80), None),
            input("x", None, None, None),
        ];
        let e = Rule::parse_all(&inputs, "body.rules").unwrap_err();
        assert_eq!(fields(e), ["body.rules.0.port_range_min", "body.rules.2.protocol"]);
    }
}
