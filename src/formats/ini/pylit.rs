//! What `ast.literal_eval` makes of an INI value, as ansible-core's ini
//! plugin uses it (`_parse_value`): a Python literal becomes that value, and
//! anything that is not one (a `SyntaxError` or `ValueError`) stays the text
//! itself, as a string.
//!
//! Only the outcome matters here, not the value of numbers or containers:
//!
//! - [`Lit::Str`]: one `str` literal, or several concatenated (`'a' "b"`),
//!   maybe in grouping parentheses (`('a')`): its decoded value and the
//!   stretches that stand verbatim in the source;
//! - [`Lit::Other`]: any other literal (numbers, `True`/`False`/`None`,
//!   `...`, tuples, lists, dicts, sets, bytes, and `str` literals this module
//!   does not decode: `\N{…}` names and lone surrogates). Ansible's value is
//!   not a string we can match, so it is never a label;
//! - [`Lit::Text`]: not a literal: ansible-core keeps the text as it is.
//!
//! The reading errs towards [`Lit::Text`] only where Python also fails; when
//! unsure whether Python accepts a form, a number-like or container-like
//! text is classed [`Lit::Other`] (never matched), never [`Lit::Text`].
//! Checked against CPython 3.11 through `ansible-inventory --list`
//! (ansible-core 2.19): `v=1,2` is the list `[1, 2]`, `v=(1)` is `1`,
//! `v=0777` and `v=-x` stay strings, `v=1_000` is `1000`,
//! `v=8080 # c` is `8080` (a Python comment), `v=pve-shop # c` is the string
//! `pve-shop # c`, `v=[pve-shop]` is the string `[pve-shop]`.
//!
//! `literal_eval` can also raise errors ansible-core does not catch (a list
//! as a dict key or set member: `TypeError`): those are [`Unsupported`].

use std::ops::Range;

use crate::formats::Piece;

/// The outcome of `ast.literal_eval` on a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lit {
    Str { value: String, pieces: Vec<Piece> },
    Other,
    Text,
}

/// A value that ansible-core itself fails on (an uncaught `TypeError`), or
/// that is nested deeper than this reader follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported(pub String);

/// The reading of one value: its outcome and, for a literal, the Python
/// comment after it (`8080 # port`), as a byte range of the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reading {
    pub lit: Lit,
    pub comment: Option<Range<usize>>,
}

/// Deepest nesting of brackets: CPython's tokenizer refuses a 201st open
/// bracket ("too many nested parentheses", a `SyntaxError`), so the text
/// stays a string.
const MAX_NESTING: usize = 200;

/// CPython 3.11 refuses to convert integer literals longer than this
/// (`ValueError: Exceeds the limit (4300 digits)`), so they stay text.
const MAX_INT_DIGITS: usize = 4300;

/// Reads `s` as `ast.literal_eval` would (after ansible-core stripped it).
pub fn read(s: &str) -> Result<Reading, Unsupported> {
    let (tokens, comment) = match lex(s) {
        Some(t) => t,
        None => {
            return Ok(Reading {
                lit: Lit::Text,
                comment: None,
            });
        }
    };
    let mut p = Parser {
        tokens: &tokens,
        at: 0,
        depth: 0,
    };
    let lit = match p.top()? {
        Some(Val::Str(value, pieces)) => Lit::Str { value, pieces },
        Some(_) => Lit::Other,
        None => Lit::Text,
    };
    let comment = if lit == Lit::Text { None } else { comment };
    Ok(Reading { lit, comment })
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    /// A real (int or float) number.
    Real,
    /// An imaginary number (`2j`).
    Imag,
    /// A `str` literal: decoded value and verbatim pieces; `None` when it
    /// holds an escape this module does not decode.
    Str(Option<(String, Vec<Piece>)>),
    Bytes,
    /// `True`, `False`, `None`, `...`
    Const,
    /// `set` (only `set()` is a literal).
    Set,
    Punct(u8),
}

