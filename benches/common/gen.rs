//! Deterministic generator of inventory-like YAML / JSON / TOML documents and
//! the rule set that governs them, shared by the criterion benches
//! (`benches/formats.rs`) and the end-to-end tree generator
//! (`benches/tools/gen_inventory.rs`, driven by `benches/e2e.sh`).
//!
//! Everything comes from a seeded SplitMix64, so the same seed gives the same
//! bytes on every machine.

#![allow(dead_code)]

use std::fmt::Write as _;

/// SplitMix64: tiny, seedable, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Canonical names and their aliases (36 aliases in all).
pub const CANONICALS: &[(&str, [&str; 3])] = &[
    ("pve", ["pve-shop", "proxmox-shop", "shop-pve"]),
    ("proxmox-home", ["pve-home", "proxmox-hq", "home-pve"]),
    ("nas-main", ["nas01", "nas-old", "filer-a"]),
    ("k8s-prod", ["kube-prod", "prod-k8s", "k8s-production"]),
    ("k8s-stage", ["kube-stage", "stage-k8s", "k8s-staging"]),
    ("edge-gw", ["edge01", "gw-edge", "edge-gateway"]),
    ("backup-vault", ["bkp-vault", "vault-backup", "backup01"]),
    ("db-primary", ["db-master", "pg-primary", "db01"]),
    ("db-replica", ["db-slave", "pg-replica", "db02"]),
    ("mon-core", ["monitoring-core", "prom-core", "mon01"]),
    ("ci-runner", ["ci-agent", "build-runner", "ci01"]),
    ("dns-int", ["dns-internal", "int-dns", "ns01"]),
];

const ROLES: &[&str] = &[
    "web", "app", "cache", "queue", "worker", "proxy", "lb", "search", "log", "metrics",
];

const WORDS: &[&str] = &[
    "lorem",
    "ipsum",
    "dolor",
    "sit",
    "amet",
    "consectetur",
    "adipiscing",
    "elit",
    "sed",
    "eiusmod",
    "tempor",
    "incididunt",
    "labore",
    "dolore",
    "magna",
    "aliqua",
    "rack",
    "power",
    "uplink",
    "vlan",
    "storage",
    "replica",
    "snapshot",
    "retention",
    "weekly",
    "nightly",
];

const TAGS: &[&str] = &[
    "web", "frontend", "backend", "vlan-12", "ssd", "hdd", "gpu", "dmz",
];

/// The rule file that governs generated documents.
pub fn rules_toml() -> String {
    let mut s = String::from(
        "# Rules for driftfix's generated benchmark inventories.\nversion = 1\n\n\
         [paths]\ninclude = [\"**/*.yaml\", \"**/*.yml\", \"**/*.json\", \"**/*.toml\", \"**/*.ini\", \"**/*.jsonc\", \"**/*.txt\"]\n\n\
         [types]\n\"**/*.txt\" = \"text\"\n\n",
    );
    for (name, aliases) in CANONICALS {
        let list: Vec<String> = aliases.iter().map(|a| format!("\"{a}\"")).collect();
        let _ = writeln!(
            s,
            "[[canonical]]\nname = \"{name}\"\naliases = [{}]\n",
            list.join(", ")
        );
    }
    s.push_str(
        "[[field]]\nselect = [\"location\", \"proxmox_host\", \"host\", \"cluster\"]\n\
         keys_of = [\"hosts\"]\n\n\
         [[field]]\nselect = [\"url\"]\nmatch = \"token\"\n\n\
         [[field]]\ntypes = [\"text\"]\n",
    );
    s
}

/// Every alias, one a line (for `rg -F -f`).
pub fn aliases_txt() -> String {
    let mut s = String::new();
    for (_, aliases) in CANONICALS {
        for a in aliases {
            s.push_str(a);
            s.push('\n');
        }
    }
    s
}

