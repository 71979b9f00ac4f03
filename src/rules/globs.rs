//! Path globs of the rule file, with `.gitignore` semantics (SPEC §8): a
//! glob without `/` matches a file or directory name at any depth, one with
//! `/` is anchored at the base directory, a glob that matches a directory
//! matches everything under it, and a trailing `/` matches directories only.
//! So `platform`, `platform/` and `platform/**` all exclude the tree.
//!
//! Each pattern compiles to a few globset globs; the set remembers which
//! pattern each came from, so messages can name the glob that matched and
//! `rules check` can name the ones that never did.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// A list of path patterns, compiled.
#[derive(Clone, Debug)]
pub struct PathGlobs {
    /// Matches files (and, through `X/**`, everything under a directory).
    files: GlobSet,
    files_owner: Vec<usize>,
    /// The same globs for [`PathGlobs::is_match`], split: those that a
    /// path matches by its own name ...
    own: GlobSet,
    /// ... and the `X/**` forms, which match a path when `X` matches one
    /// of its directories: their answer is the same for every file of a
    /// directory, so it is kept per directory (issue 19: globset runs them
    /// as a regex, for every walked path and every set it is tried in).
    under: GlobSet,
    /// Tells this set's answers apart in [`UNDER`] (clones share it:
    /// their answers are the same).
    id: u64,
    /// Matches directories by their own path (`X` itself).
    dirs: GlobSet,
    dirs_owner: Vec<usize>,
    /// The patterns as written.
    patterns: Vec<String>,
}

impl Default for PathGlobs {
    fn default() -> PathGlobs {
        PathGlobs {
            files: GlobSet::empty(),
            files_owner: Vec::new(),
            own: GlobSet::empty(),
            under: GlobSet::empty(),
            id: 0,
            dirs: GlobSet::empty(),
            dirs_owner: Vec::new(),
            patterns: Vec::new(),
        }
    }
}

/// How to compile patterns.
#[derive(Clone, Copy, Debug, Default)]
pub struct GlobOptions {
    /// ASCII case ignored (the built-in type map: `HOSTS.YAML` is YAML).
    pub case_insensitive: bool,
}

