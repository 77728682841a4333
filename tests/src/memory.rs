//! Resident memory of a process, as the kernel reports it.

/// `VmRSS` of `pid` in KiB; `None` off Linux or once the process is gone.
pub fn rss_kib(pid: u32) -> Option<u64> {
    test_support::proc_status::of_pid_kib(&pid.to_string(), "VmRSS")
}
