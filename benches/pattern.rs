//! Action-pattern micro-benchmarks (criterion): adversarial patterns (issue 10:
//! one custom role with `************x` made `lint`, `who`, `can` and `review`
//! run forever) next to the patterns real roles hold.
//!
//! ```sh
//! cargo bench --bench pattern
//! # the old backtracking matcher never finishes past a few stars; to compare,
//! # cap the star counts measured:
//! WHOCAN_BENCH_MAX_STARS=4 cargo bench --bench pattern
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use whocan::engine::pattern::ActionPattern;

/// A real operation name (lowercase, as the engine asks), 59 bytes.
const ACTION: &str = "microsoft.machinelearningservices/workspaces/computes/write";

fn max_stars() -> usize {
    std::env::var("WHOCAN_BENCH_MAX_STARS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX)
}

fn typical(c: &mut Criterion) {
    let mut g = c.benchmark_group("pattern: typical");
    for (name, p) in [
        (
            "inner wildcard, match",
            "Microsoft.MachineLearningServices/workspaces/*/write",
        ),
        ("provider wildcard, miss", "Microsoft.Storage/*"),
        ("*/read, miss", "*/read"),
        (
            "exact, match",
            "Microsoft.MachineLearningServices/workspaces/computes/write",
        ),
    ] {
        let p = ActionPattern::new(p);
        g.bench_function(name, |b| {
            b.iter(|| black_box(p.matches_lower(black_box(ACTION))))
        });
    }
    g.finish();
}

fn adversarial(c: &mut Criterion) {
    let max = max_stars();
    let mut g = c.benchmark_group("pattern: adversarial");
    // `n` stars then a letter the action does not end with: every split of the
    // action among the stars is a way to fail.
    for n in [2, 3, 4, 5, 8, 12, 64] {
        if n > max {
            continue;
        }
        let p = ActionPattern::new(&format!("{}x", "*".repeat(n)));
        g.bench_with_input(BenchmarkId::new("stars then x", n), &p, |b, p| {
            b.iter(|| black_box(p.matches_lower(black_box(ACTION))))
        });
    }
    // `*a*a...*x`: pieces that match often, then fail at the end.
    for n in [2, 4, 16] {
        if n > max {
            continue;
        }
        let p = ActionPattern::new(&("*e".repeat(n) + "*x"));
        g.bench_with_input(BenchmarkId::new("*e repeated then *x", n), &p, |b, p| {
            b.iter(|| black_box(p.matches_lower(black_box(ACTION))))
        });
    }
    // The end matches (`...*e`), so every middle piece must be looked for.
    for n in [2, 3, 4, 5, 8, 12, 64] {
        if n > max {
            continue;
        }
        let p = ActionPattern::new(&("*x".repeat(n) + "*e"));
        g.bench_with_input(BenchmarkId::new("*x repeated then *e", n), &p, |b, p| {
            b.iter(|| black_box(p.matches_lower(black_box(ACTION))))
        });
    }
    // Chained inner segments (`/*/*/...`), each of which may also match nothing.
    for n in [2, 4, 16] {
        if n > max {
            continue;
        }
        let p = ActionPattern::new(&format!(
            "microsoft.machinelearningservices{}/x",
            "/*".repeat(n)
        ));
        g.bench_with_input(BenchmarkId::new("/* chain then /x", n), &p, |b, p| {
            b.iter(|| black_box(p.matches_lower(black_box(ACTION))))
        });
    }
    // Near misses: a 32-byte piece that almost matches at every place of a
    // 1001-byte action (the O(action × piece) bound of a literal search).
    let run = "a".repeat(1000) + "e";
    let p = ActionPattern::new(&format!("*{}b*e", "a".repeat(32)));
    g.bench_function("32-byte near miss, 1001-byte action", |b| {
        b.iter(|| black_box(p.matches_lower(black_box(&run))))
    });
    // A long action and a long pattern: the linear bound, not the typical case.
    if max >= 1000 {
        let long = ACTION.repeat(20);
        let p = ActionPattern::new(&format!("{}x", "*a".repeat(500)));
        g.bench_function("*a x500 then x, 1180-byte action", |b| {
            b.iter(|| black_box(p.matches_lower(black_box(&long))))
        });
    }
    g.finish();
}

criterion_group!(benches, typical, adversarial);
criterion_main!(benches);
