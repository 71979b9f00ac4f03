//! `fix --preview` end to end: the real binary on a pseudo-terminal
//! (expectrl), one key at a time (SPEC §7).

use std::fs;
use std::path::Path;
use std::process::Command as StdCommand;
use std::time::{Duration, Instant};

use expectrl::process::unix::WaitStatus;
use expectrl::{Eof, Expect, Session};

mod common;
use common::{driftfix, homelab_copy, no_temp_files, read, snapshot};

const RULES: &str = r#"version = 1

[paths]
readonly = ["legacy/**"]

[[canonical]]
name = "pve"
aliases = ["pve-shop", "proxmox-shop"]

[[canonical]]
name = "proxmox-home"
aliases = ["pve-home"]

[[field]]
select = ["host", "cluster"]
keys_of = ["hosts"]
"#;

const A: &str = "{\"host\": \"pve-shop\"}\n";
const A_FIXED: &str = "{\"host\": \"pve\"}\n";
const B: &str = "# clusters\ncluster = \"pve-home\"   # home\nhost = 'pve-shop'\n";
const B_FIXED: &str = "# clusters\ncluster = \"proxmox-home\"   # home\nhost = 'pve'\n";
const B_FIRST_ONLY: &str = "# clusters\ncluster = \"proxmox-home\"   # home\nhost = 'pve-shop'\n";
const C: &str = "{\n  \"hosts\": {\"pve-shop\": 1},\n  \"host\": \"pve-home\"\n}\n";
const C_FIXED: &str = "{\n  \"hosts\": {\"pve\": 1},\n  \"host\": \"proxmox-home\"\n}\n";
const LEGACY: &str = "{\"host\": \"pve-shop\"}\n";

/// A tree with three editable files (1, 2 and 2 changes, in path order
/// a.json, b.toml, c.json) and a read-only one.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    fs::write(p.join("driftfix.toml"), RULES).unwrap();
    fs::write(p.join("a.json"), A).unwrap();
    fs::write(p.join("b.toml"), B).unwrap();
    fs::write(p.join("c.json"), C).unwrap();
    fs::create_dir(p.join("legacy")).unwrap();
    fs::write(p.join("legacy/old.json"), LEGACY).unwrap();
    dir
}

struct Pty {
    session: expectrl::session::OsSession,
    /// Everything read so far, `\r\n` turned into `\n`.
    seen: String,
}

impl Pty {
    fn spawn(dir: &Path, extra: &[&str]) -> Pty {
        let mut cmd = StdCommand::new(env!("CARGO_BIN_EXE_driftfix"));
        cmd.current_dir(dir)
            .args(["fix", "--preview"])
            .args(extra)
            .env_remove("NO_COLOR")
            .env("XDG_STATE_HOME", common::state_dir());
        let mut session = Session::spawn(cmd).unwrap();
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        Pty {
            session,
            seen: String::new(),
        }
    }

    /// Waits for `text` and returns the output up to and including it.
    fn expect(&mut self, text: &str) -> String {
        let found = self
            .session
            .expect(text)
            .unwrap_or_else(|e| panic!("waiting for {text:?}: {e}; seen so far:\n{}", self.seen));
        let chunk = String::from_utf8_lossy(found.before()).replace("\r\n", "\n") + text;
        self.seen.push_str(&chunk);
        chunk
    }

    fn key(&mut self, key: &str) {
        self.session.send(key).unwrap();
    }

    /// Reads to the end and returns the rest of the output and the exit code.
    fn finish(&mut self) -> (String, i32) {
        let found = self.session.expect(Eof).unwrap();
        // Eof matches all that is left.
        let rest = [found.before(), found.get(0).unwrap_or_default()].concat();
        let rest = String::from_utf8_lossy(&rest).replace("\r\n", "\n");
        self.seen.push_str(&rest);
        let code = match self.session.get_process().wait().unwrap() {
            WaitStatus::Exited(_, code) => code,
            other => panic!("not a normal exit: {other:?}"),
        };
        (rest, code)
    }

    /// Whether the terminal is in canonical (line) mode; off while a key
    /// is read raw.
    fn canonical(&self) -> bool {
        use std::os::fd::AsRawFd;
        let master = self.session.get_process().get_raw_handle().unwrap();
        // SAFETY: tcgetattr on an open pty master fd into a zeroed struct.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            assert_eq!(libc::tcgetattr(master.as_raw_fd(), &mut t), 0);
            t.c_lflag & libc::ICANON != 0
        }
    }
}

