//! Large files are looked at through a reused buffer before they are read
//! whole (issue 19: files of 9-45 MB were read whole, then searched, 1.74x
//! rg; streaming them took that to 0.62x). Only a file that needs nothing
//! more — no alias anywhere, valid UTF-8 without NUL bytes, not possibly
//! driftfix's own output — is settled here; anything else is read whole
//! and planned as usual, so every message stays the careful path's.

use std::fs::File;
use std::io::Read as _;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::Prefilter;

/// Files larger than this are streamed first.
pub const STREAM_ABOVE: u64 = 1 << 20;

/// Bytes read at a time.
const CHUNK: usize = 1 << 20;

/// Whether `file` (read from its current position, the start) certainly
/// holds no alias and would be planned as an unparsed file: no prefilter
/// hit, valid UTF-8, no NUL, no `driftfix` (the own-output check), at most
/// `max` bytes. `false` means "read it whole": it is never a finding lost.
///
/// Each chunk is searched together with the tail of the one before, long
/// enough to hold the longest alias written entirely with escapes, so a
/// match across a chunk boundary is seen whole.
pub(crate) fn clean_miss(file: &File, prefilter: &Prefilter, max: u64, buf: &mut Vec<u8>) -> bool {
    let overlap = prefilter.longest_pattern() * 16 + 64;
    buf.clear();
    buf.resize(overlap + CHUNK, 0);
    let (mut kept, mut pending, mut total) = (0usize, 0usize, 0u64);
    loop {
        let Some(n) = fill(file, buf.get_mut(kept..kept + CHUNK).unwrap_or_default()) else {
            return false;
        };
        if n == 0 {
            return pending == 0;
        }
        total += n as u64;
        let Some(window) = buf.get(..kept + n) else {
            return false;
        };
        let fresh = window.get(kept..).unwrap_or_default();
        if total > max || crate::text::has_byte(fresh, 0) || driftfix().is_match(window) {
            return false;
        }
        // UTF-8: the incomplete sequence that ended the last chunk, then
        // this one.
        match std::str::from_utf8(window.get(kept - pending..).unwrap_or_default()) {
            Ok(_) => pending = 0,
            Err(e) if e.error_len().is_none() => {
                pending = window.len() - (kept - pending) - e.valid_up_to();
            }
            Err(_) => return false,
        }
        if prefilter.may_match(window) {
            return false;
        }
        let keep = overlap.min(window.len());
        let from = window.len() - keep;
        buf.copy_within(from..from + keep, 0);
        kept = keep;
    }
}

/// Reads until `into` is full or the file ends; `None` on an error.
fn fill(mut file: &File, into: &mut [u8]) -> Option<usize> {
    let mut n = 0;
    while n < into.len() {
        match file.read(into.get_mut(n..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(n)
}

/// Finds `driftfix`: a JSON file holding it may be driftfix's own report.
fn driftfix() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::new(["driftfix"]).unwrap_or_else(|_| unreachable!("a literal pattern"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Seek as _, Write as _};

    fn matcher() -> Prefilter {
        Prefilter::new(&[("pve-shop".to_string(), 0)], false)
    }

    fn file(bytes: &[u8]) -> File {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(bytes).unwrap();
        f.rewind().unwrap();
        f
    }

    #[test]
    fn a_match_across_chunks_is_seen() {
        let m = matcher();
        let mut buf = Vec::new();
        let filler = "a: x\n".repeat(CHUNK / 5 + 1);
        let clean = format!("{filler}{filler}host: pve-shop-backup\n");
        assert!(clean_miss(&file(clean.as_bytes()), &m, u64::MAX, &mut buf));
        for cut in [3usize, 5, 8] {
            // The alias starts `cut` bytes before the first chunk ends.
            let mut text = "a".repeat(CHUNK - cut - 1);
            text.push(' ');
            text.push_str("pve-shop\n");
            text.push_str(&filler);
            assert!(
                !clean_miss(&file(text.as_bytes()), &m, u64::MAX, &mut buf),
                "{cut}"
            );
        }
        let escaped = format!("{}\"pve\\u002dshop\"\n", " ".repeat(CHUNK - 7));
        assert!(!clean_miss(
            &file(escaped.as_bytes()),
            &m,
            u64::MAX,
            &mut buf
        ));
    }

    #[test]
    fn anything_unusual_is_read_whole() {
        let m = matcher();
        let mut buf = Vec::new();
        let filler = "a: x\n".repeat(CHUNK / 5 + 1);
        let nul = format!("{filler}\0");
        assert!(!clean_miss(&file(nul.as_bytes()), &m, u64::MAX, &mut buf));
        let mut bad = filler.clone().into_bytes();
        bad.push(0xff);
        assert!(!clean_miss(&file(&bad), &m, u64::MAX, &mut buf));
        // A multi-byte character cut by the chunk boundary is fine.
        let mut split = "a".repeat(CHUNK - 1);
        split.push('é');
        split.push_str(&filler);
        assert!(clean_miss(&file(split.as_bytes()), &m, u64::MAX, &mut buf));
        let own = format!("{filler}{{\"schema\": \"driftfix/v1\"}}");
        assert!(!clean_miss(&file(own.as_bytes()), &m, u64::MAX, &mut buf));
        assert!(!clean_miss(&file(filler.as_bytes()), &m, 100, &mut buf));
    }
}
