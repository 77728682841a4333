//! IPv4 CIDR arithmetic for subnets and floating IP pools.

pub fn parse_ipv4(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.trim().split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut v: u32 = 0;
    for p in parts {
        let octet: u8 = p.parse().ok()?;
        v = (v << 8) | u32::from(octet);
    }
    Some(v)
}

pub fn format_ipv4(v: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        (v >> 24) & 0xff,
        (v >> 16) & 0xff,
        (v >> 8) & 0xff,
        v & 0xff
    )
}

/// `10.0.0.0/24` -> (network base, prefix length). Host bits are cleared.
pub fn parse_cidr(s: &str) -> Option<(u32, u8)> {
    let (addr, len) = s.split_once('/')?;
    let len: u8 = len.trim().parse().ok()?;
    if len > 30 {
        return None;
    }
    let ip = parse_ipv4(addr)?;
    let mask = mask(len);
    Some((ip & mask, len))
}

pub fn mask(len: u8) -> u32 {
    if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) }
}

pub fn contains(base: u32, len: u8, ip: u32) -> bool {
    ip & mask(len) == base
}

/// First and last address handed out to ports (gateway is base+1, broadcast excluded).
pub fn host_range(base: u32, len: u8) -> (u32, u32) {
    let size = 1u64 << (32 - u32::from(len));
    let last = base as u64 + size - 2;
    (base + 2, last as u32)
}

pub fn overlaps(a: (u32, u8), b: (u32, u8)) -> bool {
    let len = a.1.min(b.1);
    a.0 & mask(len) == b.0 & mask(len)
}
