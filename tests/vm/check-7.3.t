#!/usr/bin/env bash
# peelbench check in a Debian 7.3 guest: every case pass, known deviation or not applicable.
. "$(dirname "$0")/check.bash"
check_in_guest 7.3 '["IP_MULTICAST_LOOP=reset", "IP_MULTICAST_TTL=reset", "SCTP_AUTO_ASCONF=reset", "SO_PRIORITY=reset"]'
