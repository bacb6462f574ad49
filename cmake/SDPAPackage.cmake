# Installs a CMake package so another project can `find_package(SDPA CONFIG)`
# and link the dialect and pass libraries (targets SDPA::<name>).
include(CMakePackageConfigHelpers)

set(SDPA_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/sdpa)
install(EXPORT SDPATargets
  NAMESPACE SDPA::
  DESTINATION ${SDPA_INSTALL_CMAKEDIR})

configure_package_config_file(
  ${SDPA_SOURCE_DIR}/cmake/SDPAConfig.cmake.in
  ${SDPA_BINARY_DIR}/cmake/SDPAConfig.cmake
  INSTALL_DESTINATION ${SDPA_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(
  ${SDPA_BINARY_DIR}/cmake/SDPAConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${SDPA_BINARY_DIR}/cmake/SDPAConfig.cmake
  ${SDPA_BINARY_DIR}/cmake/SDPAConfigVersion.cmake
  DESTINATION ${SDPA_INSTALL_CMAKEDIR})
