//! Memory of a process as the kernel reports it in `/proc/<pid>/status`.

/// A line of the status of `pid` in KiB (`VmRSS`, `VmHWM`); `None` off
/// Linux or once the process is gone.
pub fn of_pid_kib(pid: &str, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A line of this process's status in KiB.
pub fn own_kib(key: &str) -> Option<u64> {
    of_pid_kib("self", key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_resident_size_and_a_peak_at_least_as_large() {
        let rss = own_kib("VmRSS").unwrap();
        let peak = own_kib("VmHWM").unwrap();
        assert!(rss > 0 && peak >= rss, "rss {rss} peak {peak}");
        assert_eq!(own_kib("NoSuchLine"), None);
    }
}
