# What `cmake --install` puts under the prefix, and the .deb CPack makes of
# it (`cpack -G DEB` in the build folder). Layout:
#   bin/                   mcumgr, imgtool, mcusim and the production scripts
#   share/mcutools/        common.sh, the scripts' helpers (they look for it
#                          in ../share/mcutools beside themselves)
#   share/doc/mcutools/    the documents, under their paths of the checkout
# The scripts find the tools beside themselves, so bin/ and share/ must stay
# under one prefix: plain relative paths, not GNUInstallDirs' variables.

install(TARGETS mcumgr imgtool mcusim RUNTIME DESTINATION bin)
install(PROGRAMS
  scripts/dfu_update.sh
  scripts/quick_mcumgr_test.sh
  scripts/build_dfu_package.sh
  scripts/make_firmware.sh # build_dfu_package.sh --demo runs it
  DESTINATION bin)
install(FILES scripts/lib/common.sh tools/mcusim/ble-bus.conf DESTINATION share/mcutools)

set(MCU_DOC share/doc/mcutools)
# The documents keep their paths of the checkout, so the links between
# them work in both places (install_prefix checks every relative link).
install(FILES README.md DESTINATION ${MCU_DOC})
install(FILES docs/ble.md docs/limits.md DESTINATION ${MCU_DOC}/docs)
install(FILES src/audit/README.md DESTINATION ${MCU_DOC}/src/audit)
foreach(tool mcumgr imgtool mcusim)
  install(FILES tools/${tool}/README.md DESTINATION ${MCU_DOC}/tools/${tool})
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mcutools)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "MCUmgr/MCUboot firmware updates: mcumgr, imgtool, a simulated board, DFU scripts")
set(CPACK_PACKAGE_CONTACT "mcutools maintainers <maintainers@mcutools.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION electronics)
# The libraries the binaries link come from dpkg-shlibdeps (package dpkg-dev);
# the scripts' own tools are declared here: openssl (make_firmware.sh,
# build_dfu_package.sh), zip and unzip (the DFU zip).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "bash, openssl, zip, unzip")
# dfu_update.sh names the program holding a busy port with lsof (else /proc)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "lsof")
include(CPack)
