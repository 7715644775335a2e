// SPDX-License-Identifier: MIT
// SMO for the SVM duals: maximal-violating-pair selection refined by second-order information
// (WSS 3 of Fan, Chen & Lin, "Working Set Selection Using Second Order Information for Training
// Support Vector Machines", JMLR 2005), shrinking with gradient reconstruction and an LRU cache of
// kernel rows, following the design described in Chang & Lin, "LIBSVM: A Library for Support
// Vector Machines" (ACM TIST 2011), so that solutions agree with LIBSVM's to the tolerance.
#include "training/svm/solver.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/simd.hpp"

namespace kolosal::training::svm_detail {

namespace {

constexpr double kTau = 1e-12;  // floor of a non-positive curvature (Fan et al., section 4)
constexpr double kInf = std::numeric_limits<double>::infinity();
// Kernel entries per parallel block; a row is split only when it is long enough to pay.
constexpr std::size_t kMinParallelWork = 16384;

double powi(double base, int times) {
  double tmp = base;
  double ret = 1.0;
  for (int t = times; t > 0; t /= 2) {
    if (t % 2 == 1) ret *= tmp;
    tmp *= tmp;
  }
  return ret;
}

// Fills out[j] = scale(j) · K(row_i, rows[j]) for j in [begin, end), in parallel when long.
template <class Scale>
void fill_row(const Context& ctx, const SvmKernelParams& k, const double* row_i,
              const std::vector<const double*>& rows, std::size_t p, int begin, int end, float* out,
              Scale scale) {
  const auto n = static_cast<std::size_t>(end - begin);
  const std::span<const double> a{row_i, p};
  const auto body = [&](std::size_t b, std::size_t e) {
    for (std::size_t t = b; t < e; ++t) {
      const auto j = static_cast<std::size_t>(begin) + t;
      out[j] = static_cast<float>(scale(j) * kernel_value(k, a, {rows[j], p}));
    }
  };
  const std::size_t work = n * std::max<std::size_t>(p, 1);
  if (work < 2 * kMinParallelWork || ctx.threads() <= 1) {
    body(0, n);
    return;
  }
  const std::size_t grain =
      std::max<std::size_t>(64, kMinParallelWork / std::max<std::size_t>(p, 1));
  parallel::for_blocks(ctx, n, grain, body);
}

class SvcQ final : public QMatrix {
 public:
  SvcQ(std::vector<const double*> rows, std::size_t p, std::vector<signed char> y,
       const SvmKernelParams& kernel, double cache_mb, const Context& ctx)
      : rows_(std::move(rows)),
        p_(p),
        y_(std::move(y)),
        kernel_(kernel),
        ctx_(ctx),
        cache_(static_cast<int>(rows_.size()), cache_mb),
        qd_(rows_.size()) {
    for (std::size_t i = 0; i < rows_.size(); ++i) {
      qd_[i] = kernel_value(kernel_, {rows_[i], p_}, {rows_[i], p_});
    }
  }

  const float* get_q(int i, int len) override {
    auto [data, start] = cache_.get(i, len);
    if (start < len) {
      const double yi = y_[static_cast<std::size_t>(i)];
      fill_row(ctx_, kernel_, rows_[static_cast<std::size_t>(i)], rows_, p_, start, len, data,
               [&](std::size_t j) { return yi * static_cast<double>(y_[j]); });
    }
    return data;
  }
  const double* diag() const override { return qd_.data(); }
  void swap_index(int i, int j) override {
    cache_.swap_index(i, j);
    const auto a = static_cast<std::size_t>(i);
    const auto b = static_cast<std::size_t>(j);
    std::swap(rows_[a], rows_[b]);
    std::swap(y_[a], y_[b]);
    std::swap(qd_[a], qd_[b]);
  }

