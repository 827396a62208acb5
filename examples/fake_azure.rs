//! A fake ARM + Microsoft Graph on a loopback port, serving a whocan-synth tenant in
//! the REST shapes `whocan collect` reads (the same fake as the `collect` tests:
//! `tests/cli/fake_azure.rs`, included here). For `scripts/collect-bench.sh`.
//!
//! ```sh
//! cargo run --release -p whocan-synth -- --profile large --out /tmp/large
//! cargo run --release --example fake_azure -- /tmp/large [--page 100] [--port 0]
//! ```
//!
//! Prints its base URL (`http://127.0.0.1:PORT`) on stdout once it listens, serves
//! until its stdin is closed (or it is killed), then prints on stderr how many
//! requests it answered. It accepts any bearer token.

#[path = "../tests/cli/fake_azure.rs"]
mod fake_azure;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut dir: Option<PathBuf> = None;
    let mut page = 100usize;
    let mut port = 0u16;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> Option<String> {
            let v = args.next();
            if v.is_none() {
                eprintln!("error: {name} needs a value");
            }
            v
        };
        match a.as_str() {
            "--page" => match value("--page").and_then(|v| v.parse().ok()) {
                Some(n) if n > 0 => page = n,
                _ => return usage(),
            },
            "--port" => match value("--port").and_then(|v| v.parse().ok()) {
                Some(p) => port = p,
                None => return usage(),
            },
            "-h" | "--help" => {
                let _ = usage();
                return ExitCode::SUCCESS;
            }
            _ if dir.is_none() && !a.starts_with('-') => dir = Some(PathBuf::from(a)),
            _ => return usage(),
        }
    }
    let Some(dir) = dir else {
        return usage();
    };
    if !dir.join("scopes").is_dir() {
        eprintln!(
            "error: {} is not a whocan-synth tenant (no scopes/)\nhint: cargo run --release -p whocan-synth -- --profile large --out DIR",
            dir.display()
        );
        return ExitCode::from(2);
    }
    let started = std::time::Instant::now();
    let synth = fake_azure::Synth::load(&dir);
    let fake = fake_azure::Fake::start_on(
        &format!("127.0.0.1:{port}"),
        fake_azure::synth_handler(std::sync::Arc::new(synth), page),
    );
    eprintln!(
        "fake_azure: serving {} at {} (pages of {page}; loaded in {:.1} s)",
        dir.display(),
        fake.base,
        started.elapsed().as_secs_f64()
    );
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", fake.base);
        let _ = out.flush();
    }
    // Serve until stdin is closed.
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    eprintln!("fake_azure: answered {} requests", fake.served());
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: fake_azure SYNTH_DIR [--page N] [--port P]");
    ExitCode::from(2)
}
