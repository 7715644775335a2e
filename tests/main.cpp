// SPDX-License-Identifier: MIT
// The test binary's entry point: the only file that compiles Catch's implementation.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