/// Splits `s` into Python tokens; `None` when Python's tokenizer or
/// `literal_eval` would fail on a token alone (a name, an operator that no
/// literal uses, a malformed number or string).
fn lex(s: &str) -> Option<(Vec<Tok>, Option<Range<usize>>)> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\x0c' => i += 1,
            b'#' => return Some((out, Some(i..s.len()))),
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b':' | b'+' | b'-' => {
                out.push(Tok::Punct(b));
                i += 1;
            }
            b'\'' | b'"' => {
                let (tok, end) = string(s, i, "")?;
                out.push(tok);
                i = end;
            }
            b'0'..=b'9' => {
                let (tok, end) = number(s, i)?;
                out.push(tok);
                i = end;
            }
            b'.' => {
                if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    let (tok, end) = number(s, i)?;
                    out.push(tok);
                    i = end;
                } else if bytes.get(i..i + 3) == Some(b"...") {
                    out.push(Tok::Const);
                    i += 3;
                } else {
                    return None;
                }
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c >= 0x80)
                {
                    i += 1;
                }
                let word = s.get(start..i)?;
                if matches!(bytes.get(i), Some(b'\'' | b'"')) {
                    let (tok, end) = string(s, i, word)?;
                    out.push(tok);
                    i = end;
                    continue;
                }
                match word {
                    "True" | "False" | "None" => out.push(Tok::Const),
                    "set" => out.push(Tok::Set),
                    // Any other name: `ValueError` (or `SyntaxError`).
                    _ => return None,
                }
            }
            // Other operators, non-ASCII characters and stray bytes: no
            // literal holds them outside a string.
            _ => return None,
        }
    }
    Some((out, None))
}

fn is_digit_part(s: &[u8]) -> bool {
    // digit (["_"] digit)*
    !s.is_empty()
        && s.first().is_some_and(u8::is_ascii_digit)
        && s.last().is_some_and(u8::is_ascii_digit)
        && !s.windows(2).any(|w| w == b"__")
        && s.iter().all(|c| c.is_ascii_digit() || *c == b'_')
}

/// A number token at `start`: Python's integer, float and imaginary forms.
fn number(s: &str, start: usize) -> Option<(Tok, usize)> {
    let bytes = s.as_bytes();
    let mut i = start;
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || c >= 0x80;
    if bytes.get(i) == Some(&b'0')
        && matches!(
            bytes.get(i + 1),
            Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')
        )
    {
        let radix = bytes
            .get(i + 1)
            .map_or(10, |c| match c.to_ascii_lowercase() {
                b'x' => 16,
                b'o' => 8,
                _ => 2,
            });
        i += 2;
        let digits_start = i;
        while bytes
            .get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            i += 1;
        }
        let digits = bytes.get(digits_start..i)?;
        // ["_"] digit (["_"] digit)*
        let body = digits.strip_prefix(b"_").unwrap_or(digits);
        let ok = !body.is_empty()
            && !body.windows(2).any(|w| w == b"__")
            && !body.ends_with(b"_")
            && body
                .iter()
                .all(|c| *c == b'_' || char::from(*c).is_digit(radix));
        if !ok || bytes.get(i).is_some_and(|c| is_word(*c)) {
            return None;
        }
        return Some((Tok::Real, i));
    }
    let run = |i: &mut usize| {
        let st = *i;
        while bytes
            .get(*i)
            .is_some_and(|c| c.is_ascii_digit() || *c == b'_')
        {
            *i += 1;
        }
        st..*i
    };
    let int_part = run(&mut i);
    let mut is_float = false;
    if bytes.get(i) == Some(&b'.') {
        is_float = true;
        i += 1;
        let frac = run(&mut i);
        if !frac.is_empty() && !is_digit_part(bytes.get(frac)?) {
            return None;
        }
    }
    if !int_part.is_empty() && !is_digit_part(bytes.get(int_part.clone())?) {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        is_float = true;
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = run(&mut i);
        if !is_digit_part(bytes.get(exp)?) {
            return None;
        }
    }
    let tok = if matches!(bytes.get(i), Some(b'j' | b'J')) {
        i += 1;
        Tok::Imag
    } else {
        if !is_float {
            // decinteger: nonzero digit first, or zeros only.
            let digits = bytes.get(int_part)?;
            if digits.first() == Some(&b'0') && digits.iter().any(|c| !matches!(c, b'0' | b'_')) {
                return None;
            }
            if digits.iter().filter(|c| c.is_ascii_digit()).count() > MAX_INT_DIGITS {
                return None;
            }
        }
        Tok::Real
    };
    if bytes.get(i).is_some_and(|c| is_word(*c)) {
        return None;
    }
    Some((tok, i))
}

