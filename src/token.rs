//! What a label token is, shared by the matcher ([`crate::matcher`]) and
//! the prefilter ([`crate::prefilter`]): an alias matches as a token only
//! when no [`is_label_byte`] touches it, and [`Trie`] finds the longest
//! alias that starts at a position and ends on such a boundary. One module,
//! so the prefilter can never count a hit that the matcher would not (issue
//! 19) and neither depends on the other.

/// A byte trie of the aliases (ASCII-lowercased when folding).
pub(crate) struct Trie {
    /// Node 0 is the root.
    nodes: Vec<TrieNode>,
    fold: bool,
}

#[derive(Default)]
struct TrieNode {
    /// `(byte, child node)`, sorted by byte.
    children: Vec<(u8, usize)>,
    /// The first alias (in rule order) that ends here: index into patterns.
    pattern: Option<usize>,
}

impl Trie {
    pub(crate) fn new(patterns: &[(String, usize)], fold: bool) -> Trie {
        let mut trie = Trie {
            nodes: vec![TrieNode::default()],
            fold,
        };
        for (i, (alias, _)) in patterns.iter().enumerate() {
            let mut node = 0;
            for &b in alias.as_bytes() {
                node = trie.child_or_insert(node, trie.key(b));
            }
            if let Some(n) = trie.nodes.get_mut(node) {
                n.pattern.get_or_insert(i);
            }
        }
        trie
    }

    fn key(&self, b: u8) -> u8 {
        if self.fold { b.to_ascii_lowercase() } else { b }
    }

    fn child(&self, node: usize, b: u8) -> Option<usize> {
        let children = &self.nodes.get(node)?.children;
        let i = children.binary_search_by_key(&b, |&(k, _)| k).ok()?;
        children.get(i).map(|&(_, c)| c)
    }

    fn child_or_insert(&mut self, node: usize, b: u8) -> usize {
        if let Some(c) = self.child(node, b) {
            return c;
        }
        let new = self.nodes.len();
        self.nodes.push(TrieNode::default());
        if let Some(n) = self.nodes.get_mut(node) {
            let at = n.children.partition_point(|&(k, _)| k < b);
            n.children.insert(at, (b, new));
        }
        new
    }

    /// The end and pattern of the longest alias at `p` that ends on a token
    /// boundary (the caller checked the byte before `p`).
    pub(crate) fn longest_token_at(&self, bytes: &[u8], p: usize) -> Option<(usize, usize)> {
        let mut node = 0;
        let mut best = None;
        for (i, &b) in bytes.iter().enumerate().skip(p) {
            let Some(next) = self.child(node, self.key(b)) else {
                break;
            };
            node = next;
            let pattern = self.nodes.get(node).and_then(|n| n.pattern);
            if let Some(pat) = pattern
                && !bytes.get(i + 1).is_some_and(|&b| is_label_byte(b))
            {
                best = Some((i + 1, pat));
            }
        }
        best
    }
}

/// A byte that continues a token: an alias touching one is not a match.
pub(crate) fn is_label_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}