const PROMPT: &str = "Write this file? [y,n,a,q,s,?] ";
const STEP: &str = "Apply this change? [y,n,q,?] ";

#[test]
fn y_writes_n_skips_and_the_closing_line_counts_both() {
    let dir = tree();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    let first = t.expect(PROMPT);
    assert!(
        first.contains("[1/3] a.json  1 change, highest severity MEDIUM\n"),
        "{first}"
    );
    assert!(
        first.contains(
            "--- a/a.json\n+++ b/a.json\n@@ -1 +1 @@\n-{\"host\": \"pve-shop\"}\n+{\"host\": \"pve\"}\n"
        ),
        "{first}"
    );
    t.key("y");
    let second = t.expect(PROMPT);
    assert!(second.contains("  wrote a.json (1 change)\n"), "{second}");
    // Written at once, before the next answer.
    assert_eq!(read(dir.path(), "a.json"), A_FIXED);
    assert!(second.contains("[2/3] b.toml  2 changes"), "{second}");
    t.key("n");
    let third = t.expect(PROMPT);
    assert!(third.contains("  skipped b.toml\n"), "{third}");
    assert!(third.contains("[3/3] c.json  2 changes"), "{third}");
    t.key("y");
    let (rest, code) = t.finish();
    assert!(
        rest.contains("wrote 3 changes in 2 files; skipped 2 changes in 1 file\n"),
        "{rest}"
    );
    assert!(
        rest.contains("1 finding in read-only or authority files is reported, never written"),
        "{rest}"
    );
    assert_eq!(code, 1, "a declined change leaves drift");
    assert_eq!(read(dir.path(), "b.toml"), B);
    assert_eq!(read(dir.path(), "c.json"), C_FIXED);
    assert_eq!(read(dir.path(), "legacy/old.json"), LEGACY);
    assert!(
        !t.seen.contains("legacy/old.json  "),
        "read-only files are not offered"
    );
    no_temp_files(dir.path());
}

#[test]
fn accepting_everything_exits_0_and_a_second_preview_has_nothing_to_do() {
    let dir = tree();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    for _ in 0..3 {
        t.expect(PROMPT);
        t.key("y");
    }
    let (rest, code) = t.finish();
    assert!(
        rest.contains("wrote 5 changes in 3 files; skipped 0 changes in 0 files"),
        "{rest}"
    );
    assert_eq!(code, 0);
    assert_eq!(read(dir.path(), "a.json"), A_FIXED);
    assert_eq!(read(dir.path(), "b.toml"), B_FIXED);
    assert_eq!(read(dir.path(), "c.json"), C_FIXED);

    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    let (rest, code) = t.finish();
    assert!(rest.contains("nothing to fix"), "{rest}");
    assert!(!rest.contains(PROMPT));
    assert_eq!(code, 0);
}

#[test]
fn a_writes_this_and_all_remaining_files_without_asking() {
    let dir = tree();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    t.expect(PROMPT);
    t.key("n");
    t.expect(PROMPT);
    t.key("a");
    let (rest, code) = t.finish();
    assert!(!rest.contains(PROMPT), "asked again after `a`:\n{rest}");
    assert!(rest.contains("[3/3] c.json  2 changes"), "{rest}");
    assert!(rest.contains("  wrote c.json (2 changes)"), "{rest}");
    assert!(
        rest.contains("wrote 4 changes in 2 files; skipped 1 change in 1 file"),
        "{rest}"
    );
    assert_eq!(code, 1);
    assert_eq!(read(dir.path(), "a.json"), A);
    assert_eq!(read(dir.path(), "b.toml"), B_FIXED);
    assert_eq!(read(dir.path(), "c.json"), C_FIXED);
}

#[test]
fn q_keeps_accepted_files_and_writes_nothing_more() {
    let dir = tree();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    t.expect(PROMPT);
    t.key("y");
    t.expect(PROMPT);
    t.key("q");
    let (rest, code) = t.finish();
    assert!(
        !rest.contains("c.json"),
        "c.json not shown after q:\n{rest}"
    );
    assert!(
        rest.contains("wrote 1 change in 1 file; skipped 4 changes in 2 files (stopped early)"),
        "{rest}"
    );
    assert_eq!(code, 1);
    assert_eq!(read(dir.path(), "a.json"), A_FIXED);
    assert_eq!(read(dir.path(), "b.toml"), B);
    assert_eq!(read(dir.path(), "c.json"), C);
}

