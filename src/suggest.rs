//! "Did you mean": the closest canonical name to an unknown label.

/// The candidate closest to `value` by edit distance (ASCII case folded),
/// when it is close: at most a third of the longer length, and at most 3.
/// Ties go to the first candidate in rule order.
pub fn closest<'a>(value: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let v = value.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = distance(&v, &c.to_ascii_lowercase());
        let limit = (v.chars().count().max(c.chars().count()) / 3).clamp(1, 3);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Levenshtein distance over characters, two rows of memory.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("pve", "pve"), 0);
        assert_eq!(distance("pve1", "pve"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn close_names_are_suggested_far_ones_are_not() {
        let names = ["pve", "proxmox-home"];
        assert_eq!(closest("pve1", names.into_iter()), Some("pve".into()));
        assert_eq!(
            closest("proxmox-hom", names.into_iter()),
            Some("proxmox-home".into())
        );
        assert_eq!(closest("PVE", names.into_iter()), Some("pve".into()));
        assert_eq!(closest("nas-backup", names.into_iter()), None);
    }
}
