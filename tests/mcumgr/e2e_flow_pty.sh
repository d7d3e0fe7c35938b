LINK=serial
source "$(dirname "$0")/flow.sh"