/// A string literal whose quote is at `q`, with `prefix` before it.
fn string(s: &str, q: usize, prefix: &str) -> Option<(Tok, usize)> {
    let p = prefix.to_ascii_lowercase();
    let (raw, bytes_lit) = match p.as_str() {
        "" | "u" => (false, false),
        "r" => (true, false),
        "b" => (false, true),
        "br" | "rb" => (true, true),
        // f-strings are `JoinedStr` (a `ValueError`); other words are names.
        _ => return None,
    };
    let src = s.as_bytes();
    let quote = *src.get(q)?;
    let triple = src.get(q..q + 3) == Some(&[quote, quote, quote][..]);
    let open = if triple { 3 } else { 1 };
    let body_start = q + open;
    let mut i = body_start;
    let mut value = String::new();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut decodable = true;
    let push_verbatim = |value: &mut String, pieces: &mut Vec<Piece>, from: usize, to: usize| {
        let Some(text) = s.get(from..to) else {
            return false;
        };
        let v = value.len();
        value.push_str(text);
        match pieces.last_mut() {
            Some(last) if last.source.end == from && last.value.end == v => {
                last.value.end = value.len();
                last.source.end = to;
            }
            _ => pieces.push(Piece {
                value: v..value.len(),
                source: from..to,
            }),
        }
        true
    };
    loop {
        let c = *src.get(i)?;
        if c == quote && (!triple || src.get(i..i + 3) == Some(&[quote, quote, quote][..])) {
            let end = i + open;
            if bytes_lit {
                return Some((Tok::Bytes, end));
            }
            return Some((Tok::Str(decodable.then_some((value, pieces))), end));
        }
        if c == b'\n' || c == b'\r' {
            return None;
        }
        if c != b'\\' {
            if bytes_lit && c >= 0x80 {
                // bytes can only contain ASCII literal characters.
                return None;
            }
            let len = s.get(i..)?.chars().next()?.len_utf8();
            if !push_verbatim(&mut value, &mut pieces, i, i + len) {
                return None;
            }
            i += len;
            continue;
        }
        // A backslash.
        let next = *src.get(i + 1)?;
        if raw {
            // The backslash stays, and it keeps a quote from closing.
            let len = s.get(i + 1..)?.chars().next()?.len_utf8();
            if next == b'\n' || next == b'\r' {
                return None;
            }
            if !push_verbatim(&mut value, &mut pieces, i, i + 1 + len) {
                return None;
            }
            i += 1 + len;
            continue;
        }
        let simple = match next {
            b'\\' => Some('\\'),
            b'\'' => Some('\''),
            b'"' => Some('"'),
            b'a' => Some('\u{7}'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            b'v' => Some('\u{b}'),
            _ => None,
        };
        if let Some(ch) = simple {
            value.push(ch);
            i += 2;
            continue;
        }
        match next {
            b'0'..=b'7' => {
                let mut n = 0u32;
                let mut j = i + 1;
                while j < i + 4 && src.get(j).is_some_and(|c| (b'0'..=b'7').contains(c)) {
                    n = n * 8 + u32::from(*src.get(j)? - b'0');
                    j += 1;
                }
                value.push(char::from_u32(n)?);
                i = j;
            }
            b'x' | b'u' | b'U' if !(bytes_lit && next != b'x') => {
                let len = match next {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = s.get(i + 2..i + 2 + len)?;
                if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                let n = u32::from_str_radix(hex, 16).ok()?;
                if n > 0x10FFFF {
                    return None;
                }
                match char::from_u32(n) {
                    Some(ch) => value.push(ch),
                    // A lone surrogate: a Python str can hold it, Rust's cannot.
                    None => decodable = false,
                }
                i += 2 + len;
            }
            b'N' if !bytes_lit => {
                // `\N{NAME}`: valid Python, but decoding needs the Unicode
                // name table; such a value is never matched.
                let close = s.get(i..)?.find('}')?;
                decodable = false;
                i += close + 1;
            }
            b'\n' | b'\r' => return None,
            _ => {
                // An unknown escape keeps its backslash (a warning in Python).
                let len = s.get(i + 1..)?.chars().next()?.len_utf8();
                if !push_verbatim(&mut value, &mut pieces, i, i + 1 + len) {
                    return None;
                }
                i += 1 + len;
            }
        }
    }
}

/// A parsed literal.
#[derive(Clone, Debug)]
enum Val {
    Str(String, Vec<Piece>),
    /// A str this module could not decode.
    OpaqueStr,
    Real,
    Imag,
    Complex,
    /// Any other hashable literal (bool, None, bytes, tuple of hashables).
    Hashable,
    /// list, dict, set (and tuples holding them).
    Unhashable,
}

impl Val {
    fn hashable(&self) -> bool {
        !matches!(self, Val::Unhashable)
    }
}

struct Parser<'a> {
    tokens: &'a [Tok],
    at: usize,
    depth: usize,
}

/// `None`: not a literal (ansible-core keeps the text).
type Parsed = Result<Option<Val>, Unsupported>;

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(&Tok::Punct(b)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// The whole input: an expression, or a bare tuple (`1, 2`).
    fn top(&mut self) -> Parsed {
        if self.tokens.is_empty() {
            return Ok(None);
        }
        let Some(first) = self.expr()? else {
            return Ok(None);
        };
        let mut result = first;
        if self.peek() == Some(&Tok::Punct(b',')) {
            let mut items = vec![result];
            while self.eat(b',') {
                if self.peek().is_none() {
                    break;
                }
                let Some(v) = self.expr()? else {
                    return Ok(None);
                };
                items.push(v);
            }
            result = tuple(&items);
        }
        if self.peek().is_some() {
            return Ok(None);
        }
        Ok(Some(result))
    }

    /// A signed number, a complex sum, or an atom.
    fn expr(&mut self) -> Parsed {
        let signed = matches!(self.peek(), Some(Tok::Punct(b'+' | b'-')));
        if signed {
            self.at += 1;
        }
        let Some(v) = self.atom()? else {
            return Ok(None);
        };
        if signed && !matches!(v, Val::Real | Val::Imag | Val::Complex) {
            // `-'a'`, `-True`, `--1`, `-(1, 2)`: not a literal.
            return Ok(None);
        }
        if matches!(self.peek(), Some(Tok::Punct(b'+' | b'-'))) {
            self.at += 1;
            // left: a (signed) real; right: a bare imaginary number.
            let right = self.atom()?;
            return Ok(match (v, right) {
                (Val::Real, Some(Val::Imag)) => Some(Val::Complex),
                _ => None,
            });
        }
        // A complex sum has no sign in front as a whole (`-(1+2j)` is a
        // unary minus on a BinOp: not a literal).
        if signed && matches!(v, Val::Complex) {
            return Ok(None);
        }
        Ok(Some(v))
    }

    /// Enters a bracket; `false` past CPython's nesting limit.
    fn nest(&mut self) -> bool {
        self.depth += 1;
        self.depth <= MAX_NESTING
    }

    fn atom(&mut self) -> Parsed {
        let Some(tok) = self.peek().cloned() else {
            return Ok(None);
        };
        self.at += 1;
        match tok {
            Tok::Real => Ok(Some(Val::Real)),
            Tok::Imag => Ok(Some(Val::Imag)),
            Tok::Const => Ok(Some(Val::Hashable)),
            Tok::Str(first) => self.strings(first),
            Tok::Bytes => {
                // Adjacent bytes literals concatenate; bytes next to str is
                // a SyntaxError.
                while let Some(Tok::Bytes | Tok::Str(_)) = self.peek() {
                    if matches!(self.peek(), Some(Tok::Str(_))) {
                        return Ok(None);
                    }
                    self.at += 1;
                }
                Ok(Some(Val::Hashable))
            }
            Tok::Set => {
                if self.eat(b'(') && self.eat(b')') {
                    Ok(Some(Val::Unhashable))
                } else {
                    Ok(None)
                }
            }
            Tok::Punct(b'(') => {
                let r = if self.nest() { self.paren() } else { Ok(None) };
                self.depth -= 1;
                r
            }
            Tok::Punct(b'[') => {
                let r = if self.nest() {
                    self.seq(b']').map(|v| v.map(|_| Val::Unhashable))
                } else {
                    Ok(None)
                };
                self.depth -= 1;
                r
            }
            Tok::Punct(b'{') => {
                let r = if self.nest() { self.brace() } else { Ok(None) };
                self.depth -= 1;
                r
            }
            Tok::Punct(_) => Ok(None),
        }
    }

    /// Concatenated str literals after the first.
    fn strings(&mut self, first: Option<(String, Vec<Piece>)>) -> Parsed {
        let mut acc = first;
        while let Some(tok) = self.peek().cloned() {
            match tok {
                Tok::Str(next) => {
                    self.at += 1;
                    acc = match (acc, next) {
                        (Some((mut v, mut p)), Some((nv, np))) => {
                            let off = v.len();
                            v.push_str(&nv);
                            p.extend(np.into_iter().map(|x| Piece {
                                value: x.value.start + off..x.value.end + off,
                                source: x.source,
                            }));
                            Some((v, p))
                        }
                        _ => None,
                    };
                }
                Tok::Bytes => return Ok(None),
                _ => break,
            }
        }
        Ok(Some(match acc {
            Some((v, p)) => Val::Str(v, p),
            None => Val::OpaqueStr,
        }))
    }

    /// After `(`: `()`, `(x)` (grouping), or a tuple.
    fn paren(&mut self) -> Parsed {
        if self.eat(b')') {
            return Ok(Some(Val::Hashable));
        }
        let Some(first) = self.expr()? else {
            return Ok(None);
        };
        if self.eat(b')') {
            return Ok(Some(first));
        }
        let mut items = vec![first];
        while self.eat(b',') {
            if self.eat(b')') {
                return Ok(Some(tuple(&items)));
            }
            let Some(v) = self.expr()? else {
                return Ok(None);
            };
            items.push(v);
        }
        if self.eat(b')') {
            Ok(Some(tuple(&items)))
        } else {
            Ok(None)
        }
    }

    /// Items up to `close`, comma separated, a trailing comma allowed.
    fn seq(&mut self, close: u8) -> Result<Option<Vec<Val>>, Unsupported> {
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Ok(Some(items));
            }
            let Some(v) = self.expr()? else {
                return Ok(None);
            };
            items.push(v);
            if self.eat(close) {
                return Ok(Some(items));
            }
            if !self.eat(b',') {
                return Ok(None);
            }
        }
    }

    /// After `{`: a dict or a set.
    fn brace(&mut self) -> Parsed {
        if self.eat(b'}') {
            return Ok(Some(Val::Unhashable));
        }
        let Some(first) = self.expr()? else {
            return Ok(None);
        };
        let is_dict = self.eat(b':');
        let mut keys = vec![first];
        if is_dict && self.expr()?.is_none() {
            return Ok(None);
        }
        loop {
            if self.eat(b'}') {
                break;
            }
            if !self.eat(b',') {
                return Ok(None);
            }
            if self.eat(b'}') {
                break;
            }
            let Some(k) = self.expr()? else {
                return Ok(None);
            };
            keys.push(k);
            if is_dict && (!self.eat(b':') || self.expr()?.is_none()) {
                return Ok(None);
            }
        }
        if keys.iter().any(|k| !k.hashable()) {
            return Err(Unsupported(
                "a list, dict or set used as a dict key or set member (Python's literal_eval raises TypeError, which ansible-core does not catch)".to_string(),
            ));
        }
        Ok(Some(Val::Unhashable))
    }
}

