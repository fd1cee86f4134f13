#!/usr/bin/env bash
# Set-up for the benchmarks (idempotent): newsboat (the reference reader), tmux (a real
# terminal for the first-screen benchmark), GNU time (peak RSS) and sqlite3, from Debian's
# packages when missing; then tuireader's own venv (make install). Run as root or with sudo.
#
#   bash benchmarks/setup.sh                 # set up only
#   bash benchmarks/setup.sh --run [--quick] # set up, then run every benchmark (run_all.py):
#                                            # the one command for a fresh clone
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v newsboat >/dev/null 2>&1 || need+=(newsboat)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
[ -x /usr/bin/time ] || need+=(time)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)

if [ ${#need[@]} -gt 0 ]; then
    echo "benchmarks/setup.sh: installing ${need[*]}"
    sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

version="$(newsboat --version | head -n 1 | awk '{print $2}')"
case "$version" in
    2.21*) echo "newsboat $version (the version the issue's reference figures were taken with)" ;;
    *) echo "warning: newsboat $version, not 2.21: its figures may differ from the issue's" >&2 ;;
esac
echo "tmux $(tmux -V | awk '{print $2}')"

if [ ! -x .venv/bin/tuireader ]; then
    make install
fi
if [ "${1:-}" = "--run" ]; then
    shift
    exec .venv/bin/python benchmarks/run_all.py --skip-setup "$@"
fi
echo "benchmarks ready: .venv/bin/python benchmarks/run_all.py [--quick]"
