# mbedTLS 2.28 for the image crypto port (src/image/crypto_mbedtls.c), host
# or cross-compiled: target `mcutools_mbedtls`, a static library of only the
# modules that src/image/mbedtls/mcutools_mbedtls_config.h turns on.
#
# Source: MBEDTLS_SOURCE_DIR, or Debian's source package fetched once by
# scripts/fetch_mbedtls.sh into ${MCUTOOLS_DEPS:-build-deps}/ (outside git).
# What is built in (each ON by default; each becomes IMAGE_CRYPTO_<X>=0|1
# for mbedTLS and the port alike):
#   CRYPTO_RSA     RSA-2048/3072 PSS signatures
#   CRYPTO_ECDSA   ECDSA P-256 (and P-384 with CRYPTO_SHA512) signatures
#   CRYPTO_SHA512  SHA-384/512 image hashes
#   CRYPTO_ENC     encrypted images (ECIES-P256, ECIES-X25519, RSA-OAEP)
# mbedTLS is compiled without the project's warning flags (-w): its own
# warnings are not ours to fix and must not break a -Werror build.
include_guard(GLOBAL)

set(MBEDTLS_SOURCE_DIR "" CACHE PATH
    "mbedTLS 2.28 source folder (empty: fetched by scripts/fetch_mbedtls.sh)")
option(CRYPTO_RSA "mbedTLS port: RSA-2048/3072 PSS signatures" ON)
option(CRYPTO_ECDSA "mbedTLS port: ECDSA P-256 (P-384 with CRYPTO_SHA512) signatures" ON)
option(CRYPTO_SHA512 "mbedTLS port: SHA-384/512 image hashes" ON)
option(CRYPTO_ENC "mbedTLS port: encrypted images (key unwrapping, AES-CTR)" ON)

if(NOT MBEDTLS_SOURCE_DIR)
  execute_process(COMMAND bash ${PROJECT_SOURCE_DIR}/scripts/fetch_mbedtls.sh
                  OUTPUT_VARIABLE _mbedtls_dir OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _mbedtls_rc)
  if(NOT _mbedtls_rc EQUAL 0)
    message(FATAL_ERROR "mbedTLS: scripts/fetch_mbedtls.sh failed (${_mbedtls_rc}); "
                        "or give -DMBEDTLS_SOURCE_DIR=<mbedtls-2.28 source>")
  endif()
  set(MBEDTLS_SOURCE_DIR "${_mbedtls_dir}" CACHE PATH
      "mbedTLS 2.28 source folder (empty: fetched by scripts/fetch_mbedtls.sh)" FORCE)
endif()
if(NOT EXISTS "${MBEDTLS_SOURCE_DIR}/include/mbedtls/version.h")
  message(FATAL_ERROR "mbedTLS: no mbedTLS source in ${MBEDTLS_SOURCE_DIR}")
endif()
file(STRINGS "${MBEDTLS_SOURCE_DIR}/include/mbedtls/version.h" _mbedtls_ver
     REGEX "^#define MBEDTLS_VERSION_STRING ")
if(NOT _mbedtls_ver MATCHES "\"2\\.28\\.")
  message(FATAL_ERROR "mbedTLS: ${MBEDTLS_SOURCE_DIR} is not 2.28 (${_mbedtls_ver})")
endif()

# Every module the config can turn on; a module that is off compiles to
# nothing (each file is guarded by its own MBEDTLS_*_C).
set(_mbedtls_modules
  platform platform_util memory_buffer_alloc constant_time threading
  sha256 sha512 md bignum asn1parse asn1write oid pk pk_wrap pkparse
  rsa rsa_internal ecp ecp_curves ecdsa ecdh hmac_drbg hkdf aes)
set(_mbedtls_sources "")
foreach(m ${_mbedtls_modules})
  list(APPEND _mbedtls_sources "${MBEDTLS_SOURCE_DIR}/library/${m}.c")
endforeach()

add_library(mcutools_mbedtls STATIC ${_mbedtls_sources})
target_include_directories(mcutools_mbedtls SYSTEM PUBLIC
  "${MBEDTLS_SOURCE_DIR}/include" "${PROJECT_SOURCE_DIR}/src/image/mbedtls")
target_compile_options(mcutools_mbedtls PRIVATE -w)
set(_mbedtls_defs "MBEDTLS_CONFIG_FILE=\"mcutools_mbedtls_config.h\"")
foreach(knob RSA ECDSA SHA512 ENC)
  if(CRYPTO_${knob})
    list(APPEND _mbedtls_defs IMAGE_CRYPTO_${knob}=1)
  else()
    list(APPEND _mbedtls_defs IMAGE_CRYPTO_${knob}=0)
  endif()
endforeach()
# A host build (tests, tools) may hash or verify from several threads.
if(NOT CMAKE_CROSSCOMPILING)
  find_package(Threads REQUIRED)
  list(APPEND _mbedtls_defs IMAGE_CRYPTO_PTHREAD=1)
  target_link_libraries(mcutools_mbedtls PUBLIC Threads::Threads)
endif()
target_compile_definitions(mcutools_mbedtls PUBLIC ${_mbedtls_defs})
