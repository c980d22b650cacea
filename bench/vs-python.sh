#!/usr/bin/env bash
# Parses one file N times with the naive Python baseline (bench/py_parse.py, a copy of
# ../shared/bench/py_parse.py) and with xxgk (examples/parse_loop), back to back in one run,
# and prints reports/s of each and their ratio. Both are timed as on-CPU time of the process
# (user + system), so a busy shared machine skews both alike.
#
#   bench/vs-python.sh [FILE] [N]      default: the seed report, 2000 parses
set -euo pipefail
cd "$(dirname "$0")/.."
file=${1:-fixtures/000_500855b189a022d6.txt}
n=${2:-2000}
cargo build --quiet --release --example parse_loop
# On-CPU seconds (user + system) of each command, from the kernel's accounting of children.
python3 - "$file" "$n" <<'PY'
import resource, subprocess, sys
file, n = sys.argv[1], int(sys.argv[2])
def cpu(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
python = cpu([sys.executable, "bench/py_parse.py", file, str(n)])
rust = cpu(["target/release/examples/parse_loop", file, str(n)])
print(f"{file}, {n} parses each (on-CPU seconds)")
print(f"  py_parse.py  {python:7.3f} s  {n / python:8.0f} reports/s")
print(f"  xxgk         {rust:7.3f} s  {n / rust:8.0f} reports/s")
print(f"  xxgk is {python / rust:.1f}x the Python baseline")
PY