 private:
  std::vector<const double*> rows_;
  std::size_t p_;
  std::vector<signed char> y_;
  SvmKernelParams kernel_;
  Context ctx_;
  KernelCache cache_;
  std::vector<double> qd_;
};

class SvrQ final : public QMatrix {
 public:
  SvrQ(std::vector<const double*> rows, std::size_t p, const SvmKernelParams& kernel,
       double cache_mb, const Context& ctx)
      : rows_(std::move(rows)),
        p_(p),
        l_(static_cast<int>(rows_.size())),
        kernel_(kernel),
        ctx_(ctx),
        cache_(l_, cache_mb) {
    const auto l = rows_.size();
    sign_.resize(2 * l);
    index_.resize(2 * l);
    qd_.resize(2 * l);
    for (std::size_t k = 0; k < l; ++k) {
      sign_[k] = 1;
      sign_[k + l] = -1;
      index_[k] = static_cast<int>(k);
      index_[k + l] = static_cast<int>(k);
      qd_[k] = kernel_value(kernel_, {rows_[k], p_}, {rows_[k], p_});
      qd_[k + l] = qd_[k];
    }
    buffer_[0].resize(2 * l);
    buffer_[1].resize(2 * l);
  }

  const float* get_q(int i, int len) override {
    const int real = index_[static_cast<std::size_t>(i)];
    auto [data, start] = cache_.get(real, l_);
    if (start < l_) {
      fill_row(ctx_, kernel_, rows_[static_cast<std::size_t>(real)], rows_, p_, start, l_, data,
               [](std::size_t) { return 1.0; });
    }
    // Two buffers: the caller holds rows i and j at once.
    float* buf = buffer_[next_].data();
    next_ = 1 - next_;
    const auto si = static_cast<float>(sign_[static_cast<std::size_t>(i)]);
    for (std::size_t j = 0; j < static_cast<std::size_t>(len); ++j) {
      buf[j] = si * static_cast<float>(sign_[j]) * data[index_[j]];
    }
    return buf;
  }
  const double* diag() const override { return qd_.data(); }
  void swap_index(int i, int j) override {
    const auto a = static_cast<std::size_t>(i);
    const auto b = static_cast<std::size_t>(j);
    std::swap(sign_[a], sign_[b]);
    std::swap(index_[a], index_[b]);
    std::swap(qd_[a], qd_[b]);
  }

 private:
  std::vector<const double*> rows_;
  std::size_t p_;
  int l_;
  SvmKernelParams kernel_;
  Context ctx_;
  KernelCache cache_;
  std::vector<signed char> sign_;
  std::vector<int> index_;
  std::vector<double> qd_;
  std::array<std::vector<float>, 2> buffer_;
  int next_ = 0;
};

enum class Bound : unsigned char { kLower, kUpper, kFree };

// The decomposition method. Variables are permuted so that the active (unshrunk) ones come first.
class Solver {
 public:
  Solver(QMatrix& q, std::span<const double> p, std::span<const signed char> y,
         std::span<const double> c, double eps, bool shrinking)
      : q_(q),
        l_(static_cast<int>(p.size())),
        p_(p.begin(), p.end()),
        y_(y.begin(), y.end()),
        c_(c.begin(), c.end()),
        alpha_(p.size(), 0.0),
        status_(p.size()),
        active_set_(p.size()),
        g_(p.begin(), p.end()),
        g_bar_(p.size(), 0.0),
        eps_(eps),
        shrinking_(shrinking) {
    for (int i = 0; i < l_; ++i) {
      update_status(i);
      active_set_[static_cast<std::size_t>(i)] = i;
    }
    active_size_ = l_;
    qd_ = q_.diag();
  }

