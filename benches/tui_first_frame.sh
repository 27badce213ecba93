#!/bin/sh
# How long `nnzoo` takes to put its first frame on a 120x40 terminal (tmux),
# measured from just before the process is exec'd to the moment the first
# frame was drawn and flushed (NNZOO_TIMING=1 makes nnzoo print that moment
# on stderr when it quits). Target: under 50 ms. Prints each run and the median.
#
#   cargo build --release && sh benches/tui_first_frame.sh [BINARY] [RUNS]
set -eu
binary=${1:-target/release/nnzoo}
runs=${2:-15}
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
work=$(mktemp -d)
socket="nnzoo-first-frame-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
i=0
while [ "$i" -lt "$runs" ]; do
    i=$((i + 1))
    tmux -L "$socket" kill-server 2>/dev/null || true
    tmux -L "$socket" new-session -d -x 120 -y 40 \
        "sh -c 'date +%s%N > $work/start; NNZOO_TIMING=1 exec $binary 2> $work/timing'"
    # Wait for the frame, then quit.
    n=0
    until tmux -L "$socket" capture-pane -p 2>/dev/null | grep -q Catalogue; do
        n=$((n + 1)); [ "$n" -lt 500 ] || { echo "no frame after 5 s" >&2; exit 1; }
        sleep 0.01
    done
    tmux -L "$socket" send-keys q
    n=0
    until grep -q "first frame" "$work/timing" 2>/dev/null; do
        n=$((n + 1)); [ "$n" -lt 500 ] || { echo "no timing line" >&2; exit 1; }
        sleep 0.01
    done
    start=$(cat "$work/start")
    awk -v start="$start" '/first frame/ {
        for (f = 1; f <= NF; f++) { if ($f == "frame") after = $(f + 1); if ($f == "time") at = $(f + 1) }
        printf "%.2f ms from exec (%.2f ms after main)\n", (at - start / 1e9) * 1e3, after
    }' "$work/timing"
done | tee "$work/all"
sort -n "$work/all" | awk '{ v[NR] = $1 } END { printf "median: %.2f ms from exec over %d runs\n", v[int((NR + 1) / 2)], NR }'