#[test]
fn s_steps_through_changes_and_writes_the_accepted_subset() {
    let dir = tree();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    t.expect(PROMPT);
    t.key("n");
    t.expect(PROMPT);
    t.key("s");
    let one = t.expect(STEP);
    assert!(
        one.contains(
            "  change 1/2  2:12  cluster  pve-home → proxmox-home\n    -cluster = \"pve-home\"   # home\n    +cluster = \"proxmox-home\"   # home\n"
        ),
        "{one}"
    );
    t.key("y");
    let two = t.expect(STEP);
    assert!(
        two.contains(
            "  change 2/2  3:9  host  pve-shop → pve\n    -host = 'pve-shop'\n    +host = 'pve'\n"
        ),
        "{two}"
    );
    t.key("n");
    let after = t.expect(PROMPT);
    assert!(after.contains("  wrote b.toml (1 change)"), "{after}");
    assert_eq!(read(dir.path(), "b.toml"), B_FIRST_ONLY);
    t.key("s");
    t.expect(STEP);
    t.key("n");
    t.expect(STEP);
    t.key("n");
    let (rest, code) = t.finish();
    assert!(rest.contains("  skipped c.json"), "{rest}");
    assert!(
        rest.contains("wrote 1 change in 1 file; skipped 4 changes in 3 files"),
        "{rest}"
    );
    assert_eq!(code, 1);
    assert_eq!(read(dir.path(), "a.json"), A);
    assert_eq!(read(dir.path(), "c.json"), C);
}

#[test]
fn q_in_step_mode_leaves_that_file_untouched() {
    let dir = tree();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    t.expect(PROMPT);
    t.key("y");
    t.expect(PROMPT);
    t.key("s");
    t.expect(STEP);
    t.key("y");
    t.expect(STEP);
    t.key("q");
    let (rest, code) = t.finish();
    assert!(rest.contains("(stopped early)"), "{rest}");
    assert_eq!(code, 1);
    assert_eq!(read(dir.path(), "a.json"), A_FIXED);
    assert_eq!(read(dir.path(), "b.toml"), B);
    assert_eq!(read(dir.path(), "c.json"), C);
}

#[test]
fn other_keys_show_help_and_ask_again() {
    let dir = tree();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    t.expect(PROMPT);
    t.key("x");
    let help = t.expect(PROMPT);
    assert!(
        help.contains("s - step through this file's changes one by one"),
        "{help}"
    );
    t.key("\r");
    t.expect(PROMPT);
    assert_eq!(read(dir.path(), "a.json"), A, "Enter is not an answer");
    t.key("Y");
    t.expect(PROMPT);
    assert_eq!(
        read(dir.path(), "a.json"),
        A_FIXED,
        "keys are case-insensitive"
    );
    t.key("q");
    let (_, code) = t.finish();
    assert_eq!(code, 1);
}

#[test]
fn a_file_changed_while_the_prompt_waits_is_not_written_and_exits_2() {
    let dir = tree();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    t.expect(PROMPT);
    let edited = "{\"host\": \"pve-shop\", \"note\": \"edited meanwhile\"}\n";
    fs::write(dir.path().join("a.json"), edited).unwrap();
    t.key("y");
    let next = t.expect(PROMPT);
    assert!(next.contains("NOT written: a.json"), "{next}");
    assert!(
        next.contains("error: a.json: file changed on disk since it was planned; not written"),
        "{next}"
    );
    t.key("y");
    t.expect(PROMPT);
    t.key("y");
    let (rest, code) = t.finish();
    assert!(
        rest.contains("wrote 4 changes in 2 files; skipped 0 changes in 0 files; failed to write 1 file (1 change)"),
        "{rest}"
    );
    assert_eq!(code, 2);
    assert_eq!(read(dir.path(), "a.json"), edited, "the edit is kept");
    assert_eq!(read(dir.path(), "b.toml"), B_FIXED);
    assert_eq!(read(dir.path(), "c.json"), C_FIXED);
    no_temp_files(dir.path());
}

/// The local-mode flags of `stty -a` output that raw mode changes.
fn tty_flags(stty: &str) -> Vec<String> {
    stty.split_whitespace()
        .filter(|w| ["echo", "icanon", "isig", "-echo", "-icanon", "-isig"].contains(w))
        .map(str::to_string)
        .collect()
}

