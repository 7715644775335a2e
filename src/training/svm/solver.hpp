// SPDX-License-Identifier: MIT
// The SMO solver shared by SVC and SVR: kernel evaluation, the LRU cache of kernel rows, the Q
// matrices of the two duals and the decomposition method of Fan, Chen & Lin (JMLR 2005).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/training/svm.hpp"

namespace kolosal::training::svm_detail {

/// K(a, b) for resolved kernel parameters, on the simd:: kernels.
[[nodiscard]] double kernel_value(const SvmKernelParams& k, std::span<const double> a,
                                  std::span<const double> b);

/// Rows of Q cached within a budget of floats, least recently used evicted first. A row holds a
/// prefix of its entries (the solver asks only for the active set); swap_index follows the
/// solver's permutation of variables, as LIBSVM's cache (Chang & Lin 2011, section 5.1).
class KernelCache {
 public:
  KernelCache(int l, double budget_mb);
  /// The row of `index` resized to hold `len` entries and the count of leading entries already
  /// valid; the caller fills the rest.
  std::pair<float*, int> get(int index, int len);
  void swap_index(int i, int j);

 private:
  struct Row {
    std::vector<float> data;
    int len = 0;
    int prev = -1;
    int next = -1;
  };
  void unlink(int i);
  void push_back(int i);
  void release(int i);

  std::vector<Row> rows_;
  int oldest_ = -1;
  int newest_ = -1;
  long long free_ = 0;  ///< floats still available
};

/// Q of a dual: Q_ij = y_i y_j K(x_i, x_j) for SVC, its 2n x 2n signed expansion for SVR.
class QMatrix {
 public:
  QMatrix() = default;
  QMatrix(const QMatrix&) = delete;
  QMatrix& operator=(const QMatrix&) = delete;
  QMatrix(QMatrix&&) = delete;
  QMatrix& operator=(QMatrix&&) = delete;
  virtual ~QMatrix() = default;
  /// Entries 0..len−1 of row i (valid until the next get_q call but one).
  [[nodiscard]] virtual const float* get_q(int i, int len) = 0;
  [[nodiscard]] virtual const double* diag() const = 0;
  virtual void swap_index(int i, int j) = 0;
};

/// Q for C-SVC on rows `rows` (each of `p` features) with labels ±1.
[[nodiscard]] std::unique_ptr<QMatrix> make_svc_q(std::vector<const double*> rows, std::size_t p,
                                                  std::vector<signed char> y,
                                                  const SvmKernelParams& kernel, double cache_mb,
                                                  const Context& ctx);
/// Q for epsilon-SVR on `rows`: 2l variables, the second half with sign −1.
[[nodiscard]] std::unique_ptr<QMatrix> make_svr_q(std::vector<const double*> rows, std::size_t p,
                                                  const SvmKernelParams& kernel, double cache_mb,
                                                  const Context& ctx);

struct SolverResult {
  std::vector<double> alpha;
  double rho = 0.0;
  double objective = 0.0;
  int iterations = 0;
};

/// Minimises ½ αᵀQα + pᵀα subject to yᵀα = 0, 0 <= α_i <= C_i, from α = 0.
[[nodiscard]] SolverResult solve(QMatrix& q, std::span<const double> p,
                                 std::span<const signed char> y, std::span<const double> c,
                                 double eps, bool shrinking, int max_iter);

}  // namespace kolosal::training::svm_detail
