//! Byte offsets ↔ 1-based line and character column.
//!
//! Everything internal is a byte offset into the original text; lines and
//! columns (counted in Unicode characters, as the SPEC asks) exist only for
//! display. A line ends at `\n`; a `\r` before it belongs to that line's end.

/// Line starts of a text, for offset → (line, column) lookups.
///
/// Columns are counted from character checkpoints every [`CHECKPOINT`]
/// bytes, so a lookup costs at most a few KB of counting however long the
/// line is: 200,000 findings on one 30 MB line stay linear, not quadratic.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// `(byte offset, characters before it)`, at char boundaries, ascending.
    checkpoints: Vec<(usize, usize)>,
}

/// Distance between character-count checkpoints, in bytes.
const CHECKPOINT: usize = 4096;

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()));
        let mut checkpoints = vec![(0, 0)];
        let (mut pos, mut chars) = (0, 0);
        while pos < text.len() {
            let mut next = (pos + CHECKPOINT).min(text.len());
            while !text.is_char_boundary(next) {
                next += 1;
            }
            chars += text.get(pos..next).map_or(0, |s| s.chars().count());
            checkpoints.push((next, chars));
            pos = next;
        }
        LineIndex {
            text,
            starts,
            checkpoints,
        }
    }

    /// Characters in `text[..offset]` (`offset` rounded down to a char
    /// boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let i = self.checkpoints.partition_point(|&(at, _)| at <= offset);
        let (at, before) = i
            .checked_sub(1)
            .and_then(|i| self.checkpoints.get(i))
            .copied()
            .unwrap_or((0, 0));
        before + self.text.get(at..offset).map_or(0, |s| s.chars().count())
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
        let mut column = self
            .chars_before(offset)
            .saturating_sub(self.chars_before(start));
        if line == 0 && offset >= 3 && self.text.starts_with('\u{feff}') {
            column = column.saturating_sub(1);
        }
        (line + 1, column + 1)
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
    fn columns_on_long_lines_match_a_plain_count() {
        let line = "aé€𝄞x".repeat(3000);
        let t = format!("\u{feff}{line}\n{line}");
        let idx = LineIndex::new(&t);
        for (i, _) in t.char_indices().step_by(97) {
            let start = t[..i].rfind('\n').map_or(0, |n| n + 1);
            let mut prefix = &t[start..i];
            if start == 0 {
                prefix = prefix.strip_prefix('\u{feff}').unwrap_or(prefix);
            }
            let line_no = t[..i].matches('\n').count() + 1;
            assert_eq!(
                idx.line_col(i),
                (line_no, prefix.chars().count() + 1),
                "at {i}"
            );
        }
        assert_eq!(idx.line_col(t.len()).0, 2);
    }

    #[test]
    fn offset_round_trips() {
        let t = "ab\néx\ny";
        let idx = LineIndex::new(t);
        assert_eq!(idx.offset(2, 1), t.find('x').unwrap());
        assert_eq!(idx.offset(3, 0), t.len() - 1);
    }
}
