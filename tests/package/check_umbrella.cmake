# SPDX-License-Identifier: MIT
# Fails when a public header (outside detail/) is missing from include/kolosal/kolosal.hpp;
# scripts/update_umbrella.sh regenerates it.
file(READ "${INCLUDE_DIR}/kolosal/kolosal.hpp" umbrella)
file(GLOB_RECURSE headers RELATIVE "${INCLUDE_DIR}" "${INCLUDE_DIR}/kolosal/*.hpp")
set(missing)
foreach(header IN LISTS headers)
  if(header MATCHES "/detail/" OR header STREQUAL "kolosal/kolosal.hpp")
    continue()
  endif()
  string(FIND "${umbrella}" "#include \"${header}\"" at)
  if(at EQUAL -1)
    list(APPEND missing "${header}")
  endif()
endforeach()
if(missing)
  message(FATAL_ERROR "kolosal.hpp lacks: ${missing}\nRun scripts/update_umbrella.sh")
endif()
