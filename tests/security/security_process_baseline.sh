#!/usr/bin/env bash
# Baseline: the process driver (no isolation) must let many hostile cases
# through; this proves the suite detects escapes (destructive cases are
# not run there).
#
# The process driver runs hostile commands on the host by design, so the
# whole baseline runs in throwaway mount, pid, uts and ipc namespaces: a
# case that slips past the destructive-case filter cannot change the CI
# host's mounts (an early run once left a tmpfs over the host's /tmp),
# signal its processes or rename it. Reads, writes to files and network
# stay the host's: those are the escapes the baseline must still see.
command -v unshare >/dev/null || { echo "SKIP (process): unshare (util-linux) not installed"; exit 77; }
unshare --mount --propagation private --pid --fork --mount-proc --uts --ipc true 2>/dev/null ||
	{ echo "SKIP (process): cannot create mount/pid/uts/ipc namespaces here"; exit 77; }
exec unshare --mount --propagation private --pid --fork --mount-proc --uts --ipc \
	env KC_SEC_BASELINE=1 bash "$(dirname "$0")/sandbox_security.sh" process
