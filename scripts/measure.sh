#!/bin/sh
# Re-take cutover's own latency/CPU/bytes/connections/requests figures against
# `cutover sim` (issue 13). `scripts/measure.sh --help` says how; the work is in measure.py.
exec python3 "$(dirname "$0")/measure.py" "$@"
