//! Per-format throughput of the whole per-file pipeline below the walk:
//! scan (parse + locate governed scalars) → match → edits → apply_edits →
//! verify, through `driftfix::plan`, on generated inventories. Also the cost
//! of a file that the prefilter rules out (the common case on real trees).
//!
//! `cargo bench --bench formats` (criterion reports MB/s as "thrpt").

#[path = "common/gen.rs"]
mod generator;

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use driftfix::formats::FileType;
use driftfix::matcher::Matcher;
use driftfix::plan::{Context, PlanOptions, plan_bytes, plan_with};
use driftfix::rules::{Role, RuleSet};
use generator::{Kind, Rng, document, rules_toml};

/// Size of each generated document.
const DOC_BYTES: usize = 256 * 1024;
/// Aliases per document: about one per 1.3 KB, one governed value in eight.
const ALIASES: usize = 200;

fn rules() -> RuleSet {
    RuleSet::from_toml_str(&rules_toml(), Path::new("bench-rules.toml"))
        .unwrap_or_else(|e| panic!("bench rules: {e}"))
}

fn file_type(kind: Kind) -> FileType {
    match kind {
        Kind::Yaml => FileType::Yaml,
        Kind::Json => FileType::Json,
        Kind::Toml => FileType::Toml,
        Kind::Ini => FileType::Ini,
        Kind::Jsonc => FileType::Jsonc,
        Kind::Text => FileType::Text,
    }
}

fn locate_edit(c: &mut Criterion) {
    let rules = rules();
    let mut group = c.benchmark_group("locate_edit");
    for kind in [Kind::Yaml, Kind::Json, Kind::Toml] {
        let doc = document(kind, &mut Rng::new(7), 1, DOC_BYTES, ALIASES);
        let name = format!("inv.{}", kind.ext());
        let ft = file_type(kind);
        // Check once, outside the timing, that the document really is fixed.
        match plan_bytes(&name, ft, Role::Editable, doc.text.as_bytes(), &rules) {
            Ok(plan) if plan.new_text.is_some() && plan.fix_count() == doc.aliases => {}
            Ok(plan) => panic!(
                "{name}: {} fixes planned, {} aliases placed",
                plan.fix_count(),
                doc.aliases
            ),
            Err(e) => panic!("{name}: {e}"),
        }
        group.throughput(Throughput::Bytes(doc.text.len() as u64));
        group.bench_function(kind.ext(), |b| {
            b.iter(|| {
                plan_bytes(
                    &name,
                    ft,
                    Role::Editable,
                    black_box(doc.text.as_bytes()),
                    &rules,
                )
            })
        });
    }
    group.finish();
}

/// A file without any alias: binary and UTF-8 checks plus the prefilter,
/// with the matcher built once per run as `driftfix::run` does.
fn prefilter_miss(c: &mut Criterion) {
    let rules = rules();
    let matcher = Matcher::new(&rules);
    let ctx = Context {
        rules: &rules,
        matcher: &matcher,
        options: PlanOptions::default(),
        baseline: None,
    };
    let mut group = c.benchmark_group("prefilter_miss");
    for kind in [Kind::Yaml, Kind::Json] {
        let doc = document(kind, &mut Rng::new(7), 1, DOC_BYTES, 0);
        let ft = file_type(kind);
        group.throughput(Throughput::Bytes(doc.text.len() as u64));
        group.bench_function(kind.ext(), |b| {
            b.iter(|| {
                plan_with(
                    &ctx,
                    "inv",
                    ft,
                    Role::Editable,
                    black_box(doc.text.as_bytes()),
                )
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = locate_edit, prefilter_miss
}
criterion_main!(benches);
