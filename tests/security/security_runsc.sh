#!/usr/bin/env bash
# The security suite against the runsc sandbox (see sandbox_security.sh).
exec bash "$(dirname "$0")/sandbox_security.sh" runsc
