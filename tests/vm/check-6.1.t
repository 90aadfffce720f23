#!/usr/bin/env bash
# peelbench check in a Debian 6.1 guest: every case pass, known deviation or not applicable.
. "$(dirname "$0")/check.bash"
check_in_guest 6.1 '["IPV6_DONTFRAG=reset", "IPV6_FLOWINFO=reset", "IPV6_MTU_DISCOVER=reset", "IPV6_MULTICAST_HOPS=reset", "IPV6_MULTICAST_LOOP=reset", "IPV6_RECVPKTINFO=reset", "IPV6_RECVTCLASS=reset", "IPV6_TCLASS=reset", "IPV6_UNICAST_HOPS=reset", "IP_MULTICAST_LOOP=reset", "IP_MULTICAST_TTL=reset", "IP_TOS=reset", "SCTP_AUTO_ASCONF=reset", "SO_MARK=reset", "SO_PRIORITY=reset"]'
