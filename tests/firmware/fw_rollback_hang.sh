#!/usr/bin/env bash
# Real rollback of a build that hangs and stops feeding the watchdog (fw_rollback.sh).
source "$SRC_DIR/tests/firmware/fw_rollback.sh" hang
