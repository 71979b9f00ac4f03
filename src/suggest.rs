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

/// Levenshtein distance over characters, one row of memory.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        // `diag` is the previous row's value at j, `left` this row's at j.
        let mut diag = i;
        let mut left = i + 1;
        for (cb, up) in b.iter().zip(row.iter_mut().skip(1)) {
            let value = (diag + usize::from(ca != *cb)).min(*up + 1).min(left + 1);
            diag = *up;
            *up = value;
            left = value;
        }
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
    }
    row.last().copied().unwrap_or(0)
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
