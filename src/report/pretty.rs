//! Pretty JSON, byte for byte what `serde_json::to_writer_pretty` writes,
//! with each line's indentation written as one slice.
//!
//! serde_json's `PrettyFormatter` writes the indentation of a line as one
//! two-byte `write_all` per level. A SARIF result is about sixty lines six
//! to twelve levels deep, so 8,000 findings made millions of tiny writes:
//! pretty SARIF cost 80 ms more than compact SARIF on a run of 240 ms
//! (issue 19: SARIF 1.46× `--format human`). The reports stay pretty (they
//! are read in reviews and kept as snapshots); only the writes change.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

/// Serializes `value` as pretty JSON (two-space indentation) to `out`.
pub fn to_writer<W: Write, T: ?Sized + Serialize>(out: W, value: &T) -> io::Result<()> {
    to_writer_at(out, value, 0)
}

/// [`to_writer`] for a value that stands `level` levels deep in a larger
/// document: its inner lines are indented as they are there (the first
/// line's indentation is the caller's).
pub fn to_writer_at<W: Write, T: ?Sized + Serialize>(
    out: W,
    value: &T,
    level: usize,
) -> io::Result<()> {
    let pretty = Pretty {
        level,
        has_value: false,
    };
    let mut ser = Serializer::with_formatter(out, pretty);
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// serde_json's `PrettyFormatter` with a two-space indent.
struct Pretty {
    level: usize,
    has_value: bool,
}

/// Enough spaces for every level a report reaches; deeper levels repeat it.
const SPACES: &[u8; 64] = b"                                                                ";

impl Pretty {
    /// A line break, then the current level's indentation.
    fn newline<W: ?Sized + Write>(&self, w: &mut W, comma: bool) -> io::Result<()> {
        w.write_all(if comma { b",\n" } else { b"\n" })?;
        let mut n = self.level * 2;
        while n > 0 {
            let (run, _) = SPACES.split_at(n.min(SPACES.len()));
            w.write_all(run)?;
            n -= run.len();
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, b: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, b: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(b)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.newline(w, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// The same bytes as serde_json's own pretty writer, on empty and
    /// nested containers and on levels deeper than [`super::SPACES`].
    #[test]
    fn writes_what_serde_json_writes() {
        let mut deep = json!("leaf");
        for i in 0..40 {
            deep = if i % 2 == 0 {
                json!({ "k": deep, "empty": {} })
            } else {
                json!([deep, [], 1, null])
            };
        }
        for value in [
            json!(null),
            json!([]),
            json!({}),
            json!({"a": [1, {"b": "c\nd", "e": []}], "f": {"g": true}}),
            deep,
        ] {
            let mut ours = Vec::new();
            super::to_writer(&mut ours, &value).unwrap();
            let theirs = serde_json::to_vec_pretty(&value).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(theirs).unwrap()
            );
        }
    }
}
