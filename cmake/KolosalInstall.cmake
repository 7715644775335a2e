# SPDX-License-Identifier: MIT
# Installs a relocatable CMake package: find_package(kolosal CONFIG) + kolosal::kolosal.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KOLOSAL_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/kolosal")

install(TARGETS kolosal EXPORT kolosalTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/kolosal DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES "${PROJECT_BINARY_DIR}/include/kolosal/version.hpp"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kolosal)
install(EXPORT kolosalTargets NAMESPACE kolosal:: DESTINATION ${KOLOSAL_CMAKE_DIR})

if(BUILD_SHARED_LIBS)
  set(KOLOSAL_SHARED ON)
else()
  set(KOLOSAL_SHARED OFF)
endif()
configure_package_config_file(cmake/kolosalConfig.cmake.in
  "${PROJECT_BINARY_DIR}/kolosalConfig.cmake" INSTALL_DESTINATION ${KOLOSAL_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/kolosalConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/kolosalConfig.cmake"
              "${PROJECT_BINARY_DIR}/kolosalConfigVersion.cmake"
        DESTINATION ${KOLOSAL_CMAKE_DIR})
if(KOLOSAL_BUILD_APPS)
  install(TARGETS kolosal_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
