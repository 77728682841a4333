//! Resident memory of a process, as the kernel reports it.

/// `VmRSS` of `pid` in KiB, from `/proc/PID/status`; `None` off Linux or
/// once the process is gone.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
