//! Engine micro-benchmarks (criterion): the pure engine on a synthetic `large`
//! tenant held in memory — no SQLite, no process start, no output. The
//! end-to-end figures (import, process-per-question timings) are in
//! `examples/bench.rs` and BENCHMARKS.md.
//!
//! ```sh
//! cargo bench --bench engine
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};

use whocan::engine::decide::{decide, ActionReq, Ancestry};
use whocan::engine::pattern::ActionPattern;
use whocan::engine::{activities, query, Index};
use whocan::model::{key, PrincipalKind, ScopeKind, Tenant};
use whocan_synth::Profile;

// The allocator the binary uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ACTION: &str = "Microsoft.MachineLearningServices/workspaces/computes/write";

/// The `large` synthetic tenant (seed 1), read as `import` reads it.
fn tenant() -> Tenant {
    let dir = tempfile::tempdir().expect("temp dir");
    whocan_synth::write_tenant(Profile::Large, 1, dir.path(), None).expect("synth");
    whocan::import::read_inputs(&[dir.path().to_path_buf()], false)
        .expect("import")
        .tenant
}

fn engine(c: &mut Criterion) {
    let t = tenant();
    let ix = Index::new(&t);
    let workspace = t
        .scopes
        .iter()
        .find(|s| {
            s.kind == ScopeKind::Resource
                && s.resource_type.as_deref().is_some_and(|r| {
                    r.eq_ignore_ascii_case("Microsoft.MachineLearningServices/workspaces")
                })
        })
        .expect("a workspace")
        .id
        .clone();
    let users: Vec<String> = t
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::User)
        .take(200)
        .map(|p| key(&p.id))
        .collect();
    let reqs = vec![ActionReq {
        action: ACTION.into(),
        data: false,
        scope: workspace.clone(),
    }];

    c.bench_function("pattern: wildcard against an action", |b| {
        let p = ActionPattern::new("Microsoft.MachineLearningServices/workspaces/*/write");
        let a = key(ACTION);
        b.iter(|| black_box(p.matches_lower(black_box(&a))))
    });
    let mut g = c.benchmark_group("large tenant");
    g.sample_size(10);
    g.bench_function("index: build from the whole tenant", |b| {
        b.iter(|| black_box(Index::new(&t)))
    });
    g.bench_function("can: 200 users, one action, explained", |b| {
        b.iter(|| {
            let mut anc = Ancestry::default();
            for u in &users {
                black_box(decide(&ix, u, &reqs, true, &mut anc));
            }
        })
    });
    g.bench_function("who: one action on a workspace", |b| {
        b.iter(|| {
            let mut n = 0usize;
            query::who_each(&ix, &vec![reqs.clone()], false, false, false, |_| n += 1);
            black_box(n)
        })
    });
    let activity = activities::find("submit-run-v2").expect("activity");
    g.bench_function("who: activity submit-run-v2 on a workspace", |b| {
        b.iter(|| {
            let e = activities::expand(&ix, &activity, &workspace);
            let mut n = 0usize;
            query::who_each(&ix, &e.alternatives, false, false, true, |_| n += 1);
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
