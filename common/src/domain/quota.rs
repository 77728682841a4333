//! Per-project limits and the usage they are checked against.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QuotaKind {
    Servers,
    Vcpus,
    RamMb,
    Volumes,
    VolumeGb,
    FloatingIps,
    SecurityGroups,
}

impl QuotaKind {
    pub const ALL: [QuotaKind; 7] = [
        Self::Servers,
        Self::Vcpus,
        Self::RamMb,
        Self::Volumes,
        Self::VolumeGb,
        Self::FloatingIps,
        Self::SecurityGroups,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Servers => "servers",
            Self::Vcpus => "vcpus",
            Self::RamMb => "ram_mb",
            Self::Volumes => "volumes",
            Self::VolumeGb => "volume_gb",
            Self::FloatingIps => "floating_ips",
            Self::SecurityGroups => "security_groups",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An amount per kind; kinds not present count as zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Amounts(BTreeMap<QuotaKind, i64>);

impl Amounts {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, kind: QuotaKind, amount: i64) -> Self {
        self.0.insert(kind, amount);
        self
    }

    pub fn set(&mut self, kind: QuotaKind, amount: i64) {
        self.0.insert(kind, amount);
    }

    pub fn get(&self, kind: QuotaKind) -> i64 {
        self.0.get(&kind).copied().unwrap_or(0)
    }

    pub fn iter(&self) -> impl Iterator<Item = (QuotaKind, i64)> + '_ {
        self.0.iter().map(|(k, v)| (*k, *v))
    }
}

/// The first kind for which `usage + requested` would pass `limits`.
pub fn first_exceeded(limits: &Amounts, usage: &Amounts, requested: &Amounts) -> Option<QuotaKind> {
    requested
        .iter()
        .filter(|(_, want)| *want > 0)
        .find(|(kind, want)| usage.get(*kind) + want > limits.get(*kind))
        .map(|(kind, _)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_within_limit_passes() {
        let limits = Amounts::new().with(QuotaKind::Vcpus, 4);
        let usage = Amounts::new().with(QuotaKind::Vcpus, 2);
        let want = Amounts::new().with(QuotaKind::Vcpus, 2);
        assert_eq!(first_exceeded(&limits, &usage, &want), None);
    }

    #[test]
    fn request_past_limit_names_the_kind() {
        let limits = Amounts::new().with(QuotaKind::Vcpus, 4).with(QuotaKind::Servers, 10);
        let usage = Amounts::new().with(QuotaKind::Vcpus, 3);
        let want = Amounts::new().with(QuotaKind::Servers, 1).with(QuotaKind::Vcpus, 2);
        assert_eq!(first_exceeded(&limits, &usage, &want), Some(QuotaKind::Vcpus));
    }

    #[test]
    fn every_kind_parses_from_its_name() {
        for k in QuotaKind::ALL {
            assert_eq!(QuotaKind::parse(k.as_str()), Some(k));
        }
    }
}
