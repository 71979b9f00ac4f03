#!/usr/bin/env bash
# End-to-end benchmark of the driftfix binary on generated trees, timed in the
# same run as its peers, alternating, median of $RUNS (default 5):
#
#   sparse scan  driftfix scan            vs  rg -l -F -f aliases.txt
#                20,000 YAML/JSON files, ~150 MB, 0.5% of them with aliases
#   dense fix    driftfix fix --apply     vs  benches/ruamel_fix.py (ruamel.yaml round trip)
#                400 YAML files, 20 aliases each in governed fields, fresh copy per run
#   peak RSS     of driftfix scan on the sparse tree (/usr/bin/time)
#   growth       sparse scan on 10,000 vs 20,000 files; dense fix at 10 vs 20 aliases a file
#
# Usage: benches/e2e.sh            (from anywhere; needs cargo)
#   RUNS=7 BENCH_DIR=/tmp/df-bench SEED=7 benches/e2e.sh
# Trees are generated once per seed and generator version under $BENCH_DIR
# (default target/bench-e2e) by examples/gen_inventory.rs. Installs ripgrep,
# GNU time and ruamel.yaml when missing (apt-get / pip); the ruamel.yaml
# comparison is skipped with a notice when Python 3.11+ or ruamel.yaml is
# not available. Run it on a quiet machine: `uptime` is printed alongside.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-5}
SEED=${SEED:-7}
WORK=${BENCH_DIR:-$ROOT/target/bench-e2e}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

note() { printf '%s\n' "$*" >&2; }

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
  if ! python3 -c 'import ruamel.yaml' 2>/dev/null; then
    note "installing ruamel.yaml (pip)"
    python3 -m pip install -q ruamel.yaml >/dev/null 2>&1 || true
  fi
  python3 -c 'import ruamel.yaml' 2>/dev/null && PY=python3
fi
[ -n "$PY" ] || note "NOTICE: python3 (3.11+) with ruamel.yaml not available: the ruamel.yaml comparison is skipped"

# --- build and generate ---------------------------------------------------
note "building (release)"
cargo build --release --quiet --bin driftfix --example gen_inventory
DF=$ROOT/target/release/driftfix
GEN=$ROOT/target/release/examples/gen_inventory
GEN_ID=$(cat benches/common/gen.rs examples/gen_inventory.rs | cksum | cut -d' ' -f1)

gen() { # NAME MODE ARGS...
  local name=$1; shift
  local want="$* --seed $SEED gen=$GEN_ID"
  if [ "$(cat "$WORK/$name/.params" 2>/dev/null)" != "$want" ]; then
    "$GEN" "$1" "$WORK/$name" "${@:2}" --seed "$SEED" >&2
    echo "$want" >"$WORK/$name/.params"
  fi
}
gen sparse-20k sparse --files 20000 --mb 156 --hit-permille 5
gen sparse-10k sparse --files 10000 --mb 78 --hit-permille 5
gen dense-20 dense --files 400 --mb 3.2 --aliases 20
gen dense-10 dense --files 400 --mb 3.2 --aliases 10