  SolverResult run(int max_iter) {
    int iter = 0;
    int counter = std::min(l_, 1000) + 1;
    while (max_iter < 0 || iter < max_iter) {
      if (--counter == 0) {
        counter = std::min(l_, 1000);
        if (shrinking_) do_shrinking();
      }
      int i = 0;
      int j = 0;
      if (select_working_set(i, j)) {
        // Optimal on the active set: check the whole problem before stopping.
        reconstruct_gradient();
        active_size_ = l_;
        if (select_working_set(i, j)) break;
        counter = 1;  // shrink at the next iteration
      }
      ++iter;
      update_pair(i, j);
    }
    if (active_size_ < l_) {  // stopped by max_iter while shrunk
      reconstruct_gradient();
      active_size_ = l_;
    }
    SolverResult out;
    out.iterations = iter;
    out.rho = calculate_rho();
    double v = 0.0;
    for (int i = 0; i < l_; ++i) v += alpha_[u(i)] * (g_[u(i)] + p_[u(i)]);
    out.objective = v / 2.0;
    out.alpha.assign(static_cast<std::size_t>(l_), 0.0);
    for (int i = 0; i < l_; ++i) out.alpha[u(active_set_[u(i)])] = alpha_[u(i)];
    return out;
  }

 private:
  static std::size_t u(int i) { return static_cast<std::size_t>(i); }
  bool upper(int i) const { return status_[u(i)] == Bound::kUpper; }
  bool lower(int i) const { return status_[u(i)] == Bound::kLower; }
  bool free(int i) const { return status_[u(i)] == Bound::kFree; }
  void update_status(int i) {
    if (alpha_[u(i)] >= c_[u(i)]) {
      status_[u(i)] = Bound::kUpper;
    } else if (alpha_[u(i)] <= 0) {
      status_[u(i)] = Bound::kLower;
    } else {
      status_[u(i)] = Bound::kFree;
    }
  }

  void swap_index(int i, int j) {
    q_.swap_index(i, j);
    std::swap(y_[u(i)], y_[u(j)]);
    std::swap(g_[u(i)], g_[u(j)]);
    std::swap(status_[u(i)], status_[u(j)]);
    std::swap(alpha_[u(i)], alpha_[u(j)]);
    std::swap(p_[u(i)], p_[u(j)]);
    std::swap(active_set_[u(i)], active_set_[u(j)]);
    std::swap(g_bar_[u(i)], g_bar_[u(j)]);
    std::swap(c_[u(i)], c_[u(j)]);
  }

  // Recomputes G of the inactive variables from G_bar (the contribution of variables at their
  // upper bound) plus the free variables' columns, whichever way reads fewer kernel entries.
  void reconstruct_gradient() {
    if (active_size_ == l_) return;
    for (int j = active_size_; j < l_; ++j) g_[u(j)] = g_bar_[u(j)] + p_[u(j)];
    int nr_free = 0;
    for (int j = 0; j < active_size_; ++j) nr_free += free(j) ? 1 : 0;
    const auto inactive = static_cast<double>(l_ - active_size_);
    if (static_cast<double>(nr_free) * l_ > 2.0 * active_size_ * inactive) {
      for (int i = active_size_; i < l_; ++i) {
        const float* qi = q_.get_q(i, active_size_);
        for (int j = 0; j < active_size_; ++j) {
          if (free(j)) g_[u(i)] += alpha_[u(j)] * qi[j];
        }
      }
    } else {
      for (int i = 0; i < active_size_; ++i) {
        if (!free(i)) continue;
        const float* qi = q_.get_q(i, l_);
        const double ai = alpha_[u(i)];
        for (int j = active_size_; j < l_; ++j) g_[u(j)] += ai * qi[j];
      }
    }
  }

