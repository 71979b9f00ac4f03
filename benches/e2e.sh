#!/usr/bin/env bash
# End-to-end benchmark of the driftfix binary on a matrix of generated tree
# shapes (issue 19), each timed in the same run as its peer, alternating,
# median of $RUNS (default 5) with the spread (min-max):
#
#   scan rows   driftfix scan                vs  rg -l -F --no-require-git -f aliases.txt
#     sparse      20,000 YAML/JSON files of ~10 KB, 0.5% with aliases
#     tiny        40,000 YAML files of ~80 B in 1,400 dirs, near-miss values
#     near-miss   20,000 files, a near-miss (pve-shop-backup) in every file
#     deep        20,000 files of 5-20 KB, 8 directories deep
#     big         6 files of 10-40 MB (one with aliases)
#     ignored     20,000 files, 90% of them under a .gitignore'd vendor/
#     toml/ini/jsonc/text  5,000 files of each
#   fix rows    driftfix fix --apply         vs  benches/ruamel_fix.py (ruamel.yaml,
#     dense       400 files x 20 aliases,        json, tomlkit round trips, fsync'd
#                 YAML, JSON, TOML               like driftfix), fresh copy per run
#   big file    one 30 MB YAML file, 100,000 findings: MB/s and peak RSS (vs rg -c)
#   outputs     scan --format json|sarif|markdown|github|gitlab vs human, 8,000 findings
#   RSS         peak RSS (GNU time) of every scan row, driftfix and rg
#   growth      sparse and tiny scans at 10k -> 20k -> 40k files
#
# Usage: benches/e2e.sh            (from anywhere; needs cargo)
#   RUNS=7 BENCH_DIR=/tmp/df-bench SEED=7 benches/e2e.sh
#   QUICK=1 benches/e2e.sh         (trees a quarter the size, 3 runs: minutes)
#   ONLY="sparse tiny" benches/e2e.sh   (just those rows)
# Trees are generated once per seed and generator version under $BENCH_DIR
# (default target/bench-e2e) by benches/tools/gen_inventory.rs. Installs
# ripgrep, GNU time, ruamel.yaml and tomlkit when missing (apt-get / pip);
# the Python comparison is skipped with a notice when Python 3.11+ is not
# available. rg runs with --no-require-git so that it honours .gitignore
# outside a git repository, as driftfix does, and with the same 36-alias
# list the trees' rules hold. Run it on a quiet machine: the load average
# is printed alongside (another build or test run skews every figure).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
QUICK=${QUICK:-}
RUNS=${RUNS:-$([ -n "$QUICK" ] && echo 3 || echo 5)}
SEED=${SEED:-7}
WORK=${BENCH_DIR:-$ROOT/target/bench-e2e}
ONLY=${ONLY:-}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

note() { printf '%s\n' "$*" >&2; }
want() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }
# Scale a file count for QUICK runs.
n() { if [ -n "$QUICK" ]; then echo $(($1 / 4)); else echo "$1"; fi; }
nmb() { if [ -n "$QUICK" ]; then awk -v m="$1" 'BEGIN { print m / 4 }'; else echo "$1"; fi; }

# --- tools ----------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
  if have apt-get; then
    { apt-get update -qq && apt-get install -y -qq "$@"; } >/dev/null 2>&1 || true
  fi
}
if ! have rg; then
  note "installing ripgrep"
  apt_install ripgrep
  have rg || cargo install --quiet ripgrep || true
  if ! have rg && [ -x "$HOME/.cargo/bin/rg" ]; then PATH="$HOME/.cargo/bin:$PATH"; fi
fi
have rg || { note "error: ripgrep (rg) is needed for the scan comparison"; exit 2; }
TIME=/usr/bin/time
[ -x "$TIME" ] || apt_install time
[ -x "$TIME" ] || { note "error: GNU time (/usr/bin/time) is needed for peak RSS"; exit 2; }
PY=""
if have python3 && python3 -c 'import tomllib' 2>/dev/null; then
  for mod in ruamel.yaml tomlkit; do
    if ! python3 -c "import $mod" 2>/dev/null; then
      note "installing $mod (pip)"
      python3 -m pip install -q "$mod" >/dev/null 2>&1 || true
    fi
  done
  python3 -c 'import ruamel.yaml, tomlkit' 2>/dev/null && PY=python3
fi
[ -n "$PY" ] || note "NOTICE: python3 (3.11+) with ruamel.yaml and tomlkit not available: the Python comparison is skipped"

