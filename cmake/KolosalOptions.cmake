# SPDX-License-Identifier: MIT
# Build-wide settings: ccache, sanitizers and the project's warning set.

find_program(KOLOSAL_CCACHE ccache)
if(KOLOSAL_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # Paths relative to the checkout and no working directory in the hash let clones in other
  # folders (CI's fresh clone) share the cache; the sloppiness lets precompiled-header users hit.
  set(CMAKE_CXX_COMPILER_LAUNCHER
      env "CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}" CCACHE_NOHASHDIR=1
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "${KOLOSAL_CCACHE}")
endif()

if(KOLOSAL_SANITIZE AND KOLOSAL_SANITIZE_THREAD)
  message(FATAL_ERROR "KOLOSAL_SANITIZE and KOLOSAL_SANITIZE_THREAD cannot be combined")
endif()
if(KOLOSAL_SANITIZE_THREAD)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()
if(KOLOSAL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(KOLOSAL_BUILD_FUZZERS)
  # Everything instrumented for coverage-guided fuzzing; only the harnesses link libFuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

function(kolosal_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                           -Wnull-dereference -Wimplicit-fallthrough)
  if(KOLOSAL_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
