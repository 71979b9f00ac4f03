//! Escape decoding for the prefilter: one format-agnostic pass that turns
//! every backslash escape that JSON, JSONC, YAML, TOML or a Python literal
//! (INI values) may hold into what it stands for, so an alias written with
//! escapes (`"pve\u002dshop"`) is found by the plain search.
//!
//! It is a *superset* decoder, never the parser: it decodes escapes
//! outside strings too and takes the widest reading where the formats
//! differ (`\0` followed by digits is read as octal). A wrong reading only
//! makes a file parsed that did not need to be; the raw bytes are searched
//! as well, so nothing written literally is lost.

/// Decodes `bytes` into `out` (cleared first). Returns `false` when an
/// escape cannot be decoded without context (`\N{NAME}` of Python): the
/// caller must then assume a hit.
pub(super) fn decode(bytes: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    out.reserve(bytes.len());
    let mut i = 0;
    while let Some(off) = bytes.get(i..).and_then(memchr_backslash) {
        out.extend_from_slice(bytes.get(i..i + off).unwrap_or_default());
        i += off;
        match escape_at(bytes, i) {
            Escape::Char(c, len) => {
                let mut tmp = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                i += len;
            }
            Escape::Nothing(len) => i += len,
            Escape::Literal => {
                out.push(b'\\');
                i += 1;
            }
            Escape::Unknown => return false,
        }
    }
    out.extend_from_slice(bytes.get(i..).unwrap_or_default());
    true
}

fn memchr_backslash(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\\')
}

/// What the escape starting at a backslash stands for.
enum Escape {
    /// A character, and the length of the escape in bytes.
    Char(char, usize),
    /// Nothing (an escaped line break and the white space after it).
    Nothing(usize),
    /// Not an escape: the backslash stands for itself.
    Literal,
    /// Decodable only with context.
    Unknown,
}

fn escape_at(bytes: &[u8], at: usize) -> Escape {
    let rest = bytes.get(at + 1..).unwrap_or_default();
    let Some(&kind) = rest.first() else {
        return Escape::Literal;
    };
    let simple = |c: char| Escape::Char(c, 2);
    match kind {
        b'u' => hex(rest, 4).map_or(Escape::Literal, |cp| unicode(bytes, at, cp)),
        b'U' => hex(rest, 8).map_or(Escape::Literal, |cp| code_point(cp, 10)),
        b'x' => hex(rest, 2).map_or(Escape::Literal, |cp| code_point(cp, 4)),
        b'N' if rest.get(1) == Some(&b'{') => Escape::Unknown,
        b'0'..=b'7' => octal(rest),
        b'n' => simple('\n'),
        b't' => simple('\t'),
        b'r' => simple('\r'),
        b'b' => simple('\u{8}'),
        b'f' => simple('\u{c}'),
        b'a' => simple('\u{7}'),
        b'v' => simple('\u{b}'),
        b'e' => simple('\u{1b}'),
        b'N' => simple('\u{85}'),
        b'_' => simple('\u{a0}'),
        b'L' => simple('\u{2028}'),
        b'P' => simple('\u{2029}'),
        b'/' | b'\\' | b'"' | b'\'' | b' ' | b'\t' => simple(char::from(kind)),
        b'\r' | b'\n' => line_continuation(rest),
        _ => Escape::Literal,
    }
}

/// `n` hex digits after the escape letter, as a number.
fn hex(rest: &[u8], n: usize) -> Option<u32> {
    let digits = rest.get(1..=n)?;
    let s = std::str::from_utf8(digits).ok()?;
    if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

fn code_point(cp: u32, len: usize) -> Escape {
    Escape::Char(char::from_u32(cp).unwrap_or('\u{fffd}'), len)
}

/// `\uXXXX`, joining a surrogate pair written as two escapes.
fn unicode(bytes: &[u8], at: usize, cp: u32) -> Escape {
    if (0xD800..0xDC00).contains(&cp) {
        let next = bytes.get(at + 6..).unwrap_or_default();
        if next.first() == Some(&b'\\')
            && next.get(1) == Some(&b'u')
            && let Some(low) = hex(next.get(1..).unwrap_or_default(), 4)
            && (0xDC00..0xE000).contains(&low)
        {
            let c = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            return code_point(c, 12);
        }
    }
    code_point(cp, 6)
}

/// `\o`, `\oo` or `\ooo` (Python); YAML's `\0` is the one-digit case.
fn octal(rest: &[u8]) -> Escape {
    let digits = rest
        .iter()
        .take(3)
        .take_while(|b| (b'0'..=b'7').contains(b))
        .count();
    let value = rest
        .get(..digits)
        .unwrap_or_default()
        .iter()
        .fold(0u32, |v, &b| v * 8 + u32::from(b - b'0'));
    code_point(value, 1 + digits)
}

/// A backslash before a line break (YAML double-quoted, TOML multi-line
/// basic strings, Python): the break and the white space after it vanish.
fn line_continuation(rest: &[u8]) -> Escape {
    let skipped = rest
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count();
    Escape::Nothing(1 + skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &[u8]) -> Option<String> {
        let mut out = Vec::new();
        decode(s, &mut out).then(|| String::from_utf8(out).unwrap())
    }

    #[test]
    fn decodes_what_the_formats_decode() {
        assert_eq!(d(br"pve\u002dshop").unwrap(), "pve-shop");
        assert_eq!(d(br"\U00000070ve").unwrap(), "pve");
        assert_eq!(d(br"pve\x2dshop").unwrap(), "pve-shop");
        assert_eq!(d(br"pve\055shop").unwrap(), "pve-shop");
        assert_eq!(d(br#"a\tb\\c\/d\""#).unwrap(), "a\tb\\c/d\"");
        assert_eq!(d(b"pve-\\\n   shop").unwrap(), "pve-shop");
        assert_eq!(d(br"\ud83d\ude00!").unwrap(), "\u{1f600}!");
        assert_eq!(d(br"C:\temp\qx\").unwrap(), "C:\temp\\qx\\");
        assert_eq!(d(br"\u12"), Some("\\u12".into()));
        assert_eq!(d(br"\N{HYPHEN-MINUS}"), None);
    }
}
