// SPDX-License-Identifier: MIT
// Precompiled header of the test binary: the heavy headers every test file uses.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