# --- timing helpers -------------------------------------------------------
# Wall seconds of one command (output discarded; exit 1 "drift found" is fine).
wall() {
  local s=$EPOCHREALTIME
  "$@" >/dev/null 2>&1 || true
  awk -v s="$s" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.4f\n", e - s }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mb() { du -sm --apparent-size "$1" | cut -f1; }
# SRC DST, not timed; synced so that neither tool pays for writing back the
# copy (driftfix fsyncs each file it writes, which would flush it).
fresh() { rm -rf "$2"; cp -r "$1" "$2"; sync; }

df_scan() { "$DF" scan --rules "$WORK/$1/driftfix.toml" --base "$WORK/$1/tree"; }
rg_scan() { rg -l -F -f "$WORK/$1/aliases.txt" "$WORK/$1/tree"; }
df_fix() { "$DF" fix --apply --rules "$WORK/$1/driftfix.toml" --base "$2"; }
df_dry() { "$DF" fix --dry-run --format json --rules "$WORK/$1/driftfix.toml" --base "$WORK/$1/tree"; }
py_fix() { "$PY" benches/ruamel_fix.py "$WORK/$1/driftfix.toml" "$2"; }

# Alternating medians of two commands: prints "A_median B_median".
race() { # NAME_A NAME_B TREE  (A and B are function names taking TREE)
  local a=() b=() i
  wall "$1" "$3" >/dev/null; wall "$2" "$3" >/dev/null # warm the page cache
  for ((i = 0; i < RUNS; i++)); do
    if ((i % 2)); then
      b+=("$(wall "$2" "$3")"); a+=("$(wall "$1" "$3")")
    else
      a+=("$(wall "$1" "$3")"); b+=("$(wall "$2" "$3")")
    fi
  done
  echo "$(printf '%s\n' "${a[@]}" | median) $(printf '%s\n' "${b[@]}" | median)"
}

# --- sanity: both tools see the same files --------------------------------
for t in sparse-20k sparse-10k; do
  rg_files=$({ rg_scan $t || true; } | wc -l)
  df_files=$({ df_scan $t 2>&1 || true; } | sed -n 's/.*files scanned, \([0-9]*\) with findings.*/\1/p' | tail -1)
  note "$t: files with aliases: rg $rg_files, driftfix $df_files"
  [ "$rg_files" = "$df_files" ] || { note "error: the tools disagree on $t"; exit 2; }
done

# --- sparse scan ----------------------------------------------------------
note "timing sparse scans ($RUNS runs each, alternating)"
read -r s20_df s20_rg <<<"$(race df_scan rg_scan sparse-20k)"
read -r s10_df s10_rg <<<"$(race df_scan rg_scan sparse-10k)"

# --- peak RSS -------------------------------------------------------------
rss_df=0 rss_rg=0
for _ in 1 2 3; do
  r=$("$TIME" -f %M "$DF" scan --rules "$WORK/sparse-20k/driftfix.toml" --base "$WORK/sparse-20k/tree" 2>&1 >/dev/null | tail -1 || true)
  if ((r > rss_df)); then rss_df=$r; fi
  r=$("$TIME" -f %M rg -l -F -f "$WORK/sparse-20k/aliases.txt" "$WORK/sparse-20k/tree" 2>&1 >/dev/null | tail -1 || true)
  if ((r > rss_rg)); then rss_rg=$r; fi
done

# --- dense fix ------------------------------------------------------------
fix_once() { # TOOL TREE_NAME  -> seconds, on a fresh copy
  fresh "$WORK/$2/tree" "$WORK/$2/copy"
  wall "$1" "$2" "$WORK/$2/copy"
  # Flush what the run left dirty (ruamel.yaml does not fsync), so that the
  # next run's fsyncs do not write back the previous tool's files.
  sync
}
check_fixed() { # TOOL TREE_NAME: the fix leaves no finding
  fresh "$WORK/$2/tree" "$WORK/$2/copy"
  "$1" "$2" "$WORK/$2/copy" >/dev/null 2>&1 || true
  if ! "$DF" scan --rules "$WORK/$2/driftfix.toml" --base "$WORK/$2/copy" >/dev/null 2>&1; then
    note "error: $1 on $2 left findings behind"; exit 2
  fi
}
dense_race() { # TREE_NAME WITH_PEER
  local a=() b=() i
  check_fixed df_fix "$1"
  [ "$2" = yes ] && check_fixed py_fix "$1"
  for ((i = 0; i < RUNS; i++)); do
    a+=("$(fix_once df_fix "$1")")
    [ "$2" = yes ] && b+=("$(fix_once py_fix "$1")")
  done
  rm -rf "$WORK/$1/copy"
  echo "$(printf '%s\n' "${a[@]}" | median) $( [ "$2" = yes ] && printf '%s\n' "${b[@]}" | median || echo NA)"
}
note "timing dense fixes ($RUNS runs each, alternating, fresh copies)"
read -r d20_df d20_py <<<"$(dense_race dense-20 "$([ -n "$PY" ] && echo yes || echo no)")"
# Growth with findings: 10 vs 20 aliases a file, alternating, with and
# without writing.
check_fixed df_fix dense-10
g10=() g20=() r10=() r20=()
for ((i = 0; i < RUNS; i++)); do
  g10+=("$(fix_once df_fix dense-10)"); g20+=("$(fix_once df_fix dense-20)")
  r10+=("$(wall df_dry dense-10)"); r20+=("$(wall df_dry dense-20)")
done
rm -rf "$WORK/dense-10/copy" "$WORK/dense-20/copy"
d10_df=$(printf '%s\n' "${g10[@]}" | median)
d20_g=$(printf '%s\n' "${g20[@]}" | median)
d10_dry=$(printf '%s\n' "${r10[@]}" | median)
d20_dry=$(printf '%s\n' "${r20[@]}" | median)

# --- report ---------------------------------------------------------------
verdict() { awk -v v="$1" -v lim="$2" -v dir="$3" 'BEGIN { ok = (dir == "max") ? v <= lim : v >= lim; print ok ? "PASS" : "MISS" }'; }
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
ram=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
{
  echo "machine: $(nproc) cores, $cpu, $ram RAM; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "driftfix $("$DF" --version | cut -d' ' -f2), $(rg --version 2>/dev/null | head -1)${PY:+, ruamel.yaml $("$PY" -c 'import ruamel.yaml; print(ruamel.yaml.__version__)')}; median of $RUNS, seed $SEED"
  echo
  echo "| benchmark | driftfix | peer | ratio | target |"
  echo "|---|---|---|---|---|"
  r=$(ratio "$s20_df" "$s20_rg")
  echo "| sparse scan, 20,000 files, $(mb "$WORK/sparse-20k/tree") MiB (vs rg -l -F -f) | ${s20_df} s | ${s20_rg} s | ${r}x rg's time | <= 1.5x: $(verdict "$r" 1.5 max) |"
  if [ -n "$PY" ]; then
    r=$(ratio "$d20_py" "$d20_df")
    echo "| dense fix --apply, 400 files x 20 aliases (vs ruamel.yaml) | ${d20_df} s | ${d20_py} s | ${r}x faster | >= 30x: $(verdict "$r" 30 min) |"
  else
    echo "| dense fix --apply, 400 files x 20 aliases | ${d20_df} s | skipped | - | - |"
  fi
  echo "| peak RSS, sparse scan | $((rss_df / 1024)) MB | rg: $((rss_rg / 1024)) MB | - | <= 100 MB: $(verdict "$rss_df" 102400 max) |"
  echo
  echo "growth (driftfix):"
  echo "  sparse scan: 10,000 files $(mb "$WORK/sparse-10k/tree") MiB ${s10_df} s -> 20,000 files ${s20_df} s: x$(ratio "$s20_df" "$s10_df") for x2 files (rg: ${s10_rg} s -> ${s20_rg} s, x$(ratio "$s20_rg" "$s10_rg"))"
  echo "  dense fix --apply: 10 aliases/file ${d10_df} s -> 20 aliases/file ${d20_g} s: x$(ratio "$d20_g" "$d10_df") for x2 findings (same 400 files, same size)"
  echo "  dense fix --dry-run (plan + verify, nothing written): ${d10_dry} s -> ${d20_dry} s: x$(ratio "$d20_dry" "$d10_dry")"
} | tee "$WORK/results.md"
