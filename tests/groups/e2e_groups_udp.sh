# Issue 5 acceptance 1 over UDP: every management group end to end.
source "$(dirname "$0")/lib.sh"
LINK=udp
source "$(dirname "$0")/flow.sh"
