#!/usr/bin/env bash
# The main job: build everything, then walk through a field update on the
# simulated board, as the user's guide does on real hardware.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh build
echo "demo: build complete; the update walkthrough lands with the board and CLI."
