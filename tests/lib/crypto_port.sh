# The crypto port of the build under test, for tests that sign images.
# Sourced by tests/lib/e2e.sh, and alone by tests that do not start a board
# (tests/imgtool). ctest passes the CMake cache's CRYPTO as MCUTOOLS_CRYPTO.
# mbedTLS 2.28 has no Ed25519, so there a test that only needs "some key"
# and asks for Ed25519 gets an ECDSA P-256 key (the user's production type)
# instead (e2e.sh also replaces the reference vectors signed with Ed25519 by
# our own images with that key); a test about Ed25519 itself is skipped.
E2E_CRYPTO=${MCUTOOLS_CRYPTO:-openssl}

# e2e_has_ed25519: true when the build's crypto port verifies Ed25519.
e2e_has_ed25519() { [ "$E2E_CRYPTO" != mbedtls ]; }

# e2e_require_ed25519: exits 77 (skipped) in a test about Ed25519 itself
# when the build's crypto port has no Ed25519.
e2e_require_ed25519() {
    if ! e2e_has_ed25519; then
        echo "SKIP: the $E2E_CRYPTO crypto port verifies no Ed25519 signature"
        exit 77
    fi
}

# e2e_key_type NAME: the `imgtool keygen -t` type standing in for the key
# NAME (ed25519, ecp256, rsa2048, ...) in this build: Ed25519 becomes
# ECDSA P-256 when the crypto port has no Ed25519.
e2e_key_type() {
    case $1 in
        ed25519*) if e2e_has_ed25519; then echo ed25519; else echo ecdsa-p256; fi ;;
        ecp256*) echo ecdsa-p256 ;;
        ecp384*) echo ecdsa-p384 ;;
        rsa2048*) echo rsa-2048 ;;
        rsa3072*) echo rsa-3072 ;;
        *) return 1 ;;
    esac
}
