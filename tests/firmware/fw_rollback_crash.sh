#!/usr/bin/env bash
# Real rollback of a build that crashes at boot (fw_rollback.sh).
source "$SRC_DIR/tests/firmware/fw_rollback.sh" crash