# --- build and generate ---------------------------------------------------
note "building (release)"
cargo build --release --quiet --bin driftfix --example gen_inventory
DF=${DF:-$ROOT/target/release/driftfix}
GEN=$ROOT/target/release/examples/gen_inventory
GEN_ID=$(cat benches/common/gen.rs benches/tools/gen_inventory.rs | cksum | cut -d' ' -f1)

gen() { # NAME MODE ARGS...
  local name=$1; shift
  local want="$* --seed $SEED gen=$GEN_ID"
  if [ "$(cat "$WORK/$name/.params" 2>/dev/null)" != "$want" ]; then
    "$GEN" "$1" "$WORK/$name" "${@:2}" --seed "$SEED" >&2
    echo "$want" >"$WORK/$name/.params"
  fi
}

# --- timing helpers -------------------------------------------------------
# Wall seconds of one command (output discarded; exit 1 "drift found" is fine).
wall() {
  local s=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || true
  awk -v s="$s" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.4f\n", e - s }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s-%s", lo, hi }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "NA" }'; }
mb() { du -sm --apparent-size "$1" | cut -f1; }
# Peak RSS in MB of a command, the largest of 3 runs.
rss() {
  local best=0 r _
  for _ in 1 2 3; do
    r=$("$TIME" -f %M "$@" 2>&1 >/dev/null | tail -1 || true)
    [[ "$r" =~ ^[0-9]+$ ]] && ((r > best)) && best=$r
  done
  echo $((best / 1024))
}
# SRC DST, not timed; synced so that neither tool pays for writing back the
# copy (driftfix fsyncs each file it writes, which would flush it).
fresh() { rm -rf "$2"; cp -r "$1" "$2"; sync; }

df_scan() { "$DF" scan --rules "$WORK/$1/driftfix.toml" --base "$WORK/$1/tree"; }
rg_scan() { rg -l -F --no-require-git -f "$WORK/$1/aliases.txt" "$WORK/$1/tree"; }
rg_cw() { rg -c -w -F --no-require-git -f "$WORK/$1/aliases.txt" "$WORK/$1/tree"; }
df_fix() { "$DF" fix --apply --rules "$WORK/$1/driftfix.toml" --base "$2"; }
py_fix() { "$PY" benches/ruamel_fix.py "$WORK/$1/driftfix.toml" "$2"; }

# Alternating runs of two commands on TREE: sets A and B to
# "median spread" of each.
race() { # FN_A FN_B TREE
  local a=() b=() i
  wall "$1" "$3" >/dev/null; wall "$2" "$3" >/dev/null # warm the page cache
  for ((i = 0; i < RUNS; i++)); do
    if ((i % 2)); then
      b+=("$(wall "$2" "$3")"); a+=("$(wall "$1" "$3")")
    else
      a+=("$(wall "$1" "$3")"); b+=("$(wall "$2" "$3")")
    fi
  done
  A="$(printf '%s\n' "${a[@]}" | median) $(printf '%s\n' "${a[@]}" | spread)"
  B="$(printf '%s\n' "${b[@]}" | median) $(printf '%s\n' "${b[@]}" | spread)"
}

ROWS=()
# Each row is kept for the table and shown at once (a long run that stops
# half way still says what it measured).
row() { ROWS+=("$*"); note "$*"; }

# Files with aliases by rg and by driftfix agree (trees without near-misses).
same_files() { # TREE
  local r d
  r=$({ rg_scan "$1" || true; } | wc -l)
  d=$({ df_scan "$1" 2>&1 || true; } | sed -n 's/.*files scanned, \([0-9]*\) with findings.*/\1/p' | tail -1)
  note "$1: files with aliases: rg $r, driftfix $d"
  [ "$r" = "$d" ] || { note "error: the tools disagree on $1"; exit 2; }
}

# One scan row: generate, check, race, RSS.
scan_row() { # LABEL TREE GOAL CHECK(yes/no) GEN_ARGS...
  local label=$1 tree=$2 goal=$3 check=$4; shift 4
  gen "$tree" "$@"
  [ "$check" = yes ] && same_files "$tree"
  note "timing $tree ($RUNS runs each, alternating)"
  race df_scan rg_scan "$tree"
  local dm ds rm rs
  read -r dm ds <<<"$A"; read -r rm rs <<<"$B"
  local r; r=$(ratio "$dm" "$rm")
  local rd rr
  rd=$(rss "$DF" scan --rules "$WORK/$tree/driftfix.toml" --base "$WORK/$tree/tree")
  rr=$(rss rg -l -F --no-require-git -f "$WORK/$tree/aliases.txt" "$WORK/$tree/tree")
  row "| $label, $(mb "$WORK/$tree/tree") MiB | $dm s ($ds) | $rm s ($rs) | **${r}x** rg | $rd MB / $rr MB | <= ${goal}x: $(verdict "$r" "$goal" max) |"
  eval "T_${tree//-/_}=$dm R_${tree//-/_}=$rm"
}
verdict() { awk -v v="$1" -v lim="$2" -v dir="$3" 'BEGIN { if (v == "NA") { print "-"; exit } ok = (dir == "max") ? v <= lim : v >= lim; print ok ? "met" : "NOT met" }'; }

