# sdpa_install_library(TARGET DIR HEADERS...): gives TARGET the repository-root
# include dirs (build tree and install prefix) and installs it into the
# exported SDPATargets with HEADERS under include/DIR, so that
# find_package(SDPA) consumers include them as `#include "DIR/Header.h"`.
function(sdpa_install_library target dir)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${SDPA_SOURCE_DIR}>
    $<BUILD_INTERFACE:${SDPA_BINARY_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  install(TARGETS ${target} EXPORT SDPATargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(FILES ${ARGN} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${dir})
endfunction()
