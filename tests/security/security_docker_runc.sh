#!/usr/bin/env bash
# The security suite against the docker runc sandbox (see sandbox_security.sh).
exec bash "$(dirname "$0")/sandbox_security.sh" docker runc