  // WSS 3: i maximises −y_t ∇f_t over I_up; j minimises the second-order decrease
  // −b_it² / a_it over I_low with b_it > 0. Returns true when the KKT gap is below eps.
  bool select_working_set(int& out_i, int& out_j) {
    double gmax = -kInf;
    double gmax2 = -kInf;
    int gmax_idx = -1;
    int gmin_idx = -1;
    double obj_diff_min = kInf;
    for (int t = 0; t < active_size_; ++t) {
      if (y_[u(t)] == +1) {
        if (!upper(t) && -g_[u(t)] >= gmax) {
          gmax = -g_[u(t)];
          gmax_idx = t;
        }
      } else if (!lower(t) && g_[u(t)] >= gmax) {
        gmax = g_[u(t)];
        gmax_idx = t;
      }
    }
    const int i = gmax_idx;
    const float* qi = i != -1 ? q_.get_q(i, active_size_) : nullptr;
    for (int j = 0; j < active_size_; ++j) {
      double grad_diff = 0.0;
      double quad = 0.0;
      if (y_[u(j)] == +1) {
        if (lower(j)) continue;
        grad_diff = gmax + g_[u(j)];
        gmax2 = std::max(gmax2, g_[u(j)]);
        if (grad_diff <= 0) continue;
        quad = qd_[u(i)] + qd_[u(j)] - 2.0 * y_[u(i)] * qi[j];
      } else {
        if (upper(j)) continue;
        grad_diff = gmax - g_[u(j)];
        gmax2 = std::max(gmax2, -g_[u(j)]);
        if (grad_diff <= 0) continue;
        quad = qd_[u(i)] + qd_[u(j)] + 2.0 * y_[u(i)] * qi[j];
      }
      const double obj_diff = -(grad_diff * grad_diff) / (quad > 0 ? quad : kTau);
      if (obj_diff <= obj_diff_min) {
        gmin_idx = j;
        obj_diff_min = obj_diff;
      }
    }
    if (gmax + gmax2 < eps_ || gmin_idx == -1) return true;
    out_i = gmax_idx;
    out_j = gmin_idx;
    return false;
  }

