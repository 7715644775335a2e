// SPDX-License-Identifier: MIT
// MatrixView: the non-owning, row-major view through which tabular data crosses kolosal's APIs.
#pragma once

#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

#include "kolosal/core/error.hpp"

namespace kolosal {

/// A row-major matrix view over memory owned elsewhere (as Faiss's (n, const float*) and
/// XGBoost's TensorView). `stride` is the distance in elements between consecutive rows, at least
/// `cols`. Converts implicitly from a mutable to a const view.
template <class T>
class MatrixView {
 public:
  using value_type = std::remove_const_t<T>;

  constexpr MatrixView() noexcept = default;
  constexpr MatrixView(T* data, std::size_t rows, std::size_t cols) noexcept
      : data_(data), rows_(rows), cols_(cols), stride_(cols) {}
  constexpr MatrixView(T* data, std::size_t rows, std::size_t cols, std::size_t stride)
      : data_(data), rows_(rows), cols_(cols), stride_(stride) {
    KOLOSAL_CHECK(stride >= cols, InvalidArgument, "MatrixView: stride ", stride,
                  " is smaller than the column count ", cols);
  }
  template <class U>
  requires(std::is_const_v<T>&& std::is_same_v<std::remove_const_t<T>, U>) constexpr MatrixView(
      MatrixView<U> other) noexcept  // NOLINT(google-explicit-constructor)
      : data_(other.data()), rows_(other.rows()), cols_(other.cols()), stride_(other.stride()) {}

  [[nodiscard]] constexpr T* data() const noexcept { return data_; }
  [[nodiscard]] constexpr std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] constexpr std::size_t cols() const noexcept { return cols_; }
  [[nodiscard]] constexpr std::size_t stride() const noexcept { return stride_; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return rows_ * cols_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return rows_ == 0 || cols_ == 0; }
  [[nodiscard]] constexpr bool contiguous() const noexcept { return stride_ == cols_; }

  [[nodiscard]] constexpr T& operator()(std::size_t r, std::size_t c) const noexcept {
    return data_[r * stride_ + c];
  }
  [[nodiscard]] constexpr std::span<T> row(std::size_t r) const noexcept {
    return {data_ + r * stride_, cols_};
  }
  /// Rows [begin, end) as a view of the same memory.
  [[nodiscard]] constexpr MatrixView row_range(std::size_t begin, std::size_t end) const noexcept {
    return MatrixView(data_ + begin * stride_, end - begin, cols_, stride_, Unchecked{});
  }

 private:
  struct Unchecked {};
  constexpr MatrixView(T* data, std::size_t rows, std::size_t cols, std::size_t stride,
                       Unchecked) noexcept
      : data_(data), rows_(rows), cols_(cols), stride_(stride) {}

  T* data_ = nullptr;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::size_t stride_ = 0;
};

/// An owning row-major matrix, the natural companion of MatrixView for results.
template <class T>
class Matrix {
 public:
  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols, T value = T{})
      : rows_(rows), cols_(cols), values_(rows * cols, value) {}

  [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
  [[nodiscard]] std::size_t cols() const noexcept { return cols_; }
  [[nodiscard]] T* data() noexcept { return values_.data(); }
  [[nodiscard]] const T* data() const noexcept { return values_.data(); }
  [[nodiscard]] T& operator()(std::size_t r, std::size_t c) noexcept {
    return values_[r * cols_ + c];
  }
  [[nodiscard]] const T& operator()(std::size_t r, std::size_t c) const noexcept {
    return values_[r * cols_ + c];
  }
  [[nodiscard]] std::span<T> row(std::size_t r) noexcept { return {data() + r * cols_, cols_}; }
  [[nodiscard]] std::span<const T> row(std::size_t r) const noexcept {
    return {data() + r * cols_, cols_};
  }
  [[nodiscard]] MatrixView<T> view() noexcept { return {data(), rows_, cols_}; }
  [[nodiscard]] MatrixView<const T> view() const noexcept { return {data(), rows_, cols_}; }
  [[nodiscard]] const std::vector<T>& values() const noexcept { return values_; }

  friend bool operator==(const Matrix&, const Matrix&) = default;

 private:
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::vector<T> values_;
};

}  // namespace kolosal