# --- scan rows ------------------------------------------------------------
S20=$(n 20000) S10=$(n 10000) S40=$(n 40000)
if want sparse; then
  scan_row "sparse: $S20 YAML/JSON files ~10 KB, 0.5% with aliases" sparse-20k 1.0 yes \
    sparse --files "$S20" --mb "$(nmb 198)" --hit-permille 5
fi
if want tiny; then
  scan_row "tiny: $S40 YAML files ~80 B, 1,400 dirs, near-miss values" tiny-40k 1.0 no \
    tiny --files "$S40" --dirs 1400 --hit-permille 5 --near-miss
fi
if want near-miss; then
  scan_row "near-miss in every file: $S20 files ~10 KB" near-miss 1.5 no \
    sparse --files "$S20" --mb "$(nmb 198)" --hit-permille 5 --near-miss
  # rg -l stops at a file's first raw match, which a near-miss gives early;
  # driftfix must search the whole file for a bounded one. The same work
  # for rg: count word-bounded matches (reference only).
  note "timing near-miss against rg -c -w ($RUNS runs each, alternating)"
  race df_scan rg_cw near-miss
  read -r dm ds <<<"$A"; read -r rm rs <<<"$B"
  row "| near-miss, the same tree, against a whole-file search | $dm s ($ds) | rg -c -w $rm s ($rs) | **$(ratio "$dm" "$rm")x** rg -c -w | - | (reference only) |"
fi
if want deep; then
  scan_row "deep: $S20 files of 5-20 KB, 8 dirs deep" deep 1.0 yes \
    sparse --files "$S20" --mb "$(nmb 250)" --hit-permille 5 --depth 8
fi
if want big; then
  scan_row "big: 6 files of 10-40 MB" big 1.0 yes \
    sparse --files 6 --mb "$(nmb 150)" --hit-permille 167
fi
if want ignored; then
  scan_row "ignored: $S20 files, 90% under a .gitignore'd vendor/" ignored 1.0 yes \
    sparse --files "$S20" --mb "$(nmb 120)" --hit-permille 5 --ignored-permille 900
fi
for k in toml ini jsonc text; do
  if want "$k"; then
    scan_row "$k: $(n 5000) files ~10 KB, 0.5% with aliases" "fmt-$k" 1.0 yes \
      sparse --files "$(n 5000)" --mb "$(nmb 50)" --hit-permille 5 --kinds "$k"
  fi
done

# --- growth: 10k -> 20k -> 40k files --------------------------------------
GROWTH=()
if want growth; then
  for shape in sparse tiny; do
    line="$shape:"
    for f in "$S10" "$S20" "$S40"; do
      t="$shape-g$f"
      if [ "$shape" = sparse ]; then
        gen "$t" sparse --files "$f" --mb "$(awk -v f="$f" 'BEGIN { print f * 0.0099 }')" --hit-permille 5
      else
        gen "$t" tiny --files "$f" --dirs 1400 --hit-permille 5 --near-miss
      fi
      race df_scan rg_scan "$t"
      read -r dm _ <<<"$A"; read -r rm _ <<<"$B"
      line="$line $f files: driftfix $dm s, rg $rm s ($(ratio "$dm" "$rm")x);"
    done
    GROWTH+=("$line")
  done
fi