impl PathGlobs {
    /// Compiles `patterns`; `Err((index, message))` names the bad one.
    pub fn new<S: AsRef<str>>(
        patterns: &[S],
        options: GlobOptions,
    ) -> Result<PathGlobs, (usize, String)> {
        let mut files = GlobSetBuilder::new();
        let mut own = GlobSetBuilder::new();
        let mut under = GlobSetBuilder::new();
        let mut dirs = GlobSetBuilder::new();
        let mut out = PathGlobs {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            ..PathGlobs::default()
        };
        for (i, p) in patterns.iter().enumerate() {
            let p = p.as_ref();
            let forms = forms(p).map_err(|m| (i, m))?;
            for g in forms.files {
                let glob = compile(&g, p, options).map_err(|m| (i, m))?;
                if is_under_form(&g) {
                    under.add(glob.clone());
                } else {
                    own.add(glob.clone());
                }
                files.add(glob);
                out.files_owner.push(i);
            }
            for g in forms.dirs {
                dirs.add(compile(&g, p, options).map_err(|m| (i, m))?);
                out.dirs_owner.push(i);
            }
            out.patterns.push(p.to_string());
        }
        out.files = files.build().map_err(|e| (0, e.to_string()))?;
        out.own = own.build().map_err(|e| (0, e.to_string()))?;
        out.under = under.build().map_err(|e| (0, e.to_string()))?;
        out.dirs = dirs.build().map_err(|e| (0, e.to_string()))?;
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether a file (path relative to the base, `/`-separated) matches.
    pub fn is_match(&self, rel: &str) -> bool {
        if self.own.is_match(rel) {
            return true;
        }
        if self.under.is_empty() {
            return false;
        }
        // `X/**` needs a `/` after what `X` matches: a directory of `rel`.
        let Some((dir, _)) = rel.rsplit_once('/') else {
            return false;
        };
        UNDER.with(|cell| {
            let Ok(mut seen) = cell.try_borrow_mut() else {
                return self.under.is_match(rel);
            };
            if let Some((_, last, hit)) = seen.iter_mut().find(|(id, _, _)| *id == self.id) {
                if last != dir {
                    last.clear();
                    last.push_str(dir);
                    *hit = self.under.is_match(rel);
                }
                return *hit;
            }
            let hit = self.under.is_match(rel);
            if seen.len() >= KEEP_UNDER {
                // Sets come and go (tests, `rules check`): forget them all.
                seen.clear();
            }
            seen.push((self.id, dir.to_string(), hit));
            hit
        })
    }

    /// The first pattern (by index) that matches a file.
    pub fn first_match(&self, rel: &str) -> Option<usize> {
        first(&self.files.matches(rel), &self.files_owner)
    }

    /// The first pattern that matches a directory (itself, or as a parent).
    pub fn first_dir_match(&self, rel: &str) -> Option<usize> {
        let own = first(&self.dirs.matches(rel), &self.dirs_owner);
        let inside = first(&self.files.matches(rel), &self.files_owner);
        match (own, inside) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The patterns (by index, possibly repeated) that match a file, into
    /// `out` (cleared first; reused across calls).
    pub fn matching_patterns_into(&self, rel: &str, out: &mut Vec<usize>) {
        self.files.matches_into(rel, out);
        for g in out.iter_mut() {
            *g = self.files_owner.get(*g).copied().unwrap_or(usize::MAX);
        }
    }

    /// Whether a directory matches (so everything under it does).
    pub fn matches_dir(&self, rel: &str) -> bool {
        self.dirs.is_match(rel) || self.files.is_match(rel)
    }

    /// The text of pattern `i`.
    pub fn pattern(&self, i: usize) -> Option<&str> {
        self.patterns.get(i).map(String::as_str)
    }
}

/// Whether a glob is `X/**` with an `X` that names something (a
/// character other than `*` and `/`): globset matches it as `X`, a `/`,
/// then anything, so a path matches when `X` matches one of its
/// directories. (`**/**` and the like match any path, even a top-level
/// file: never kept per directory.)
fn is_under_form(glob: &str) -> bool {
    glob.strip_suffix("/**")
        .is_some_and(|x| x.bytes().any(|b| b != b'*' && b != b'/'))
}

/// How many sets' answers [`UNDER`] keeps per thread (a run tries a few
/// dozen sets per path).
const KEEP_UNDER: usize = 64;

/// Gives each compiled set its [`PathGlobs::id`].
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// Per set (by id): the directory its `X/**` forms were last asked
    /// about on this thread, and their answer. A walker thread lists one
    /// directory's files one after the other.
    static UNDER: RefCell<Vec<(u64, String, bool)>> = const { RefCell::new(Vec::new()) };
}

fn first(hits: &[usize], owner: &[usize]) -> Option<usize> {
    hits.iter().filter_map(|&g| owner.get(g).copied()).min()
}

/// The globset globs one pattern stands for.
struct Forms {
    files: Vec<String>,
    dirs: Vec<String>,
}

fn forms(pattern: &str) -> Result<Forms, String> {
    let p = pattern.strip_prefix("./").unwrap_or(pattern);
    if p.is_empty() {
        return Err("empty glob".into());
    }
    // As in `.gitignore`, a leading `/` anchors the glob at the base
    // directory (`/platform` is `platform` there, never `a/platform`).
    let (anchored, p) = match p.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, p),
    };
    if p.is_empty() || p.starts_with('/') {
        return Err(format!(
            "bad glob `{pattern}`: globs are relative to the base directory, not absolute"
        ));
    }
    let dir_only = p.len() > 1 && p.ends_with('/');
    let p = p.trim_end_matches('/');
    let base = if anchored || p.contains('/') {
        p.to_string()
    } else {
        format!("**/{p}")
    };
    // `X/**` already matches everything under X: no second form needed.
    let under = if base.ends_with("/**") || base == "**" {
        base.clone()
    } else {
        format!("{base}/**")
    };
    // `X/**` matches everything under X, so X itself can be pruned.
    let dir = match base.strip_suffix("/**") {
        Some(d) if !d.is_empty() => d.to_string(),
        _ => base.clone(),
    };
    Ok(if dir_only {
        Forms {
            files: vec![under],
            dirs: vec![dir],
        }
    } else {
        let mut files = vec![base.clone()];
        if under != base {
            files.push(under);
        }
        Forms {
            files,
            dirs: vec![dir],
        }
    })
}

