//! Python's `shlex.split(line, comments=True)` (POSIX mode), which
//! ansible-core's ini plugin uses to split a host line into the host
//! pattern and its `key=value` tokens, with the source bytes each decoded
//! character came from.
//!
//! POSIX rules as CPython 3.11's `shlex` implements them: tokens are
//! separated by ASCII space, tab, CR and LF only; `'…'` keeps everything;
//! inside `"…"` a backslash escapes only `"` and `\` (else it stays); outside
//! quotes a backslash escapes any character; a `#` outside quotes starts a
//! comment **even inside a word** (`a=b#c` is `a=b`), checked with
//! `ansible-inventory --list` (ansible-core 2.19). `;` is an ordinary
//! character there (`h;x` is a host named `h;x`).

use std::iter::Peekable;
use std::ops::Range;
use std::str::CharIndices;

use crate::formats::Piece;

/// One token: decoded text, the verbatim stretches (source offsets are
/// absolute), and the source range it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub pieces: Vec<Piece>,
    pub span: Range<usize>,
}

/// A split line: its tokens and the comment after them, if any.
#[derive(Clone, Debug, Default)]
pub struct Split {
    pub tokens: Vec<Token>,
    pub comment: Option<Range<usize>>,
}

/// An error as Python's shlex raises it, at a byte offset.
#[derive(Clone, Debug)]
pub struct ShlexError {
    pub at: usize,
    pub message: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Between,
    Word,
    Single,
    Double,
}

impl Token {
    /// Appends `run`, read verbatim from byte `at` of the file.
    fn push_verbatim(&mut self, run: &str, at: usize) {
        let v = self.text.len();
        self.text.push_str(run);
        let len = run.len();
        match self.pieces.last_mut() {
            Some(last) if last.source.end == at && last.value.end == v => {
                last.value.end += len;
                last.source.end += len;
            }
            _ => self.pieces.push(Piece {
                value: v..v + len,
                source: at..at + len,
            }),
        }
    }
}

/// Splits `line` (a slice of the file starting at byte `base`).
pub fn split(line: &str, base: usize) -> Result<Split, ShlexError> {
    let mut out = Split::default();
    let mut state = State::Between;
    let mut tok = Token {
        text: String::new(),
        pieces: Vec::new(),
        span: 0..0,
    };
    let mut quoted = false;
    let mut chars = line.char_indices().peekable();
    let finish = |tok: &mut Token, quoted: &mut bool, end: usize, out: &mut Split| {
        if !tok.text.is_empty() || *quoted {
            tok.span.end = end;
            out.tokens.push(std::mem::replace(
                tok,
                Token {
                    text: String::new(),
                    pieces: Vec::new(),
                    span: 0..0,
                },
            ));
        }
        *quoted = false;
    };
    while let Some((i, c)) = chars.next() {
        let at = base + i;
        match state {
            State::Between | State::Word => {
                if state == State::Between {
                    tok.span.start = at;
                }
                match c {
                    ' ' | '\t' | '\r' | '\n' => {
                        if state == State::Word {
                            finish(&mut tok, &mut quoted, at, &mut out);
                        }
                        state = State::Between;
                    }
                    '#' => {
                        if state == State::Word {
                            finish(&mut tok, &mut quoted, at, &mut out);
                        }
                        out.comment = Some(at..base + line.len());
                        return Ok(out);
                    }
                    '\'' => {
                        state = State::Single;
                        quoted = true;
                    }
                    '"' => {
                        state = State::Double;
                        quoted = true;
                    }
                    '\\' => {
                        let Some((_, e)) = chars.next() else {
                            return Err(ShlexError {
                                at,
                                message: "No escaped character",
                            });
                        };
                        tok.text.push(e);
                        state = State::Word;
                    }
                    _ => {
                        let end = run_end(line, i, |c| {
                            matches!(c, ' ' | '\t' | '\r' | '\n' | '#' | '\'' | '"' | '\\')
                        });
                        tok.push_verbatim(line.get(i..end).unwrap_or(""), at);
                        skip_to(&mut chars, end);
                        state = State::Word;
                    }
                }
            }
            State::Single => {
                if c == '\'' {
                    state = State::Word;
                } else {
                    let end = run_end(line, i, |c| c == '\'');
                    tok.push_verbatim(line.get(i..end).unwrap_or(""), at);
                    skip_to(&mut chars, end);
                }
            }
            State::Double => match c {
                '"' => state = State::Word,
                '\\' => {
                    let Some((_, e)) = chars.next() else {
                        return Err(ShlexError {
                            at,
                            message: "No escaped character",
                        });
                    };
                    if e != '"' && e != '\\' {
                        tok.text.push('\\');
                    }
                    tok.text.push(e);
                }
                _ => {
                    let end = run_end(line, i, |c| c == '"' || c == '\\');
                    tok.push_verbatim(line.get(i..end).unwrap_or(""), at);
                    skip_to(&mut chars, end);
                }
            },
        }
    }
    match state {
        State::Single | State::Double => Err(ShlexError {
            at: base + line.len(),
            message: "No closing quotation",
        }),
        State::Word => {
            finish(&mut tok, &mut quoted, base + line.len(), &mut out);
            Ok(out)
        }
        State::Between => Ok(out),
    }
}