# --- dense fix, per format ------------------------------------------------
fix_once() { # TOOL TREE_NAME  -> seconds, on a fresh copy
  fresh "$WORK/$2/tree" "$WORK/$2/copy"
  wall "$1" "$2" "$WORK/$2/copy"
  sync
}
check_fixed() { # TOOL TREE_NAME: the fix leaves no finding (else status 1)
  fresh "$WORK/$2/tree" "$WORK/$2/copy"
  "$1" "$2" "$WORK/$2/copy" >/dev/null 2>&1 || true
  if ! "$DF" scan --rules "$WORK/$2/driftfix.toml" --base "$WORK/$2/copy" >/dev/null 2>&1; then
    note "error: $1 on $2 left findings behind"; return 1
  fi
}
if want dense; then
  for k in yaml json toml; do
    t="dense-$k"
    gen "$t" dense --files 400 --mb 3.2 --aliases 20 --kinds "$k"
    check_fixed df_fix "$t" || exit 2
    peer=$PY
    [ -n "$peer" ] && { check_fixed py_fix "$t" || peer=""; }
    a=() b=()
    for ((i = 0; i < RUNS; i++)); do
      a+=("$(fix_once df_fix "$t")")
      [ -n "$peer" ] && b+=("$(fix_once py_fix "$t")")
    done
    rm -rf "$WORK/$t/copy"
    dm=$(printf '%s\n' "${a[@]}" | median); ds=$(printf '%s\n' "${a[@]}" | spread)
    if [ -n "$peer" ]; then
      pm=$(printf '%s\n' "${b[@]}" | median); ps=$(printf '%s\n' "${b[@]}" | spread)
      r=$(ratio "$pm" "$dm")
      # The 60x goal is ruamel.yaml's; the json module (C) and tomlkit are
      # the fastest round trips Python has for JSON and TOML: reference only.
      goal="(reference only)"
      [ "$k" = yaml ] && goal=">= 60x: $(verdict "$r" 60 min)"
      row "| dense fix --apply, 400 $k files x 20 aliases | $dm s ($ds) | $pm s ($ps) | **${r}x** faster than Python | - | $goal |"
    else
      row "| dense fix --apply, 400 $k files x 20 aliases | $dm s ($ds) | skipped | - | - | - |"
    fi
  done
fi

# --- one big file ---------------------------------------------------------
rg_c() { rg -c -F -f "$WORK/$1/aliases.txt" "$WORK/$1/tree"; }
if want bigfile; then
  gen bigfile dense --files 1 --mb "$(nmb 30)" --aliases "$(n 100000)"
  race df_scan rg_c bigfile
  read -r dm ds <<<"$A"; read -r rm rs <<<"$B"
  size=$(du -b --apparent-size -s "$WORK/bigfile/tree" | cut -f1)
  rate=$(awk -v b="$size" -v t="$dm" 'BEGIN { printf "%.0f", b / 1e6 / t }')
  rd=$(rss "$DF" scan --rules "$WORK/bigfile/driftfix.toml" --base "$WORK/bigfile/tree")
  limit=$(awk -v b="$size" 'BEGIN { printf "%.0f", 4 * b / 1048576 + 50 }')
  row "| one $(mb "$WORK/bigfile/tree") MiB YAML file, $(n 100000) findings | $dm s ($ds), $rate MB/s | rg -c $rm s | - | $rd MB | >= 50 MB/s: $(verdict "$rate" 50 min); RSS <= $limit MB: $(verdict "$rd" "$limit" max) |"
fi

# --- output formats -------------------------------------------------------
if want outputs; then
  t=dense-yaml
  gen "$t" dense --files 400 --mb 3.2 --aliases 20 --kinds yaml
  nfind=$({ "$DF" scan --rules "$WORK/$t/driftfix.toml" --base "$WORK/$t/tree" 2>&1 || true; } | sed -n 's/.*with findings: \([0-9]*\) findings.*/\1/p' | tail -1)
  out_human() { "$DF" scan --format human --rules "$WORK/$1/driftfix.toml" --base "$WORK/$1/tree"; }
  for f in json sarif markdown github gitlab; do
    eval "out_$f() { \"\$DF\" scan --format $f --rules \"\$WORK/\$1/driftfix.toml\" --base \"\$WORK/\$1/tree\"; }"
    race "out_$f" out_human "$t"
    read -r fm fs <<<"$A"; read -r hm hs <<<"$B"
    r=$(ratio "$fm" "$hm")
    rd=$(rss "$DF" scan --format "$f" --rules "$WORK/$t/driftfix.toml" --base "$WORK/$t/tree")
    row "| scan --format $f, $nfind findings | $fm s ($fs) | human $hm s ($hs) | **${r}x** human | $rd MB | <= 1.25x: $(verdict "$r" 1.25 max) |"
  done
fi

# --- report ---------------------------------------------------------------
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
ram=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
{
  echo "machine: $(nproc) cores, $cpu, $ram RAM; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "driftfix $("$DF" --version | cut -d' ' -f2), $(rg --version 2>/dev/null | head -1)${PY:+, $("$PY" -c 'import ruamel.yaml, tomlkit; print("ruamel.yaml", ruamel.yaml.__version__, "tomlkit", tomlkit.__version__)')}; median (min-max) of $RUNS alternating runs, seed $SEED${QUICK:+, QUICK trees}"
  echo
  echo "| work | driftfix | peer | ratio | peak RSS driftfix / peer | goal |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  if ((${#GROWTH[@]})); then
    echo
    echo "growth (median wall time as the file count doubles):"
    printf '  %s\n' "${GROWTH[@]}"
  fi
} | tee "$WORK/results.md"
