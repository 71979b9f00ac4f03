//! Reading the journal back: the recorded runs, newest first, and the
//! bytes a file held before a run wrote it.

use std::collections::HashMap;
use std::fs;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};

use super::{Header, JournalError, Record, SCHEMA, io, sha256_hex};

/// One recorded run.
#[derive(Clone, Debug)]
pub struct RunRecord {
    pub id: String,
    /// The base directory, resolved.
    pub base: PathBuf,
    pub command: String,
    /// Seconds since the epoch.
    pub started: u64,
    /// The files it meant to write, in order.
    pub files: Vec<FileRecord>,
    /// Its directory in the journal.
    pub(super) dir: PathBuf,
}

/// One file of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    /// Relative to the base directory.
    pub path: String,
    pub before_sha256: String,
    pub after_sha256: String,
    offset: u64,
    len: u64,
    /// Whether it was written; `None` when the run ended before it said.
    pub written: Option<bool>,
    /// `undo` put it back (or found it back as it was).
    pub restored: bool,
}

impl FileRecord {
    /// Whether `undo` still has something to look at: it may have been
    /// written, and has not been restored.
    pub fn pending(&self) -> bool {
        self.written != Some(false) && !self.restored
    }
}

impl RunRecord {
    /// Files written (or perhaps written) by the run.
    pub fn written(&self) -> impl Iterator<Item = &FileRecord> {
        self.files.iter().filter(|f| f.written != Some(false))
    }

    /// Files `undo` has yet to look at.
    pub fn pending(&self) -> impl Iterator<Item = &FileRecord> {
        self.files.iter().filter(|f| f.pending())
    }

    /// The bytes `f` held before the run, checked against their hash.
    pub fn before_bytes(&self, f: &FileRecord) -> Result<Vec<u8>, JournalError> {
        let path = self.dir.join("before.bin");
        let corrupt = |message: &str| JournalError::Corrupt {
            path: path.clone(),
            message: format!("{}: {message}", f.path),
        };
        let mut file = fs::File::open(&path).map_err(io(&path))?;
        file.seek(SeekFrom::Start(f.offset)).map_err(io(&path))?;
        let mut bytes = Vec::new();
        file.take(f.len)
            .read_to_end(&mut bytes)
            .map_err(io(&path))?;
        if u64::try_from(bytes.len()).ok() != Some(f.len) {
            return Err(corrupt("the recorded bytes are cut short"));
        }
        if sha256_hex(&bytes) != f.before_sha256 {
            return Err(corrupt("the recorded bytes do not match their hash"));
        }
        Ok(bytes)
    }
}

/// Every run in the journal directory `root`, newest first, and the
/// problems of runs that cannot be read (left out, to be warned about).
/// Directories that are not runs are passed over.
pub fn list_all(root: &Path) -> Result<(Vec<RunRecord>, Vec<JournalError>), JournalError> {
    let runs = root.join("runs");
    let entries = match fs::read_dir(&runs) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok((Vec::new(), Vec::new()));
        }
        Err(e) => return Err(io(&runs)(e)),
    };
    let mut out = Vec::new();
    let mut broken = Vec::new();
    for e in entries.flatten() {
        let dir = e.path();
        if dir.join("journal.jsonl").is_file() {
            match load(&dir) {
                Ok(r) => out.push(r),
                Err(e) => broken.push(e),
            }
        }
    }
    out.sort_by(|a, b| b.id.cmp(&a.id));
    Ok((out, broken))
}

/// The readable runs of [`list_all`].
pub fn list(root: &Path) -> Result<Vec<RunRecord>, JournalError> {
    list_all(root).map(|(runs, _)| runs)
}

/// Reads one run's journal.
fn load(dir: &Path) -> Result<RunRecord, JournalError> {
    let path = dir.join("journal.jsonl");
    let text = fs::read_to_string(&path).map_err(io(&path))?;
    let corrupt = |message: String| JournalError::Corrupt {
        path: path.clone(),
        message,
    };
    let mut lines = text.lines();
    let header: Header = lines
        .next()
        .and_then(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| corrupt("no run header on the first line".into()))?;
    if header.schema != SCHEMA {
        return Err(corrupt(format!(
            "schema {:?}, expected {SCHEMA:?}",
            header.schema
        )));
    }
    let mut files: Vec<FileRecord> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    let all: Vec<&str> = lines.collect();
    let last = all.len().saturating_sub(1);
    for (i, line) in all.iter().enumerate() {
        let record: Record = match serde_json::from_str(line) {
            Ok(r) => r,
            // A crash may cut the last line short.
            Err(_) if i == last => break,
            Err(e) => return Err(corrupt(format!("line {}: {e}", i + 2))),
        };
        match record {
            Record::Write {
                path,
                before_sha256,
                after_sha256,
                offset,
                len,
            } => {
                at.insert(path.clone(), files.len());
                files.push(FileRecord {
                    path,
                    before_sha256,
                    after_sha256,
                    offset,
                    len,
                    written: None,
                    restored: false,
                });
            }
            Record::Done { path, written } => {
                if let Some(f) = at.get(&path).and_then(|&k| files.get_mut(k)) {
                    f.written = Some(written);
                }
            }
            Record::Restored { path } => {
                if let Some(f) = at.get(&path).and_then(|&k| files.get_mut(k)) {
                    f.restored = true;
                }
            }
        }
    }
    Ok(RunRecord {
        id: header.run,
        base: header.base,
        command: header.command,
        started: header.started,
        files,
        dir: dir.to_path_buf(),
    })
}
