# Issue 5 acceptance 1 over the serial pty: every management group end to end.
source "$(dirname "$0")/lib.sh"
LINK=serial
source "$(dirname "$0")/flow.sh"
