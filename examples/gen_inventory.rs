//! Generates the benchmark trees of `benches/e2e.sh` (deterministic, seeded).
//!
//! ```text
//! cargo run --release --example gen_inventory -- sparse OUT --files 20000 --mb 150 --hit-permille 5 [--seed 7]
//! cargo run --release --example gen_inventory -- dense  OUT --files 400 --aliases 20 [--seed 7]
//! ```
//!
//! Writes `OUT/driftfix.toml` (the rules), `OUT/aliases.txt` (one alias a
//! line, for `rg -F -f`) and the inventories under `OUT/tree/`. `sparse`
//! makes YAML and JSON files (half each) of 0.4x..1.6x the mean size, of which
//! `hit-permille`/1000 hold 1..4 aliases in governed fields and the others
//! none at all (checked). `dense` makes YAML files that each hold exactly
//! `--aliases` aliases in governed fields. Prints one summary line.

#[path = "../benches/common/gen.rs"]
mod generator;

use std::path::{Path, PathBuf};

use aho_corasick::AhoCorasick;
use generator::{Kind, Rng, aliases_txt, all_aliases, document, rules_toml};

struct Args {
    mode: String,
    out: PathBuf,
    files: usize,
    mb: f64,
    hit_permille: usize,
    aliases: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mode = it
        .next()
        .ok_or("usage: gen_inventory sparse|dense OUT [options]")?;
    let out = PathBuf::from(it.next().ok_or("missing OUT directory")?);
    let mut a = Args {
        mode,
        out,
        files: 400,
        mb: 3.0,
        hit_permille: 5,
        aliases: 20,
        seed: 7,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--files" => a.files = value.parse().map_err(|e| bad(&e))?,
            "--mb" => a.mb = value.parse().map_err(|e| bad(&e))?,
            "--hit-permille" => a.hit_permille = value.parse().map_err(|e| bad(&e))?,
            "--aliases" => a.aliases = value.parse().map_err(|e| bad(&e))?,
            "--seed" => a.seed = value.parse().map_err(|e| bad(&e))?,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(a)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run(a: &Args) -> Result<(), String> {
    let tree = a.out.join("tree");
    if tree.exists() {
        std::fs::remove_dir_all(&tree).map_err(|e| format!("{}: {e}", tree.display()))?;
    }
    write(&a.out.join("driftfix.toml"), &rules_toml())?;
    write(&a.out.join("aliases.txt"), &aliases_txt())?;
    let ac = AhoCorasick::new(all_aliases()).map_err(|e| e.to_string())?;
    let mut rng = Rng::new(a.seed);
    let (mut bytes, mut hit_files, mut placed) = (0usize, 0usize, 0usize);
    // Which files hold aliases: a seeded choice of exactly files*permille/1000.
    let hits_wanted = if a.mode == "dense" {
        a.files
    } else {
        a.files * a.hit_permille / 1000
    };
    let mut is_hit = vec![a.mode == "dense"; a.files];
    let mut chosen = if a.mode == "dense" { a.files } else { 0 };
    while chosen < hits_wanted {
        let i = rng.below(a.files);
        if !is_hit[i] {
            is_hit[i] = true;
            chosen += 1;
        }
    }
    let mean = (a.mb * 1e6 / a.files.max(1) as f64) as usize;
    for (id, &hit) in is_hit.iter().enumerate() {
        let (kind, size, aliases) = match a.mode.as_str() {
            "sparse" => {
                let kind = if id % 2 == 0 { Kind::Yaml } else { Kind::Json };
                let size = mean * 4 / 10 + rng.below(mean * 12 / 10 + 1);
                (kind, size, if hit { 1 + rng.below(4) } else { 0 })
            }
            "dense" => (Kind::Yaml, mean, a.aliases),
            other => return Err(format!("unknown mode {other} (sparse or dense)")),
        };
        let doc = document(kind, &mut rng, id, size, aliases);
        if aliases == 0 && ac.is_match(&doc.text) {
            return Err(format!(
                "generator bug: file {id} holds an alias by accident"
            ));
        }
        let path = tree
            .join(format!("site-{:02}", id / 1000))
            .join(format!("group-{:02}", (id / 100) % 10))
            .join(format!("inv-{id:05}.{}", kind.ext()));
        write(&path, &doc.text)?;
        bytes += doc.text.len();
        placed += doc.aliases;
        hit_files += usize::from(doc.aliases > 0);
    }
    println!(
        "{}: {} files, {:.1} MB, {} files with aliases, {} aliases",
        a.out.display(),
        a.files,
        bytes as f64 / 1e6,
        hit_files,
        placed
    );
    Ok(())
}

fn main() {
    if let Err(e) = parse_args().and_then(|a| run(&a)) {
        eprintln!("gen_inventory: {e}");
        std::process::exit(2);
    }
}
