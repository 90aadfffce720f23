#!/usr/bin/env bash
# peelbench check in a Debian 6.1 guest: every case pass or known deviation.
. "$(dirname "$0")/check.bash"
check_in_guest 6.1
