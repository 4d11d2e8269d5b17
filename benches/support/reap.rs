//! Waiting for a child process with its own resource usage: shared by `benches/check.rs` and
//! `tests/memory_bounded.rs` (each includes this file with `#[path]`), which read a child's peak
//! memory and CPU time, not their own or an earlier child's. Unix only.

/// Wait for `child` (never waited for before) with `wait4`: its exit status, as `waitpid` gives
/// it, and its resource usage.
pub fn reap(child: std::process::Child) -> (libc::c_int, libc::rusage) {
    let pid = libc::pid_t::try_from(child.id()).expect("a process id fits pid_t");
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `pid` is our own unreaped child (std's `Child` never waits unless asked), and
        // both pointers are to live locals of the right types.
        let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if reaped == pid {
            break;
        }
        let err = std::io::Error::last_os_error();
        assert_eq!(err.kind(), std::io::ErrorKind::Interrupted, "wait4 on process {pid}: {err}");
    }
    drop(child);
    (status, usage)
}
