//! whocan: parse the command line, run it, map the outcome to an exit code.

use std::process::ExitCode;

/// glibc's allocator spent a third of query time consolidating and unlinking
/// chunks for the millions of small strings a large snapshot slice holds
/// (BENCHMARKS.md); mimalloc does the same work without that cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (v3's `mimalloc.h`; pinned by the test
/// below): how long freed memory is kept before it is given back to the OS.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keep freed memory for the life of the process. By default mimalloc gives it
/// back after a second, and the next allocation faults it in again, zeroed by
/// the kernel: 16% of `review --all-workspaces` on xl went to that
/// (`clear_page_erms`), for a peak resident size within 1% of this one
/// (BENCHMARKS.md). whocan is a short-lived process.
///
/// Not for an import: what parsing the files frees (their bytes, the parsed
/// documents) is not asked for again, and keeping it raised the peak of an xl
/// import from 0.93–0.95 GiB to 1.09–1.14 GiB at the same speed (BENCHMARKS.md).
fn keep_freed_memory() {
    // SAFETY: sets one integer option by its documented index before any
    // thread is started; no memory is touched.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

fn main() -> ExitCode {
    // A write past `ulimit -f` then fails with EFBIG (exit 4, the temporary file
    // removed, the target as it was) instead of SIGXFSZ killing the process.
    // SAFETY: sets one signal's disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = whocan::cli::Cli::parse_command_line();
    if !cli.reads_files_into_a_snapshot() {
        keep_freed_memory();
    }
    whocan::commands::main(cli)
}

#[cfg(test)]
mod tests {
    /// The option index is the purge delay's: its documented default in
    /// mimalloc v3 is 1000 ms, and no neighbouring option defaults to that.
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads one integer option.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(delay, 1000);
    }
}
