// SPDX-License-Identifier: MIT
// Helpers shared by the benchmark programs: binary tables written by the compare scripts, timing.
#pragma once

#include <chrono>
#include <cstddef>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "kolosal/core/matrix_view.hpp"

namespace kolosal::bench {

/// Reads a row-major float64 file of `cols` columns written by a compare script (numpy's
/// tofile); the last column is the target.
inline void read_table(const std::string& path, std::size_t cols, Matrix<double>& x,
                       std::vector<double>& y) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot open " + path);
  const auto bytes = static_cast<std::size_t>(in.tellg());
  const std::size_t rows = bytes / (cols * sizeof(double));
  std::vector<double> raw(rows * cols);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(bytes));  // NOLINT
  x = Matrix<double>(rows, cols - 1);
  y.resize(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c + 1 < cols; ++c) x(r, c) = raw[r * cols + c];
    y[r] = raw[r * cols + cols - 1];
  }
}

/// Seconds elapsed since `start` on the steady clock.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace kolosal::bench