#[test]
fn ctrl_c_at_a_prompt_stops_cleanly_and_restores_the_terminal() {
    let dir = tree();
    // Through a shell, so that `stty` reads the terminal before and after.
    let mut cmd = StdCommand::new("sh");
    cmd.env("XDG_STATE_HOME", common::state_dir());
    cmd.current_dir(dir.path()).arg("-c").arg(format!(
        "stty -a; echo BEFORE-END; {} fix --preview --color never; echo \"exit=$?\"; stty -a; echo AFTER-END",
        env!("CARGO_BIN_EXE_driftfix")
    ));
    let mut session = Session::spawn(cmd).unwrap();
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    let mut t = Pty {
        session,
        seen: String::new(),
    };
    let before = tty_flags(&t.expect("BEFORE-END"));
    assert!(before.contains(&"icanon".to_string()), "{before:?}");
    t.expect(PROMPT);
    t.key("y");
    t.expect(PROMPT);
    // The key is read in raw mode while the prompt waits.
    let start = Instant::now();
    while t.canonical() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "terminal never went raw"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    t.key("\x03");
    let rest = t.expect("exit=");
    assert!(rest.contains("^C"), "{rest}");
    assert!(
        rest.contains("interrupted: nothing more is written; files written so far are complete"),
        "{rest}"
    );
    assert!(rest.contains("(stopped early)"), "{rest}");
    let after = t.expect("AFTER-END");
    assert!(after.starts_with("1\n"), "exit code 1: {after}");
    assert_eq!(tty_flags(&after), before, "terminal mode restored");
    assert!(t.canonical());
    assert_eq!(read(dir.path(), "a.json"), A_FIXED, "accepted file stays");
    assert_eq!(read(dir.path(), "b.toml"), B);
    assert_eq!(read(dir.path(), "c.json"), C);
    no_temp_files(dir.path());
}

/// SIGTERM, SIGHUP (a closed terminal) and Ctrl-D (end of input) at a prompt
/// end the session like `q`: the closing line, exit 1, the terminal back in
/// line mode, accepted files complete, nothing more written.
#[test]
fn sigterm_sighup_or_ctrl_d_at_a_prompt_stop_like_q() {
    for how in ["TERM", "HUP", "^D"] {
        let dir = tree();
        let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
        t.expect(PROMPT);
        t.key("y");
        t.expect(PROMPT);
        let start = Instant::now();
        while t.canonical() {
            assert!(start.elapsed() < Duration::from_secs(10), "never raw");
            std::thread::sleep(Duration::from_millis(20));
        }
        let pid = t.session.get_process().pid().as_raw();
        match how {
            "^D" => t.key("\x04"),
            // SAFETY: kill(2) on the child this test spawned.
            "TERM" => unsafe {
                libc::kill(pid, libc::SIGTERM);
            },
            _ => unsafe {
                libc::kill(pid, libc::SIGHUP);
            },
        }
        let (rest, code) = t.finish();
        assert!(
            rest.contains(
                "interrupted: nothing more is written; files written so far are complete"
            ),
            "{how}: {rest}"
        );
        assert!(rest.contains("(stopped early)"), "{how}: {rest}");
        assert_eq!(code, 1, "{how}");
        assert!(t.canonical(), "{how}: terminal restored");
        assert_eq!(read(dir.path(), "a.json"), A_FIXED);
        assert_eq!(read(dir.path(), "b.toml"), B);
        assert_eq!(read(dir.path(), "c.json"), C);
        no_temp_files(dir.path());
    }
}

#[test]
fn color_follows_the_color_option() {
    let dir = tree();
    let mut t = Pty::spawn(dir.path(), &["--color", "always"]);
    let shown = t.expect(PROMPT);
    assert!(shown.contains("\x1b["), "colored on a terminal:\n{shown}");
    t.key("q");
    let _ = t.finish();

    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    let shown = t.expect(PROMPT);
    assert!(!shown.contains("\x1b["), "{shown}");
    t.key("q");
    let (_, code) = t.finish();
    assert_eq!(code, 1);
}