pub fn all_aliases() -> Vec<&'static str> {
    CANONICALS
        .iter()
        .flat_map(|(_, a)| a.iter().copied())
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Yaml,
    Json,
    Toml,
    /// Ansible INI inventory.
    Ini,
    /// JSON with a comment.
    Jsonc,
    /// Prose notes, every line governed (`[types]` `*.txt` = text).
    Text,
}

impl Kind {
    pub fn ext(self) -> &'static str {
        match self {
            Kind::Yaml => "yaml",
            Kind::Json => "json",
            Kind::Toml => "toml",
            Kind::Ini => "ini",
            Kind::Jsonc => "jsonc",
            Kind::Text => "txt",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Some(match name {
            "yaml" => Kind::Yaml,
            "json" => Kind::Json,
            "toml" => Kind::Toml,
            "ini" => Kind::Ini,
            "jsonc" => Kind::Jsonc,
            "text" | "txt" => Kind::Text,
            _ => return None,
        })
    }
}

/// Names that hold an alias with a label byte touching it: not aliases
/// (`pve-shop` in `pve-shop-backup`), so never findings, but a plain
/// substring search finds them.
pub const NEAR_MISSES: &[&str] = &[
    "pve-shop-backup",
    "pve-homelab",
    "nas01b",
    "db01-old",
    "xkube-prod",
    "edge01_lab",
];

/// Whether `text` holds an alias that no `[A-Za-z0-9_-]` byte touches (a
/// possible finding); near-misses do not count.
pub fn holds_bounded_alias(text: &str) -> bool {
    let b = text.as_bytes();
    let label = |i: usize| {
        b.get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
    };
    all_aliases().iter().any(|a| {
        text.match_indices(a)
            .any(|(i, _)| (i == 0 || !label(i - 1)) && !label(i + a.len()))
    })
}

/// A tiny YAML file (~80 bytes): one host, canonical, a near-miss, or
/// (`hit`) an alias.
pub fn tiny_document(rng: &mut Rng, id: usize, hit: bool, near_miss: bool) -> Doc {
    let (name, aliases) = rng.pick(CANONICALS);
    let host = if hit {
        aliases[rng.below(3)]
    } else if near_miss {
        rng.pick(NEAR_MISSES)
    } else {
        name
    };
    Doc {
        text: format!(
            "name: app-{id:05}\nhost: {host}\nport: {}\n",
            1024 + rng.below(60000)
        ),
        aliases: usize::from(hit),
    }
}

/// Governed slots per entry: location, proxmox_host, url (token), host.
const SLOTS: usize = 4;

struct Entry {
    key: String,
    ip: String,
    canon: usize,
    tags: Vec<&'static str>,
    notes: String,
    port: usize,
}

/// One generated document.
pub struct Doc {
    pub text: String,
    /// Alias occurrences placed in governed fields.
    pub aliases: usize,
}

/// A document of about `target_bytes` with exactly `aliases` alias
/// occurrences in governed fields (fewer only when the document has fewer
/// governed slots). Every other label is canonical or an unrelated host name.
pub fn document(kind: Kind, rng: &mut Rng, id: usize, target_bytes: usize, aliases: usize) -> Doc {
    document_with(kind, rng, id, target_bytes, aliases, false)
}

