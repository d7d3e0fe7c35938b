#!/usr/bin/env bash
# Builds the firmware images for the other firmware tests into
# $BUILD_DIR/firmware with this build's imgtool (scripts/build_firmware.sh;
# incremental, so it costs little after scripts/test.sh built them).
set -euo pipefail
FIRMWARE_OUT=${BUILD_DIR:?}/firmware IMGTOOL=${BIN_DIR:?}/imgtool \
    bash "${SRC_DIR:?}/scripts/build_firmware.sh"