#[test]
fn without_a_terminal_preview_refuses_and_points_to_dry_run_and_apply() {
    let dir = tree();
    let out = driftfix()
        .current_dir(dir.path())
        .args(["fix", "--preview"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--preview needs a terminal"), "{err}");
    assert!(
        err.contains("--dry-run") && err.contains("--apply"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(read(dir.path(), "a.json"), A);

    // A terminal on stdin but stdout piped is refused too.
    let mut cmd = StdCommand::new("sh");
    cmd.current_dir(dir.path()).arg("-c").arg(format!(
        "{} fix --preview > out.txt; echo \"exit=$?\"",
        env!("CARGO_BIN_EXE_driftfix")
    ));
    let mut s = Session::spawn(cmd).unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(30)));
    let got = s.expect("exit=").unwrap();
    let text = String::from_utf8_lossy(got.before()).into_owned();
    let code = s.expect(expectrl::Regex("[0-9]+")).unwrap();
    assert_eq!(code.get(0).unwrap(), b"2", "{text}");
    assert!(text.contains("--preview needs a terminal"), "{text}");
    assert_eq!(read(dir.path(), "out.txt"), "");
    assert_eq!(read(dir.path(), "a.json"), A);
}

#[test]
fn format_and_output_are_refused_with_preview() {
    let dir = tree();
    let out = driftfix()
        .current_dir(dir.path())
        .args(["fix", "--preview", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--format and --output"), "{err}");
}

#[test]
fn a_at_the_first_prompt_writes_exactly_what_apply_writes() {
    let previewed = homelab_copy();
    let applied = homelab_copy();
    let before = snapshot(previewed.path());

    let mut t = Pty::spawn(previewed.path(), &["--color", "never"]);
    let first = t.expect(PROMPT);
    assert!(
        first.contains("[1/4] workbench/infra/config/clusters.toml  3 changes"),
        "{first}"
    );
    t.key("a");
    let (rest, code) = t.finish();
    assert!(
        rest.contains(
            "[3/4] workbench/infra/data/backup_inventory.json  2 changes, highest severity HIGH"
        ),
        "{rest}"
    );

    let out = driftfix()
        .current_dir(applied.path())
        .args(["fix", "--apply"])
        .output()
        .unwrap();
    assert_eq!(Some(code), out.status.code(), "same exit code as --apply");
    let after = snapshot(previewed.path());
    assert_ne!(after, before, "something was written");
    assert_eq!(after, snapshot(applied.path()), "same bytes as --apply");
    for (path, bytes) in &before {
        if path.starts_with("legacy/") || path.starts_with("spine/") {
            let now = after.iter().find(|(p, _)| p == path).unwrap();
            assert_eq!(&now.1, bytes, "{} never written", path.display());
        }
    }
}

#[test]
fn step_mode_rewrites_one_token_inside_a_yaml_url() {
    let dir = homelab_copy();
    let inv = "workbench/infra/data/CONTAINER_INVENTORY.yaml";
    let original = read(dir.path(), inv);
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    t.expect(PROMPT);
    t.key("n");
    t.expect(PROMPT);
    t.key("s");
    // Decline every change but the URL's token (the last one).
    let mut shown = String::new();
    for _ in 0..5 {
        shown.push_str(&t.expect(STEP));
        t.key("n");
    }
    let url = t.expect(STEP);
    assert!(
        url.contains("url  pve-shop → pve\n    -    url: https://pve-shop.lan:8006/#v1:0:=qemu%2F206\n    +    url: https://pve.lan:8006/#v1:0:=qemu%2F206\n"),
        "{url}"
    );
    t.key("y");
    t.expect(PROMPT);
    t.key("q");
    let (_, code) = t.finish();
    assert_eq!(code, 1);
    assert_eq!(
        read(dir.path(), inv),
        original.replace("https://pve-shop.lan:8006/#v1", "https://pve.lan:8006/#v1")
    );
    assert!(shown.contains("change 1/6"), "{shown}");
}

#[test]
fn manual_findings_are_listed_and_keep_the_exit_code_at_1() {
    let dir = tree();
    // Renaming this key would collide with the existing `pve`: manual.
    fs::write(
        dir.path().join("c.json"),
        "{\n  \"hosts\": {\"pve-shop\": 1, \"pve\": 2},\n  \"host\": \"pve-home\"\n}\n",
    )
    .unwrap();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    for _ in 0..2 {
        t.expect(PROMPT);
        t.key("y");
    }
    let third = t.expect(PROMPT);
    assert!(
        third.contains("[3/3] c.json  1 change, highest severity MEDIUM (1 more needs a manual fix, listed at the end)"),
        "{third}"
    );
    t.key("y");
    let (rest, code) = t.finish();
    assert!(
        rest.contains("manual: c.json:2:14: hosts.pve-shop `pve-shop`: renaming this key to `pve` would collide"),
        "{rest}"
    );
    assert!(
        rest.contains("wrote 4 changes in 3 files; skipped 0 changes in 0 files"),
        "{rest}"
    );
    assert_eq!(code, 1, "manual findings remain");
}

/// A file name never reaches the terminal raw: control characters are
/// shown escaped, so a name can neither split a line nor color it.
#[test]
fn file_names_with_control_characters_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("driftfix.toml"), RULES).unwrap();
    let name = "x\u{1b}[31mRED\nnl.json";
    fs::write(dir.path().join(name), A).unwrap();
    let mut t = Pty::spawn(dir.path(), &["--color", "never"]);
    let first = t.expect(PROMPT);
    assert!(
        first.contains("[1/1] x\\u{1b}[31mRED\\nnl.json  1 change"),
        "{first}"
    );
    assert!(!first.contains('\u{1b}'), "{first:?}");
    t.key("y");
    let (rest, code) = t.finish();
    assert!(
        rest.contains("  wrote x\\u{1b}[31mRED\\nnl.json (1 change)"),
        "{rest}"
    );
    assert!(!rest.contains('\u{1b}'), "{rest:?}");
    assert_eq!(code, 0);
    assert_eq!(read(dir.path(), name), A_FIXED);
}

/// SPEC §14: a review session journals every file it writes, so `undo`
/// puts back exactly those; declined files were never touched and stay.
#[test]
fn undo_after_a_review_with_a_file_declined_restores_the_written_ones() {
    let dir = tree();
    let journal = tempfile::tempdir().unwrap();
    let before = snapshot(dir.path());
    let j = journal.path().to_str().unwrap();
    let mut t = Pty::spawn(dir.path(), &["--color", "never", "--journal", j]);
    t.expect(PROMPT);
    t.key("y");
    t.expect(PROMPT);
    t.key("n");
    t.expect(PROMPT);
    t.key("y");
    let (_, code) = t.finish();
    assert_eq!(code, 1, "a declined file leaves drift");
    assert_eq!(read(dir.path(), "a.json"), A_FIXED);
    assert_eq!(read(dir.path(), "b.toml"), B);
    assert_eq!(read(dir.path(), "c.json"), C_FIXED);

    let out = driftfix()
        .current_dir(dir.path())
        .args(["undo", "--journal", j])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("restored a.json\n"), "{err}");
    assert!(err.contains("restored c.json\n"), "{err}");
    assert!(
        !err.contains("b.toml"),
        "the declined file is no part of the run: {err}"
    );
    assert!(err.contains("restored 2 files"), "{err}");
    assert_eq!(snapshot(dir.path()), before, "byte for byte as before");
    no_temp_files(dir.path());
}

/// SPEC §11: the reviewer sees what is not offered because it is
/// suppressed, and why; a suppressed finding is never written.
#[test]
fn a_review_says_how_many_findings_are_suppressed_and_why() {
    let dir = tree();
    std::fs::write(
        dir.path().join("b.toml"),
        "# clusters\ncluster = \"pve-home\"   # driftfix: ignore\nhost = 'pve-shop'\n",
    )
    .unwrap();
    let mut rules = RULES.to_string();
    rules.push_str("\n[[ignore]]\nfiles = [\"a.json\"]\nreason = \"archived\"\n");
    std::fs::write(dir.path().join("driftfix.toml"), rules).unwrap();
    let mut t = Pty::spawn(dir.path(), &["--color", "never", "--no-journal"]);
    let first = t.expect(PROMPT);
    assert!(
        first.contains("2 findings suppressed (inline 1, rule 1); --show-suppressed lists them\n"),
        "{first}"
    );
    assert!(
        first.contains(
            "[1/2] b.toml  1 change, highest severity MEDIUM [suppressed, not offered: 1 inline]\n"
        ),
        "{first}"
    );
    t.key("a");
    let (_, code) = t.finish();
    assert_eq!(code, 0);
    assert_eq!(
        read(dir.path(), "a.json"),
        A,
        "suppressed by a rule: never written"
    );
    assert_eq!(
        read(dir.path(), "b.toml"),
        "# clusters\ncluster = \"pve-home\"   # driftfix: ignore\nhost = 'pve'\n"
    );
}