  // Solves the two-variable subproblem analytically, clips to the box, and updates G and G_bar.
  void update_pair(int i, int j) {
    const float* qi = q_.get_q(i, active_size_);
    const float* qj = q_.get_q(j, active_size_);
    const double ci = c_[u(i)];
    const double cj = c_[u(j)];
    double& ai = alpha_[u(i)];
    double& aj = alpha_[u(j)];
    const double old_ai = ai;
    const double old_aj = aj;
    if (y_[u(i)] != y_[u(j)]) {
      double quad = qd_[u(i)] + qd_[u(j)] + 2 * qi[j];
      if (quad <= 0) quad = kTau;
      const double delta = (-g_[u(i)] - g_[u(j)]) / quad;
      const double diff = ai - aj;
      ai += delta;
      aj += delta;
      if (diff > 0) {
        if (aj < 0) {
          aj = 0;
          ai = diff;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = -diff;
      }
      if (diff > ci - cj) {
        if (ai > ci) {
          ai = ci;
          aj = ci - diff;
        }
      } else if (aj > cj) {
        aj = cj;
        ai = cj + diff;
      }
    } else {
      double quad = qd_[u(i)] + qd_[u(j)] - 2 * qi[j];
      if (quad <= 0) quad = kTau;
      const double delta = (g_[u(i)] - g_[u(j)]) / quad;
      const double sum = ai + aj;
      ai -= delta;
      aj += delta;
      if (sum > ci) {
        if (ai > ci) {
          ai = ci;
          aj = sum - ci;
        }
      } else if (aj < 0) {
        aj = 0;
        ai = sum;
      }
      if (sum > cj) {
        if (aj > cj) {
          aj = cj;
          ai = sum - cj;
        }
      } else if (ai < 0) {
        ai = 0;
        aj = sum;
      }
    }
    const double dai = ai - old_ai;
    const double daj = aj - old_aj;
    for (int k = 0; k < active_size_; ++k) g_[u(k)] += qi[k] * dai + qj[k] * daj;

    const bool ui = upper(i);
    const bool uj = upper(j);
    update_status(i);
    update_status(j);
    if (ui != upper(i)) {
      const float* row = q_.get_q(i, l_);
      const double s = ui ? -ci : ci;
      for (int k = 0; k < l_; ++k) g_bar_[u(k)] += s * row[k];
    }
    if (uj != upper(j)) {
      const float* row = q_.get_q(j, l_);
      const double s = uj ? -cj : cj;
      for (int k = 0; k < l_; ++k) g_bar_[u(k)] += s * row[k];
    }
  }

  bool be_shrunk(int i, double gmax1, double gmax2) const {
    if (upper(i)) return y_[u(i)] == +1 ? -g_[u(i)] > gmax1 : -g_[u(i)] > gmax2;
    if (lower(i)) return y_[u(i)] == +1 ? g_[u(i)] > gmax2 : g_[u(i)] > gmax1;
    return false;
  }

  // Removes bounded variables unlikely to move (Chang & Lin 2011, section 5.1); the first time
  // the gap falls under 10·eps the whole gradient is rebuilt and every variable reconsidered.
  void do_shrinking() {
    double gmax1 = -kInf;  // max −y_i ∇f_i over I_up
    double gmax2 = -kInf;  // max  y_i ∇f_i over I_low
    for (int i = 0; i < active_size_; ++i) {
      const double gi = g_[u(i)];
      if (y_[u(i)] == +1) {
        if (!upper(i)) gmax1 = std::max(gmax1, -gi);
        if (!lower(i)) gmax2 = std::max(gmax2, gi);
      } else {
        if (!upper(i)) gmax2 = std::max(gmax2, -gi);
        if (!lower(i)) gmax1 = std::max(gmax1, gi);
      }
    }
    if (!unshrink_ && gmax1 + gmax2 <= eps_ * 10) {
      unshrink_ = true;
      reconstruct_gradient();
      active_size_ = l_;
    }
    for (int i = 0; i < active_size_; ++i) {
      if (!be_shrunk(i, gmax1, gmax2)) continue;
      --active_size_;
      while (active_size_ > i) {
        if (!be_shrunk(active_size_, gmax1, gmax2)) {
          swap_index(i, active_size_);
          break;
        }
        --active_size_;
      }
    }
  }

  // b: the mean of y_i ∇f_i over free variables, else the midpoint of the feasible interval.
  double calculate_rho() const {
    double ub = kInf;
    double lb = -kInf;
    double sum_free = 0.0;
    int nr_free = 0;
    for (int i = 0; i < active_size_; ++i) {
      const double yg = y_[u(i)] * g_[u(i)];
      if (upper(i)) {
        if (y_[u(i)] == -1) {
          ub = std::min(ub, yg);
        } else {
          lb = std::max(lb, yg);
        }
      } else if (lower(i)) {
        if (y_[u(i)] == +1) {
          ub = std::min(ub, yg);
        } else {
          lb = std::max(lb, yg);
        }
      } else {
        ++nr_free;
        sum_free += yg;
      }
    }
    return nr_free > 0 ? sum_free / nr_free : (ub + lb) / 2;
  }

  QMatrix& q_;
  int l_;
  std::vector<double> p_;
  std::vector<signed char> y_;
  std::vector<double> c_;
  std::vector<double> alpha_;
  std::vector<Bound> status_;
  std::vector<int> active_set_;
  std::vector<double> g_;      ///< ∇f(α) = Qα + p
  std::vector<double> g_bar_;  ///< Σ_{α_j = C_j} C_j Q_ij
  const double* qd_ = nullptr;
  double eps_;
  bool shrinking_;
  bool unshrink_ = false;
  int active_size_ = 0;
};

}  // namespace

double kernel_value(const SvmKernelParams& k, std::span<const double> a,
                    std::span<const double> b) {
  switch (k.kernel) {
    case SvmKernel::kLinear:
      return simd::dot(a, b);
    case SvmKernel::kPoly:
      return powi(k.gamma * simd::dot(a, b) + k.coef0, k.degree);
    case SvmKernel::kRbf:
      return std::exp(-k.gamma * simd::squared_distance(a, b));
    case SvmKernel::kSigmoid:
      return std::tanh(k.gamma * simd::dot(a, b) + k.coef0);
  }
  return 0.0;
}

// ---------------------------------------------------------------------------- cache

KernelCache::KernelCache(int l, double budget_mb) : rows_(static_cast<std::size_t>(l)) {
  const double floats = budget_mb * 1048576.0 / static_cast<double>(sizeof(float));
  // Bookkeeping counts against the budget; at least two full rows always fit (rows i and j).
  const double overhead = static_cast<double>(l) * sizeof(Row) / sizeof(float);
  free_ = std::max(static_cast<long long>(floats - overhead), 2LL * l);
}

void KernelCache::unlink(int i) {
  Row& r = rows_[static_cast<std::size_t>(i)];
  (r.prev >= 0 ? rows_[static_cast<std::size_t>(r.prev)].next : oldest_) = r.next;
  (r.next >= 0 ? rows_[static_cast<std::size_t>(r.next)].prev : newest_) = r.prev;
  r.prev = r.next = -1;
}

void KernelCache::push_back(int i) {
  Row& r = rows_[static_cast<std::size_t>(i)];
  r.prev = newest_;
  r.next = -1;
  (newest_ >= 0 ? rows_[static_cast<std::size_t>(newest_)].next : oldest_) = i;
  newest_ = i;
}

void KernelCache::release(int i) {
  Row& r = rows_[static_cast<std::size_t>(i)];
  free_ += r.len;
  std::vector<float>().swap(r.data);
  r.len = 0;
}

std::pair<float*, int> KernelCache::get(int index, int len) {
  Row& r = rows_[static_cast<std::size_t>(index)];
  if (r.len > 0) unlink(index);
  int start = len;
  if (const int more = len - r.len; more > 0) {
    while (free_ < more && oldest_ >= 0) {
      const int victim = oldest_;
      unlink(victim);
      release(victim);
    }
    r.data.resize(static_cast<std::size_t>(len));
    free_ -= more;
    start = r.len;
    r.len = len;
  }
  push_back(index);
  return {r.data.data(), start};
}

void KernelCache::swap_index(int i, int j) {
  if (i == j) return;
  Row& a = rows_[static_cast<std::size_t>(i)];
  Row& b = rows_[static_cast<std::size_t>(j)];
  if (a.len > 0) unlink(i);
  if (b.len > 0) unlink(j);
  std::swap(a.data, b.data);
  std::swap(a.len, b.len);
  if (a.len > 0) push_back(i);
  if (b.len > 0) push_back(j);
  if (i > j) std::swap(i, j);
  // Swap the two entries inside every cached row; a row covering i but not j loses its tail.
  for (int h = oldest_; h >= 0;) {
    Row& r = rows_[static_cast<std::size_t>(h)];
    const int next = r.next;
    if (r.len > i) {
      if (r.len > j) {
        std::swap(r.data[static_cast<std::size_t>(i)], r.data[static_cast<std::size_t>(j)]);
      } else {
        unlink(h);
        release(h);
      }
    }
    h = next;
  }
}

// ---------------------------------------------------------------------------- entry points

std::unique_ptr<QMatrix> make_svc_q(std::vector<const double*> rows, std::size_t p,
                                    std::vector<signed char> y, const SvmKernelParams& kernel,
                                    double cache_mb, const Context& ctx) {
  return std::make_unique<SvcQ>(std::move(rows), p, std::move(y), kernel, cache_mb, ctx);
}

std::unique_ptr<QMatrix> make_svr_q(std::vector<const double*> rows, std::size_t p,
                                    const SvmKernelParams& kernel, double cache_mb,
                                    const Context& ctx) {
  return std::make_unique<SvrQ>(std::move(rows), p, kernel, cache_mb, ctx);
}

SolverResult solve(QMatrix& q, std::span<const double> p, std::span<const signed char> y,
                   std::span<const double> c, double eps, bool shrinking, int max_iter) {
  KOLOSAL_CHECK(p.size() == y.size() && p.size() == c.size(), InternalError,
                "svm solve: inconsistent problem sizes");
  Solver solver(q, p, y, c, eps, shrinking);
  return solver.run(max_iter);
}

}  // namespace kolosal::training::svm_detail
