//! Generates the benchmark trees of `benches/e2e.sh` (deterministic, seeded).
//!
//! ```text
//! cargo run --release --example gen_inventory -- MODE OUT [options]
//!   sparse  --files 20000 --mb 150 --hit-permille 5   files of 0.4x..1.6x the mean
//!   dense   --files 400 --mb 3.2 --aliases 20         every file holds --aliases aliases
//!   tiny    --files 40000 --dirs 1400 --hit-permille 5  ~80-byte YAML files
//! options: --kinds yaml,json (cycled over the files; also toml, ini, jsonc, text)
//!          --near-miss (a near-miss name such as pve-shop-backup in every file)
//!          --depth N (directories per path, default 2) --dirs N (leaf directories)
//!          --ignored-permille P (that share of the files under a .gitignore'd vendor/)
//!          --seed 7
//! ```
//!
//! Writes `OUT/driftfix.toml` (the rules), `OUT/aliases.txt` (one alias a
//! line, for `rg -F -f`) and the files under `OUT/tree/`. Files chosen as
//! hits hold aliases in governed fields; the others hold none (checked),
//! though they may hold near-misses. Prints one summary line.

#[path = "../common/gen.rs"]
mod generator;

use std::path::{Path, PathBuf};

use generator::{
    Kind, Rng, aliases_txt, document_with, holds_bounded_alias, rules_toml, tiny_document,
};

struct Args {
    mode: String,
    out: PathBuf,
    files: usize,
    mb: f64,
    hit_permille: usize,
    aliases: usize,
    seed: u64,
    kinds: Vec<Kind>,
    near_miss: bool,
    depth: usize,
    dirs: usize,
    ignored_permille: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mode = it
        .next()
        .ok_or("usage: gen_inventory sparse|dense|tiny OUT [options]")?;
    let out = PathBuf::from(it.next().ok_or("missing OUT directory")?);
    let mut a = Args {
        kinds: if mode == "sparse" {
            vec![Kind::Yaml, Kind::Json]
        } else {
            vec![Kind::Yaml]
        },
        mode,
        out,
        files: 400,
        mb: 3.0,
        hit_permille: 5,
        aliases: 20,
        seed: 7,
        near_miss: false,
        depth: 2,
        dirs: 0,
        ignored_permille: 0,
    };
    while let Some(flag) = it.next() {
        if flag == "--near-miss" {
            a.near_miss = true;
            continue;
        }
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}");
        match flag.as_str() {
            "--files" => a.files = value.parse().map_err(|e| bad(&e))?,
            "--mb" => a.mb = value.parse().map_err(|e| bad(&e))?,
            "--hit-permille" => a.hit_permille = value.parse().map_err(|e| bad(&e))?,
            "--aliases" => a.aliases = value.parse().map_err(|e| bad(&e))?,
            "--seed" => a.seed = value.parse().map_err(|e| bad(&e))?,
            "--depth" => a.depth = value.parse().map_err(|e| bad(&e))?,
            "--dirs" => a.dirs = value.parse().map_err(|e| bad(&e))?,
            "--ignored-permille" => a.ignored_permille = value.parse().map_err(|e| bad(&e))?,
            "--kinds" => {
                a.kinds = value
                    .split(',')
                    .map(|k| Kind::parse(k).ok_or(format!("unknown kind {k}")))
                    .collect::<Result<_, _>>()?;
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if a.kinds.is_empty() {
        return Err("--kinds names no kind".into());
    }
    Ok(a)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A seeded choice of exactly `n` of `files`.
fn choose(rng: &mut Rng, files: usize, n: usize) -> Vec<bool> {
    let mut chosen = vec![false; files];
    let mut count = 0;
    while count < n.min(files) {
        let i = rng.below(files);
        if !chosen[i] {
            chosen[i] = true;
            count += 1;
        }
    }
    chosen
}

/// The directory of file `id`: `depth` levels; the leaf is one of `dirs`
/// (default: 100 files a directory).
fn dir_of(a: &Args, id: usize) -> PathBuf {
    let dirs = if a.dirs == 0 {
        a.files.div_ceil(100).max(1)
    } else {
        a.dirs
    };
    let leaf = id % dirs;
    let mut p = PathBuf::new();
    let depth = a.depth.max(1);
    // The upper levels split the leaves into ~sqrt-sized groups; deeper
    // paths add fixed-name levels (deep trees of real repositories).
    let fan = (dirs as f64).sqrt().ceil() as usize;
    p.push(format!("site-{:02}", leaf / fan.max(1)));
    for level in 2..depth {
        p.push(format!("level{level}-{}", leaf % 3));
    }
    if depth >= 2 {
        p.push(format!("group-{:02}", leaf % fan.max(1)));
    }
    p
}

fn run(a: &Args) -> Result<(), String> {
    let tree = a.out.join("tree");
    if tree.exists() {
        std::fs::remove_dir_all(&tree).map_err(|e| format!("{}: {e}", tree.display()))?;
    }
    write(&a.out.join("driftfix.toml"), &rules_toml())?;
    write(&a.out.join("aliases.txt"), &aliases_txt())?;
    let mut rng = Rng::new(a.seed);
    let (mut bytes, mut hit_files, mut placed) = (0usize, 0usize, 0usize);
    let dense = a.mode == "dense";
    let is_hit = if dense {
        vec![true; a.files]
    } else {
        choose(&mut rng, a.files, a.files * a.hit_permille / 1000)
    };
    let ignored = choose(&mut rng, a.files, a.files * a.ignored_permille / 1000);
    if a.ignored_permille > 0 {
        write(&tree.join(".gitignore"), "# vendored copies\n/vendor/\n")?;
    }
    let mean = (a.mb * 1e6 / a.files.max(1) as f64) as usize;
    for (id, &hit) in is_hit.iter().enumerate() {
        let kind = a.kinds[id % a.kinds.len()];
        let doc = match a.mode.as_str() {
            "sparse" => {
                let size = mean * 4 / 10 + rng.below(mean * 12 / 10 + 1);
                let n = if hit { 1 + rng.below(4) } else { 0 };
                document_with(kind, &mut rng, id, size, n, a.near_miss)
            }
            "dense" => document_with(kind, &mut rng, id, mean, a.aliases, a.near_miss),
            "tiny" => tiny_document(&mut rng, id, hit, a.near_miss),
            other => return Err(format!("unknown mode {other} (sparse, dense or tiny)")),
        };
        let doc_aliases = if hit { doc.aliases } else { 0 };
        if !hit && holds_bounded_alias(&doc.text) {
            return Err(format!(
                "generator bug: file {id} holds an alias by accident"
            ));
        }
        let mut dir = tree.clone();
        // Ignored files are whole copies of the tree's shape under vendor/.
        if ignored[id] {
            dir.push("vendor");
        }
        dir.push(dir_of(a, id));
        let ext = if a.mode == "tiny" { "yaml" } else { kind.ext() };
        write(&dir.join(format!("inv-{id:05}.{ext}")), &doc.text)?;
        bytes += doc.text.len();
        if !ignored[id] {
            placed += doc_aliases;
            hit_files += usize::from(doc_aliases > 0);
        }
    }
    println!(
        "{}: {} files ({} ignored), {:.1} MB, {} files with aliases, {} aliases",
        a.out.display(),
        a.files,
        ignored.iter().filter(|&&i| i).count(),
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