/// Where the run of ordinary characters starting at byte `i` of `line`
/// ends: at the next character `special` takes, or at the end. Runs are
/// copied whole: a character at a time, growing the token as it went, was
/// a tenth of reading an inventory (issue 19).
fn run_end(line: &str, i: usize, special: impl Fn(char) -> bool) -> usize {
    line.get(i..)
        .and_then(|rest| rest.find(special))
        .map_or(line.len(), |n| i + n)
}

/// Advances `chars` past every character before byte `end`.
fn skip_to(chars: &mut Peekable<CharIndices<'_>>, end: usize) {
    while chars.next_if(|&(k, _)| k < end).is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split(line, 0)
            .unwrap()
            .tokens
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn splits_like_python_shlex() {
        // Each checked against `shlex.split(x, comments=True)` (CPython 3.11).
        assert_eq!(texts("h a=b#c d=e"), ["h", "a=b"]);
        assert_eq!(texts("h #c"), ["h"]);
        assert_eq!(texts("h a=\"x y\" b='q r'"), ["h", "a=x y", "b=q r"]);
        assert_eq!(texts("h5;x a=pve-shop;x"), ["h5;x", "a=pve-shop;x"]);
        assert_eq!(texts(r#"h x="a\"b\\c\d""#), ["h", r#"x=a"b\c\d"#]);
        assert_eq!(texts(r"h x=a\ b\#"), ["h", "x=a b#"]);
        assert_eq!(texts("h x='' y=\"\"z"), ["h", "x=", "y=z"]);
        assert_eq!(texts("\"q h\" x=1"), ["q h", "x=1"]);
        assert!(split("h x='a", 0).is_err());
        assert!(split("h x=\\", 0).is_err());
    }

    #[test]
    fn pieces_point_at_their_source() {
        let line = "h x='p q'r\\s \"t\\\"u\"";
        let s = split(line, 10).unwrap();
        for t in &s.tokens {
            for p in &t.pieces {
                assert_eq!(
                    &t.text[p.value.clone()],
                    &line[p.source.start - 10..p.source.end - 10]
                );
            }
        }
        assert_eq!(s.tokens[1].text, "x=p qrs");
        assert_eq!(s.tokens[2].text, "t\"u");
        assert_eq!(s.tokens[1].span, 12..22);
        // A verbatim run is one piece, multi-byte characters included.
        let runs = split("hé=ünï 'ä b'", 0).unwrap();
        assert_eq!(runs.tokens[0].pieces.len(), 1);
        assert_eq!(runs.tokens[1].text, "ä b");
        assert_eq!(runs.tokens[1].pieces[0].source, 11..15);
    }
}
