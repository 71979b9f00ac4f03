//! Which file type a path has (SPEC §8): the rule files' `[types]` entries
//! first, in file order, then the built-in map of the format registry
//! (`.yaml`/`.yml` → yaml, …; ASCII case ignored, so `HOSTS.YAML` is YAML).

use super::globs::{GlobOptions, PathGlobs};
use crate::formats::FileType;

/// One `[types]` entry.
#[derive(Clone, Debug)]
pub struct TypeEntry {
    pub globs: PathGlobs,
    pub file_type: FileType,
    /// `file:line` of the entry, for messages.
    pub origin: String,
    /// The glob as written.
    pub text: String,
}

/// The type of a file and where it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeSource {
    /// A `[types]` entry (index into [`TypeMap::entries`]): such a file is
    /// included without an `include` glob.
    Rules(usize),
    /// The built-in map.
    BuiltIn,
}

/// The whole type map.
#[derive(Clone, Debug)]
pub struct TypeMap {
    entries: Vec<TypeEntry>,
    /// The registry's globs, one [`PathGlobs`] per type in registry order,
    /// matched against the ASCII-lowercased path: the same as ignoring
    /// ASCII case (the globs are lowercase), without the regex that
    /// `globset` compiles for a case-insensitive glob (issue 19: tried on
    /// every walked path, one type after the other).
    builtin: Vec<(FileType, PathGlobs)>,
}

thread_local! {
    /// The lowercased path being typed, reused.
    static LOWERCASED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl TypeMap {
    pub fn new(entries: Vec<TypeEntry>) -> TypeMap {
        let builtin = FileType::ALL
            .into_iter()
            .filter_map(|t| {
                let globs = PathGlobs::new(t.spec().globs, GlobOptions::default()).ok()?;
                Some((t, globs))
            })
            .collect();
        TypeMap { entries, builtin }
    }

    pub fn entries(&self) -> &[TypeEntry] {
        &self.entries
    }

    /// The type of a file (path relative to the base directory).
    pub fn type_of(&self, rel: &str) -> Option<(FileType, TypeSource)> {
        if let Some((i, e)) = self
            .entries
            .iter()
            .enumerate()
            .find(|(_, e)| e.globs.is_match(rel))
        {
            return Some((e.file_type, TypeSource::Rules(i)));
        }
        let typed = |lower: &str| {
            self.builtin
                .iter()
                .find(|(_, g)| g.is_match(lower))
                .map(|(t, _)| (*t, TypeSource::BuiltIn))
        };
        if !rel.bytes().any(|b| b.is_ascii_uppercase()) {
            return typed(rel);
        }
        LOWERCASED.with(|cell| match cell.try_borrow_mut() {
            Ok(mut lower) => {
                lower.clear();
                lower.push_str(rel);
                lower.make_ascii_lowercase();
                typed(&lower)
            }
            Err(_) => typed(&rel.to_ascii_lowercase()),
        })
    }

    /// The `[types]` line that would give `rel` a type, for the warning
    /// about an included file without one: `"**/*.rules" = "…"`.
    pub fn suggestion(rel: &str) -> String {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let glob = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => format!("**/*.{ext}"),
            _ => format!("**/{name}"),
        };
        let types: Vec<&str> = FileType::ALL.iter().map(|t| t.name()).collect();
        format!("\"{glob}\" = \"{}\"", types.join("|"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_globs_are_lowercase() {
        // Matched against lowercased paths: an uppercase letter in one
        // (or a class such as `[A-Z]`) would never match.
        for t in FileType::ALL {
            for g in t.spec().globs {
                assert!(!g.bytes().any(|b| b.is_ascii_uppercase()), "{g}");
            }
        }
    }

    #[test]
    fn rules_entries_first_then_built_in() {
        let e = TypeEntry {
            globs: PathGlobs::new(&["**/*.rules", "weird.json"], GlobOptions::default()).unwrap(),
            file_type: FileType::Yaml,
            origin: "r.toml:3".into(),
            text: "**/*.rules".into(),
        };
        let m = TypeMap::new(vec![e]);
        assert_eq!(
            m.type_of("prom/alert.rules"),
            Some((FileType::Yaml, TypeSource::Rules(0)))
        );
        assert_eq!(
            m.type_of("a/weird.json"),
            Some((FileType::Yaml, TypeSource::Rules(0)))
        );
        assert_eq!(
            m.type_of("a/B.YML"),
            Some((FileType::Yaml, TypeSource::BuiltIn))
        );
        assert_eq!(
            m.type_of("x.json"),
            Some((FileType::Json, TypeSource::BuiltIn))
        );
        assert_eq!(m.type_of("x.conf"), None);
        // ASCII case is ignored, in directory names too; JSONC's paths are
        // JSON names, and JSONC is tried first.
        assert_eq!(
            m.type_of("A/.VSCode/Settings.JSON"),
            Some((FileType::Jsonc, TypeSource::BuiltIn))
        );
        assert_eq!(
            m.type_of("TSConfig.Base.json"),
            Some((FileType::Jsonc, TypeSource::BuiltIn))
        );
        assert_eq!(
            m.type_of("a/HOSTS.INI"),
            Some((FileType::Ini, TypeSource::BuiltIn))
        );
        assert_eq!(
            m.type_of("Site.YAML/notes.txt"),
            Some((FileType::Yaml, TypeSource::BuiltIn))
        );
        assert_eq!(
            m.type_of("É/x.Toml"),
            Some((FileType::Toml, TypeSource::BuiltIn))
        );
        assert!(TypeMap::suggestion("a/alert.rules").starts_with("\"**/*.rules\" = \""));
        assert!(TypeMap::suggestion("inv/hosts").starts_with("\"**/hosts\" = \""));
    }
}
