//! Byte offsets ↔ 1-based line and character column.
//!
//! Everything internal is a byte offset into the original text; lines and
//! columns (counted in Unicode characters, as the SPEC asks) exist only for
//! display. A line ends at `\n`; a `\r` before it belongs to that line's end.

/// Line starts of a text, for offset → (line, column) lookups.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()));
        LineIndex { text, starts }
    }

    /// 1-based line and 1-based character column of byte `offset`.
    /// A leading UTF-8 BOM is not counted as a column.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let mut prefix = self.text.get(start..offset).unwrap_or("");
        if line == 0 {
            prefix = prefix.strip_prefix('\u{feff}').unwrap_or(prefix);
        }
        (line + 1, prefix.chars().count() + 1)
    }

    /// Byte offset of the start of 1-based `line` (clamped to the text).
    pub fn line_start(&self, line: usize) -> usize {
        match line.checked_sub(1).and_then(|i| self.starts.get(i)) {
            Some(&s) => s,
            None => self.text.len(),
        }
    }

    /// Byte offset of 1-based `line` and 0-based character column `col`.
    pub fn offset(&self, line: usize, col: usize) -> usize {
        let start = self.line_start(line);
        let rest = &self.text[start..];
        rest.char_indices()
            .nth(col)
            .map(|(i, _)| start + i)
            .unwrap_or(self.text.len())
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let t = "a: é pve\nb: x\r\nc";
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(t.find("pve").unwrap()), (1, 6));
        assert_eq!(idx.line_col(t.find('x').unwrap()), (2, 4));
        assert_eq!(idx.line_col(t.len() - 1), (3, 1));
    }

    #[test]
    fn bom_is_not_a_column() {
        let t = "\u{feff}k: v";
        let idx = LineIndex::new(t);
        assert_eq!(idx.line_col(3), (1, 1));
        assert_eq!(idx.line_col(t.find('v').unwrap()), (1, 4));
    }

    #[test]
    fn offset_round_trips() {
        let t = "ab\néx\ny";
        let idx = LineIndex::new(t);
        assert_eq!(idx.offset(2, 1), t.find('x').unwrap());
        assert_eq!(idx.offset(3, 0), t.len() - 1);
    }
}
