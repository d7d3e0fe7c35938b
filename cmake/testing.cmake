# Test helpers shared by every library. Tests exit 77 to report "skipped"
# (for example when ../shared is absent).

set(MCU_TEST_ENV
  "SHARED_DIR=${SHARED_DIR}"
  "BIN_DIR=${CMAKE_BINARY_DIR}/bin"
  "SRC_DIR=${PROJECT_SOURCE_DIR}"
  "BUILD_DIR=${CMAKE_BINARY_DIR}"
  # tests must never write into the user's own audit trail
  "MCUTOOLS_AUDIT_DB=${CMAKE_BINARY_DIR}/test-audit.db"
  # nor into the user's own memory of resets and unfinished uploads
  "MCUTOOLS_STATE_DIR=${CMAKE_BINARY_DIR}/test-state"
  # the crypto port of this build (openssl, mbedtls): tests/lib/e2e.sh signs
  # with a key type the port verifies (mbedTLS 2.28 has no Ed25519)
  "MCUTOOLS_CRYPTO=${CRYPTO}")

# mcu_unit_test(NAME SOURCES a.c b.c LIBS lib1 lib2 [LABELS x])
function(mcu_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${MCU_TEST_ENV}"
    SKIP_RETURN_CODE 77 LABELS "unit;${T_LABELS}" TIMEOUT 600)
endfunction()

# mcu_script_test(NAME SCRIPT path [LABELS x] [TIMEOUT s])
# End-to-end tests written in bash; they find the binaries through $BIN_DIR.
function(mcu_script_test name)
  cmake_parse_arguments(T "" "SCRIPT;TIMEOUT" "LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  add_test(NAME ${name} COMMAND bash ${T_SCRIPT})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${MCU_TEST_ENV}"
    SKIP_RETURN_CODE 77 LABELS "e2e;${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
endfunction()

# mcu_fuzz_target(NAME SOURCES a.c LIBS lib [CORPUS dir])
# The target file defines LLVMFuzzerTestOneInput. With -DFUZZ=ON and clang it
# becomes a libFuzzer binary; otherwise it is linked with fuzz/driver.c, which
# replays the corpus and a bounded run of deterministic mutations, and is
# registered as a test (so it runs under ASan/UBSan in CI).
function(mcu_fuzz_target name)
  cmake_parse_arguments(T "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(FUZZ)
    add_executable(${name} ${T_SOURCES})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE ${T_LIBS})
  else()
    add_executable(${name} ${T_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/driver.c)
    target_link_libraries(${name} PRIVATE ${T_LIBS})
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    if(T_CORPUS)
      add_test(NAME ${name} COMMAND ${name} ${T_CORPUS})
    else()
      add_test(NAME ${name} COMMAND ${name})
    endif()
    set_tests_properties(${name} PROPERTIES ENVIRONMENT "${MCU_TEST_ENV}"
      LABELS "fuzz" TIMEOUT 600)
  endif()
endfunction()