fn compile(glob: &str, pattern: &str, options: GlobOptions) -> Result<globset::Glob, String> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .case_insensitive(options.case_insensitive)
        .build()
        .map_err(|e| format!("bad glob `{pattern}`: {}", e.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(p: &[&str]) -> PathGlobs {
        PathGlobs::new(p, GlobOptions::default()).unwrap()
    }

    #[test]
    fn answers_kept_per_directory_are_the_answers_of_the_whole_set() {
        let sets: Vec<PathGlobs> = [
            &["**/*.yaml", "platform"][..],
            &["platform/"],
            &["/apps/**", "x*"],
            &["**/*.d/*.yaml", "**"],
            &["apps/platform", "*.ini"],
            &["**/**"],
            &["*/**"],
            &["**/*/**", "?/**"],
            &["apps/**/**", "{apps,z}/pl*/"],
            &["[xz]*/**"],
        ]
        .iter()
        .map(|p| globs(p))
        .collect();
        let paths = [
            "a.yaml",
            "apps/platform/a.yaml",
            "apps/platform/b.ini",
            "apps/x/c.json",
            "apps/platform/d.json",
            "conf.d/a.yaml",
            "conf.d/b.json",
            "z/platform/q.txt",
            "z/platform/r.yaml",
            "xa/b.c",
            "apps/platform/e.txt",
            "q/r/s/t.yaml",
            "a/b.yaml",
        ];
        // Twice, each path asked of every set in turn (the same directory
        // again and again, then another one), as the walk asks.
        for _ in 0..2 {
            for path in paths {
                for (i, g) in sets.iter().enumerate() {
                    assert_eq!(g.is_match(path), g.files.is_match(path), "set {i}, {path}");
                }
            }
        }
    }

    #[test]
    fn gitignore_semantics() {
        for p in ["platform", "platform/", "platform/**"] {
            let g = globs(&[p]);
            assert!(g.is_match("platform/a.yaml"), "{p}");
            assert!(g.is_match("platform/x/b.yaml"), "{p}");
            assert!(g.matches_dir("platform"), "{p}");
            assert!(!g.is_match("platforms/a.yaml"), "{p}");
        }
        // Without `/`: a name at any depth.
        let g = globs(&["platform"]);
        assert!(g.is_match("apps/platform/a.yaml"));
        assert!(g.is_match("apps/platform"));
        // A trailing `/` matches directories only.
        assert!(!globs(&["platform/"]).is_match("apps/platform"));
        // A leading `/` anchors, as in `.gitignore`.
        let g = globs(&["/platform"]);
        assert!(g.is_match("platform/a.yaml"));
        assert!(g.matches_dir("platform"));
        assert!(!g.is_match("apps/platform/a.yaml"));
        assert!(PathGlobs::new(&["/"], GlobOptions::default()).is_err());
        // With `/`: anchored.
        let g = globs(&["apps/platform"]);
        assert!(g.is_match("apps/platform/a.yaml"));
        assert!(!g.is_match("x/apps/platform/a.yaml"));
        // `*` stays within a name; without `/` it matches at any depth.
        let g = globs(&["*.ini"]);
        assert!(g.is_match("inventory.ini") && g.is_match("a/b/hosts.ini"));
        let g = globs(&["spine/*.yaml"]);
        assert!(g.is_match("spine/a.yaml") && !g.is_match("spine/x/a.yaml"));
        assert!(globs(&["./spine/**"]).is_match("spine/a/b.yaml"));
    }

    #[test]
    fn names_the_first_pattern_that_matched() {
        let g = globs(&["legacy/**", "**/*.md", "notes"]);
        assert_eq!(g.first_match("legacy/a.md"), Some(0));
        assert_eq!(g.first_match("x/a.md"), Some(1));
        assert_eq!(g.first_match("x/notes/y.txt"), Some(2));
        assert_eq!(g.first_dir_match("x/notes"), Some(2));
        assert_eq!(g.first_match("x/y.txt"), None);
    }

    #[test]
    fn case_insensitive_when_asked() {
        let g = PathGlobs::new(
            &["**/*.yaml"],
            GlobOptions {
                case_insensitive: true,
            },
        )
        .unwrap();
        assert!(g.is_match("HOSTS.YAML"));
        assert!(!globs(&["**/*.yaml"]).is_match("HOSTS.YAML"));
    }

    #[test]
    fn bad_globs_are_named() {
        assert_eq!(
            // A leading `/` anchors (as in `.gitignore`); `//abs` is
            // still an absolute path, not a glob.
            PathGlobs::new(&["ok/**", "//abs"], GlobOptions::default())
                .unwrap_err()
                .0,
            1
        );
        assert!(PathGlobs::new(&["a[", "x"], GlobOptions::default()).is_err());
        assert!(PathGlobs::new(&[""], GlobOptions::default()).is_err());
    }
}