fn tuple(items: &[Val]) -> Val {
    if items.iter().all(Val::hashable) {
        Val::Hashable
    } else {
        Val::Unhashable
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Lit {
        read(s).unwrap().lit
    }

    fn str_of(s: &str) -> String {
        match lit(s) {
            Lit::Str { value, .. } => value,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    #[test]
    fn outcomes_match_cpython() {
        // Checked with `ansible-inventory --list` (ansible-core 2.19, CPython 3.11).
        for t in [
            "pve-shop",
            "pve-shop # c",
            "[pve-shop]",
            "a=b",
            ";x",
            "0777",
            "-x",
            "",
            "192.168.1.1",
            "f'x'",
            "'a' + 'b'",
            "--1",
            "-True",
            "1 2",
            "'a'b",
            "1a",
            "1__0",
            "0x",
            "https://pve-shop:8006",
            "{{ x }}",
            "'unclosed",
            "\\N",
            "1+2",
            "1+2j+3",
            "09",
        ] {
            assert_eq!(lit(t), Lit::Text, "{t:?}");
        }
        for t in [
            "8080",
            "8080 # c",
            "True",
            "None",
            "...",
            "1,2",
            "(1)",
            "1_000",
            "-5",
            "+5.5e-3",
            "1+2j",
            "-1-2j",
            "0x1F",
            "0o17",
            "0b1_0",
            "00",
            "09.5",
            "09j",
            ".5",
            "5.",
            "[1, 'a']",
            "{'a': [1]}",
            "{1, 2}",
            "set()",
            "()",
            "(1,)",
            "b'x'",
            "'\\N{BULLET}'",
            "-(1)",
        ] {
            assert_eq!(lit(t), Lit::Other, "{t:?}");
        }
        assert_eq!(str_of("'x'"), "x");
        assert_eq!(str_of("\"a b\""), "a b");
        assert_eq!(str_of("'a' \"b\""), "ab");
        assert_eq!(str_of("('a')"), "a");
        assert_eq!(str_of("u'a'"), "a");
        assert_eq!(str_of("r'\\t'"), "\\t");
        assert_eq!(str_of("'a\\tb'"), "a\tb");
        assert_eq!(str_of("'\\x41\\101\\u00e9'"), "AAé");
        assert_eq!(str_of("'a\\qb'"), "a\\qb");
        assert_eq!(str_of("'''it's'''"), "it's");
        assert_eq!(str_of("'03#pa33w0rd'"), "03#pa33w0rd");
        assert_eq!(str_of("'x' # c"), "x");
        assert!(read("{[1]: 2}").is_err());
        assert!(read("{[1]}").is_err());
        assert_eq!(read("8080 # c").unwrap().comment, Some(5..8));
        assert_eq!(read("a # c").unwrap().comment, None);
    }

    #[test]
    fn pieces_are_verbatim() {
        let s = "'pve\\tshop' \"x-y\"";
        let Lit::Str { value, pieces } = lit(s) else {
            panic!()
        };
        for p in &pieces {
            assert_eq!(&value[p.value.clone()], &s[p.source.clone()]);
        }
        assert_eq!(value, "pve\tshopx-y");
        assert_eq!(pieces.len(), 3);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let s = "[".repeat(100_000);
        assert_eq!(lit(&s), Lit::Text);
        let s = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert_eq!(lit(&s), Lit::Other);
        let s = format!("{}{}", "[".repeat(201), "]".repeat(201));
        assert_eq!(lit(&s), Lit::Text);
    }
}
