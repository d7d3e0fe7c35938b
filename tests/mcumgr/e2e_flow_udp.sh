LINK=udp
source "$(dirname "$0")/flow.sh"
