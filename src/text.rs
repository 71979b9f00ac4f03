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
    starts: Starts,
    /// `(byte offset, characters before it)`, at char boundaries, ascending.
    checkpoints: Vec<(usize, usize)>,
}

/// Distance between character-count checkpoints, in bytes.
const CHECKPOINT: usize = 4096;

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let starts = Starts::new(text.as_bytes());
        let mut checkpoints = vec![(0, 0)];
        let (mut pos, mut chars) = (0, 0);
        while pos < text.len() {
            let mut next = (pos + CHECKPOINT).min(text.len());
            while !text.is_char_boundary(next) {
                next += 1;
            }
            chars += text.get(pos..next).map_or(0, count_chars);
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
        before + self.text.get(at..offset).map_or(0, count_chars)
    }

    /// Characters in `text[start..offset]` (`start` a line start, `offset`
    /// rounded down to a char boundary): counted directly when the span is
    /// shorter than a checkpoint interval (the usual line), else through the
    /// checkpoints, so a finding on a short line costs its line, not two
    /// counts of up to [`CHECKPOINT`] bytes (issue 19: 100,000 findings).
    fn chars_between(&self, start: usize, offset: usize) -> usize {
        if offset.saturating_sub(start) <= CHECKPOINT {
            let mut end = offset.min(self.text.len());
            while !self.text.is_char_boundary(end) {
                end -= 1;
            }
            return self.text.get(start..end).map_or(0, count_chars);
        }
        self.chars_before(offset)
            .saturating_sub(self.chars_before(start))
    }

    /// 1-based line and 1-based character column of byte `offset`.
    /// A leading UTF-8 BOM is not counted as a column.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.line_of(offset);
        let start = self.starts.get(line).unwrap_or(0);
        let mut column = self.chars_between(start, offset);
        if line == 0 && offset >= 3 && self.text.starts_with('\u{feff}') {
            column = column.saturating_sub(1);
        }
        (line + 1, column + 1)
    }

    /// Byte offset of the start of 1-based `line` (clamped to the text).
    pub fn line_start(&self, line: usize) -> usize {
        match line.checked_sub(1).and_then(|i| self.starts.get(i)) {
            Some(s) => s,
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

/// The source line an error points at, kept with the error so that its
/// code frame can be drawn later without reading the file again — cut to
/// at most [`SourceLine::RADIUS`] characters either side of the column, so
/// that an error in a 30 MB one-line JSON file keeps 100 characters (a
/// terminal line), not the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceLine {
    /// 1-based line number in the file.
    pub line: usize,
    /// The kept part of the line, without its line break (and, on line 1,
    /// without a UTF-8 BOM).
    pub text: String,
    /// 1-based character column of the position in `text` (one past its
    /// last character when the position is the end of the line).
    pub column: usize,
    /// Whether characters were cut before and after `text`.
    pub cut_before: bool,
    pub cut_after: bool,
}

impl SourceLine {
    /// Characters kept either side of the column.
    pub const RADIUS: usize = 50;

    /// The line of `text` at 1-based `line` and character `column`, as
    /// [`LineIndex::line_col`] counts them; `None` past the last line.
    pub fn of(text: &str, line: usize, column: usize) -> Option<SourceLine> {
        let raw = text.split('\n').nth(line.checked_sub(1)?)?;
        let mut raw = raw.strip_suffix('\r').unwrap_or(raw);
        if line == 1 {
            raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        }
        let total = raw.chars().count();
        let column = column.clamp(1, total + 1);
        let skip = (column - 1).saturating_sub(Self::RADIUS);
        let kept: String = raw.chars().skip(skip).take(2 * Self::RADIUS).collect();
        let kept_len = kept.chars().count();
        Some(SourceLine {
            line,
            text: kept,
            column: column - skip,
            cut_before: skip > 0,
            cut_after: skip + kept_len < total,
        })
    }
}

/// Characters of `s`: its length when it is ASCII (the usual inventory
/// line), which is checked faster than characters are counted.
fn count_chars(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// Whether `bytes` holds `needle`. `<[u8]>::contains` goes a byte (or a
/// word) at a time (issue 19: 5% of a near-miss scan, for the NUL check of
/// every file); folding 64-byte blocks without an early exit inside a
/// block lets the compiler use vector compares.
pub(crate) fn has_byte(bytes: &[u8], needle: u8) -> bool {
    let mut blocks = bytes.chunks_exact(64);
    let found = blocks
        .by_ref()
        .any(|block| block.iter().fold(false, |any, &b| any | (b == needle)));
    found || blocks.remainder().contains(&needle)
}

/// Line starts (0 and every offset after a `\n`), sized exactly, in 4
/// bytes each where the text allows: a 26.8 MB file's were 8 MB, grown by
/// doubling, at the peak of its planning (issue 19).
enum Starts {
    Narrow(Vec<u32>),
    Wide(Vec<usize>),
}

impl Starts {
    fn new(bytes: &[u8]) -> Starts {
        let n = 1 + bytes.iter().filter(|&&b| b == b'\n').count();
        let all = std::iter::once(0).chain(memchr_newlines(bytes));
        if u32::try_from(bytes.len()).is_ok() {
            let mut v = Vec::with_capacity(n);
            v.extend(all.map(|i| u32::try_from(i).unwrap_or(u32::MAX)));
            Starts::Narrow(v)
        } else {
            let mut v = Vec::with_capacity(n);
            v.extend(all);
            Starts::Wide(v)
        }
    }

    /// The 0-based line of `offset` (the last start at or before it).
    fn line_of(&self, offset: usize) -> usize {
        let after = match self {
            Starts::Narrow(v) => v.partition_point(|&s| s as usize <= offset),
            Starts::Wide(v) => v.partition_point(|&s| s <= offset),
        };
        after.saturating_sub(1)
    }

    fn get(&self, i: usize) -> Option<usize> {
        match self {
            Starts::Narrow(v) => v.get(i).map(|&s| s as usize),
            Starts::Wide(v) => v.get(i).copied(),
        }
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
    fn source_lines_are_cut_around_the_column() {
        let t = "\u{feff}a: b\r\nx: [é\n";
        let first = SourceLine::of(t, 1, 1).unwrap();
        assert_eq!((first.text.as_str(), first.column), ("a: b", 1));
        let second = SourceLine::of(t, 2, 6).unwrap();
        assert_eq!((second.text.as_str(), second.column), ("x: [é", 6));
        assert!(!second.cut_before && !second.cut_after);
        assert_eq!(SourceLine::of(t, 4, 1), None);
        let long = format!("{}X{}", "a".repeat(1000), "b".repeat(1000));
        let cut = SourceLine::of(&long, 1, 1001).unwrap();
        assert_eq!(cut.text.chars().count(), 2 * SourceLine::RADIUS);
        assert_eq!(cut.text.chars().nth(cut.column - 1), Some('X'));
        assert!(cut.cut_before && cut.cut_after);
    }

    #[test]
    fn has_byte_finds_a_byte_anywhere() {
        for len in [0, 1, 63, 64, 65, 200] {
            let mut v = vec![b'a'; len];
            assert!(!has_byte(&v, 0));
            for at in (0..len).step_by(7).chain(len.checked_sub(1)) {
                v[at] = 0;
                assert!(has_byte(&v, 0), "len {len} at {at}");
                v[at] = b'a';
            }
        }
    }

    #[test]
    fn offset_round_trips() {
        let t = "ab\néx\ny";
        let idx = LineIndex::new(t);
        assert_eq!(idx.offset(2, 1), t.find('x').unwrap());
        assert_eq!(idx.offset(3, 0), t.len() - 1);
    }
}
