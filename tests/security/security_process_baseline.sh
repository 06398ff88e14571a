#!/usr/bin/env bash
# Baseline: the process driver (no isolation) must let many hostile cases
# through; this proves the suite detects escapes (destructive cases are
# not run there).
KC_SEC_BASELINE=1 exec bash "$(dirname "$0")/sandbox_security.sh" process
