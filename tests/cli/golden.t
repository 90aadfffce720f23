#!/usr/bin/env bash
# The CLI, byte for byte against tests/cli/golden (see golden.sh).
exec "$(dirname "$0")/golden.sh"
