//! Cost of each report format on the same run (issue 19: SARIF, JSON and
//! markdown were 3.3x / 1.6x / 1.4x the human report on 8,216 findings;
//! the goal is <= 1.25x). A generated tree of dense YAML inventories (20
//! aliases a file) is scanned once; each format then writes the report to
//! a sink, at 8,000 and 30,000 findings.
//!
//! `cargo bench --bench outputs`

#[path = "common/gen.rs"]
mod generator;

use std::hint::black_box;
use std::io;
use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use driftfix::fs::BaseDir;
use driftfix::plan::PlanOptions;
use driftfix::report::{Command, Format, Paint, Report, SourceRoot};
use driftfix::rules::RuleSet;
use driftfix::run::{Run, RunInput, run};
use generator::{Kind, Rng, document, rules_toml};

/// Aliases per generated file.
const PER_FILE: usize = 20;

/// A tree of `findings / 20` dense YAML files, scanned.
fn scanned(findings: usize) -> (tempfile::TempDir, RuleSet, Run) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut rng = Rng::new(7);
    for id in 0..findings / PER_FILE {
        let doc = document(Kind::Yaml, &mut rng, id, 8000, PER_FILE);
        let sub = dir.path().join(format!("d{:02}", id % 50));
        std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(sub.join(format!("inv-{id:05}.yaml")), doc.text)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let rules = RuleSet::from_toml_str(&rules_toml(), Path::new("bench-rules.toml"))
        .unwrap_or_else(|e| panic!("bench rules: {e}"));
    let base = BaseDir::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let r = run(&RunInput {
        base: &base,
        roots: &[],
        rules: &rules,
        options: PlanOptions::default(),
        max_file_size: 1 << 30,
        own_files: &[],
        never: &[],
        baseline: None,
        only: None,
    });
    (dir, rules, r)
}

fn outputs(c: &mut Criterion) {
    for findings in [8_000, 30_000] {
        let (dir, rules, r) = scanned(findings);
        let root = SourceRoot::find(dir.path());
        let report = Report {
            command: Command::Scan,
            run: &r,
            rules: &rules,
            paint: Paint { color: false },
            files: None,
            show_suppressed: false,
            root: &root,
            quiet: false,
        };
        let n = r.findings().count();
        let mut g = c.benchmark_group(format!("report/{n}-findings"));
        g.sample_size(10)
            .measurement_time(Duration::from_secs(4))
            .throughput(Throughput::Elements(n as u64));
        for (name, format) in [
            ("human", Format::Human),
            ("json", Format::Json),
            ("sarif", Format::Sarif),
            ("markdown", Format::Markdown),
            ("github", Format::Github),
            ("gitlab", Format::Gitlab),
        ] {
            g.bench_function(BenchmarkId::from_parameter(name), |b| {
                b.iter(|| {
                    let mut sink = io::sink();
                    format
                        .write(black_box(&report), &mut sink)
                        .unwrap_or_else(|e| panic!("{name}: {e}"));
                });
            });
        }
        g.finish();
    }
}

criterion_group!(benches, outputs);
criterion_main!(benches);