/// [`document`], with a near-miss name ([`NEAR_MISSES`]) in every entry's
/// notes when `near_miss`.
pub fn document_with(
    kind: Kind,
    rng: &mut Rng,
    id: usize,
    target_bytes: usize,
    aliases: usize,
    near_miss: bool,
) -> Doc {
    let mut entries = Vec::new();
    let mut estimate = 200;
    while estimate < target_bytes || entries.len() < aliases.div_ceil(SLOTS) {
        let words = 6 + rng.below(18);
        let mut notes: Vec<&str> = (0..words).map(|_| *rng.pick(WORDS)).collect();
        if near_miss {
            let at = rng.below(notes.len());
            notes.insert(at, *rng.pick(NEAR_MISSES));
        }
        let ntags = 1 + rng.below(3);
        let entry = Entry {
            key: format!("{}-{:03}", rng.pick(ROLES), entries.len()),
            ip: format!(
                "10.{}.{}.{}",
                rng.below(256),
                rng.below(256),
                1 + rng.below(254)
            ),
            canon: rng.below(CANONICALS.len()),
            tags: (0..ntags).map(|_| *rng.pick(TAGS)).collect(),
            notes: notes.join(" "),
            port: 1024 + rng.below(60000),
        };
        estimate += 330 + entry.notes.len() * 2;
        entries.push(entry);
    }
    // Choose which governed slots hold an alias.
    let total = entries.len() * SLOTS;
    let mut alias_at = vec![None; total];
    let mut placed = 0;
    while placed < aliases.min(total) {
        let slot = rng.below(total);
        if alias_at[slot].is_none() {
            alias_at[slot] = Some(rng.below(3));
            placed += 1;
        }
    }
    let label = |i: usize, j: usize| -> &'static str {
        let (name, list) = &CANONICALS[entries[i].canon];
        match alias_at[i * SLOTS + j] {
            Some(a) => list[a],
            None => name,
        }
    };
    let cluster = CANONICALS[id % CANONICALS.len()].0;
    let mut s = String::with_capacity(target_bytes + 1024);
    match kind {
        Kind::Yaml => {
            let _ = writeln!(
                s,
                "# shard {id:05}: generated inventory for driftfix benches"
            );
            let _ = writeln!(
                s,
                "service: svc-{id:05}\nowner: team-{}\ncluster: {cluster}\nhosts:",
                id % 17
            );
            for (i, e) in entries.iter().enumerate() {
                let _ = writeln!(s, "  {}:", e.key);
                let _ = writeln!(s, "    ip: {}", e.ip);
                let _ = writeln!(s, "    location: {}", label(i, 0));
                let _ = writeln!(s, "    proxmox_host: \"{}\"", label(i, 1));
                let _ = writeln!(
                    s,
                    "    url: https://{}.lan:8006/api2/json/nodes/{}",
                    label(i, 2),
                    e.key
                );
                let _ = writeln!(s, "    tags: [{}]", e.tags.join(", "));
                let _ = writeln!(s, "    notes: {}  # {}", e.notes, e.port);
            }
            s.push_str("services:\n");
            for (i, e) in entries.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "  - name: {}\n    host: {}\n    port: {}",
                    e.key,
                    label(i, 3),
                    e.port
                );
                let _ = writeln!(s, "    description: '{}'", e.notes);
            }
        }
        Kind::Json => {
            let _ = write!(
                s,
                "{{\n  \"service\": \"svc-{id:05}\",\n  \"owner\": \"team-{}\",\n  \"cluster\": \"{cluster}\",\n  \"hosts\": {{",
                id % 17
            );
            for (i, e) in entries.iter().enumerate() {
                let sep = if i == 0 { "" } else { "," };
                let tags: Vec<String> = e.tags.iter().map(|t| format!("\"{t}\"")).collect();
                let _ = write!(
                    s,
                    "{sep}\n    \"{}\": {{\n      \"ip\": \"{}\",\n      \"location\": \"{}\",\n      \"proxmox_host\": \"{}\",\n      \"url\": \"https://{}.lan:8006/api2/json/nodes/{}\",\n      \"tags\": [{}],\n      \"notes\": \"{}\"\n    }}",
                    e.key,
                    e.ip,
                    label(i, 0),
                    label(i, 1),
                    label(i, 2),
                    e.key,
                    tags.join(", "),
                    e.notes
                );
            }
            s.push_str("\n  },\n  \"services\": [");
            for (i, e) in entries.iter().enumerate() {
                let sep = if i == 0 { "" } else { "," };
                let _ = write!(
                    s,
                    "{sep}\n    {{\"name\": \"{}\", \"host\": \"{}\", \"port\": {}, \"description\": \"{}\"}}",
                    e.key,
                    label(i, 3),
                    e.port,
                    e.notes
                );
            }
            s.push_str("\n  ]\n}\n");
        }
        Kind::Toml => {
            let _ = writeln!(
                s,
                "# shard {id:05}: generated inventory for driftfix benches"
            );
            let _ = writeln!(
                s,
                "service = \"svc-{id:05}\"\nowner = \"team-{}\"\ncluster = \"{cluster}\"",
                id % 17
            );
            for (i, e) in entries.iter().enumerate() {
                let tags: Vec<String> = e.tags.iter().map(|t| format!("\"{t}\"")).collect();
                let _ = writeln!(s, "\n[hosts.{}]", e.key);
                let _ = writeln!(s, "ip = \"{}\"", e.ip);
                let _ = writeln!(s, "location = \"{}\"", label(i, 0));
                let _ = writeln!(s, "proxmox_host = '{}'", label(i, 1));
                let _ = writeln!(
                    s,
                    "url = \"https://{}.lan:8006/api2/json/nodes/{}\"",
                    label(i, 2),
                    e.key
                );
                let _ = writeln!(s, "tags = [{}]", tags.join(", "));
                let _ = writeln!(s, "notes = \"{}\"  # {}", e.notes, e.port);
            }
            for (i, e) in entries.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "\n[[services]]\nname = \"{}\"\nhost = \"{}\"\nport = {}",
                    e.key,
                    label(i, 3),
                    e.port
                );
                let _ = writeln!(s, "description = '{}'", e.notes);
            }
        }
        Kind::Jsonc => {
            let _ = writeln!(
                s,
                "// shard {id:05}: generated inventory for driftfix benches"
            );
            // Same shape as JSON, with the aliases of this document's labels.
            let mut body = String::new();
            let _ = write!(body, "{{\n  \"cluster\": \"{cluster}\",\n  \"hosts\": {{");
            for (i, e) in entries.iter().enumerate() {
                let sep = if i == 0 { "" } else { "," };
                let _ = write!(
                    body,
                    "{sep}\n    \"{}\": {{\"ip\": \"{}\", \"location\": \"{}\", \"proxmox_host\": \"{}\", // {}\n      \"url\": \"https://{}.lan:8006/\", \"notes\": \"{}\"}}",
                    e.key,
                    e.ip,
                    label(i, 0),
                    label(i, 1),
                    e.port,
                    label(i, 2),
                    e.notes
                );
            }
            body.push_str(",\n  },\n  \"services\": [");
            for (i, e) in entries.iter().enumerate() {
                let sep = if i == 0 { "" } else { "," };
                let _ = write!(
                    body,
                    "{sep}\n    {{\"name\": \"{}\", \"host\": \"{}\"}}",
                    e.key,
                    label(i, 3)
                );
            }
            body.push_str("\n  ]\n}\n");
            s.push_str(&body);
        }
        Kind::Ini => {
            let _ = writeln!(
                s,
                "# shard {id:05}: generated inventory for driftfix benches"
            );
            let _ = writeln!(s, "[svc_{id:05}]");
            for (i, e) in entries.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "{} ansible_host={} location={} proxmox_host=\"{}\" url=https://{}.lan:8006/api2/json/nodes/{} host={} port={}",
                    e.key,
                    e.ip,
                    label(i, 0),
                    label(i, 1),
                    label(i, 2),
                    e.key,
                    label(i, 3),
                    e.port
                );
                let _ = writeln!(s, "; {}", e.notes);
            }
            let _ = writeln!(
                s,
                "\n[svc_{id:05}:vars]\ncluster={cluster}\nowner=team-{}",
                id % 17
            );
        }
        Kind::Text => {
            let _ = writeln!(s, "# Shard {id:05}: operations notes\n");
            for (i, e) in entries.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "- {} ({}) runs on {} and {}; console https://{}.lan:8006/ next to {}.",
                    e.key,
                    e.ip,
                    label(i, 0),
                    label(i, 1),
                    label(i, 2),
                    label(i, 3)
                );
                let _ = writeln!(s, "  {} (port {}).", e.notes, e.port);
            }
        }
    }
    Doc {
        text: s,
        aliases: placed,
    }
}
