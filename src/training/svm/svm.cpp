// SPDX-License-Identifier: MIT
// SVC (one-vs-one over binary C-SVC problems, voting, Platt probabilities with pairwise coupling)
// and epsilon-SVR on the SMO solver; fitted state laid out as scikit-learn's.
#include "kolosal/training/svm.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/log.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/rng.hpp"

#include "training/svm/solver.hpp"

namespace kolosal::training {

using svm_detail::kernel_value;

void SvcConfig::check() const {
  KOLOSAL_CHECK(max_iter != 0, ConfigError, kName, ": max_iter must be -1 (no limit) or >= 1");
  KOLOSAL_CHECK(class_weight != ClassWeight::kExplicit || !class_weight_values.empty(), ConfigError,
                kName, ": class_weight is explicit but class_weight_values is empty");
}

void SvrConfig::check() const {
  KOLOSAL_CHECK(max_iter != 0, ConfigError, kName, ": max_iter must be -1 (no limit) or >= 1");
}

namespace {

constexpr std::size_t kQueryBlock = 16;
constexpr int kPlattFolds = 5;
constexpr double kMinProb = 1e-7;

SvmKernelParams resolve_kernel(SvmKernel kernel, int degree, SvmGamma gamma, double gamma_value,
                               double coef0, MatrixView<const double> x) {
  SvmKernelParams k{.kernel = kernel, .degree = degree, .gamma = gamma_value, .coef0 = coef0};
  const auto p = static_cast<double>(x.cols());
  if (gamma == SvmGamma::kAuto) {
    k.gamma = 1.0 / p;
  } else if (gamma == SvmGamma::kScale) {
    // scikit-learn: 1 / (n_features · X.var()) over every entry.
    double mean = 0.0;
    for (std::size_t r = 0; r < x.rows(); ++r) {
      for (double v : x.row(r)) mean += v;
    }
    const double count = static_cast<double>(x.rows()) * p;
    mean /= count;
    double var = 0.0;
    for (std::size_t r = 0; r < x.rows(); ++r) {
      for (double v : x.row(r)) var += (v - mean) * (v - mean);
    }
    var /= count;
    k.gamma = var != 0.0 ? 1.0 / (p * var) : 1.0;
  }
  return k;
}

struct SolverOptions {
  SvmKernelParams kernel;
  double tol = 1e-3;
  bool shrinking = true;
  double cache_mb = 200.0;
  int max_iter = -1;
};

// One binary C-SVC: rows labelled ±1 with per-row box C. Returns y_i α_i and rho.
struct Binary {
  std::vector<double> coef;
  double rho = 0.0;
  bool hit_max_iter = false;
};

// As scikit-learn's ConvergenceWarning.
void warn_max_iter(std::string_view who, int max_iter) {
  logging::warn(
      kolosal::detail::concat(who, ": SMO stopped at max_iter = ", max_iter,
                              " before the KKT tolerance was met; the solution may be inaccurate"));
}

Binary train_binary(const std::vector<const double*>& rows, std::size_t p,
                    const std::vector<signed char>& y, const std::vector<double>& c,
                    const SolverOptions& opt, const Context& ctx) {
  auto q = svm_detail::make_svc_q(rows, p, y, opt.kernel, opt.cache_mb, ctx);
  const std::vector<double> minus_ones(rows.size(), -1.0);
  auto result = svm_detail::solve(*q, minus_ones, y, c, opt.tol, opt.shrinking, opt.max_iter);
  for (std::size_t i = 0; i < rows.size(); ++i) result.alpha[i] *= y[i];
  const bool hit = opt.max_iter > 0 && result.iterations >= opt.max_iter;
  return {std::move(result.alpha), result.rho, hit};
}

double sigmoid_predict(double dec, double a, double b) {
  const double f = dec * a + b;
  // Written so that exp never overflows.
  return f >= 0 ? std::exp(-f) / (1.0 + std::exp(-f)) : 1.0 / (1.0 + std::exp(f));
}

// Platt's sigmoid 1 / (1 + exp(A f + B)) fitted by Newton's method with backtracking on the
// regularised targets, as Lin, Lin & Weng, "A note on Platt's probabilistic outputs for support
// vector machines" (Machine Learning 2007), algorithm 1.
std::pair<double, double> sigmoid_train(std::span<const double> dec,
                                        std::span<const signed char> labels) {
  double prior1 = 0.0;
  double prior0 = 0.0;
  for (auto l : labels) (l > 0 ? prior1 : prior0) += 1.0;
  constexpr int kMaxIter = 100;
  constexpr double kMinStep = 1e-10;
  constexpr double kSigma = 1e-12;
  constexpr double kEps = 1e-5;
  const double hi = (prior1 + 1.0) / (prior1 + 2.0);
  const double lo = 1.0 / (prior0 + 2.0);
  const std::size_t n = dec.size();
  std::vector<double> t(n);
  for (std::size_t i = 0; i < n; ++i) t[i] = labels[i] > 0 ? hi : lo;
  double a = 0.0;
  double b = std::log((prior0 + 1.0) / (prior1 + 1.0));
  const auto objective = [&](double aa, double bb) {
    double f = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double z = dec[i] * aa + bb;
      f += z >= 0 ? t[i] * z + std::log1p(std::exp(-z)) : (t[i] - 1) * z + std::log1p(std::exp(z));
    }
    return f;
  };
  double fval = objective(a, b);
  for (int iter = 0; iter < kMaxIter; ++iter) {
    double h11 = kSigma;
    double h22 = kSigma;
    double h21 = 0.0;
    double g1 = 0.0;
    double g2 = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double z = dec[i] * a + b;
      double pp = 0.0;
      double qq = 0.0;
      if (z >= 0) {
        pp = std::exp(-z) / (1.0 + std::exp(-z));
        qq = 1.0 / (1.0 + std::exp(-z));
      } else {
        pp = 1.0 / (1.0 + std::exp(z));
        qq = std::exp(z) / (1.0 + std::exp(z));
      }
      const double d2 = pp * qq;
      h11 += dec[i] * dec[i] * d2;
      h22 += d2;
      h21 += dec[i] * d2;
      const double d1 = t[i] - pp;
      g1 += dec[i] * d1;
      g2 += d1;
    }
    if (std::abs(g1) < kEps && std::abs(g2) < kEps) break;
    const double det = h11 * h22 - h21 * h21;
    const double da = -(h22 * g1 - h21 * g2) / det;
    const double db = -(-h21 * g1 + h11 * g2) / det;
    const double gd = g1 * da + g2 * db;
    double step = 1.0;
    while (step >= kMinStep) {
      const double na = a + step * da;
      const double nb = b + step * db;
      const double nf = objective(na, nb);
      if (nf < fval + 0.0001 * step * gd) {
        a = na;
        b = nb;
        fval = nf;
        break;
      }
      step /= 2.0;
    }
    if (step < kMinStep) break;  // line search failed; keep the last iterate
  }
  return {a, b};
}

// Decision values of held-out rows from 5-fold cross-validation on one binary problem (LIBSVM's
// svm_binary_svc_probability), then the Platt fit on them.
std::pair<double, double> platt_cv(const std::vector<const double*>& rows, std::size_t p,
                                   const std::vector<signed char>& y, const std::vector<double>& c,
                                   const SolverOptions& opt, const Context& ctx, Rng rng) {
  const std::size_t l = rows.size();
  std::vector<std::size_t> perm(l);
  for (std::size_t i = 0; i < l; ++i) perm[i] = i;
  for (std::size_t i = 0; i < l; ++i) {
    std::swap(perm[i], perm[i + static_cast<std::size_t>(rng.uniform_index(l - i))]);
  }
  std::vector<double> dec(l, 0.0);
  for (int f = 0; f < kPlattFolds; ++f) {
    const std::size_t begin = static_cast<std::size_t>(f) * l / kPlattFolds;
    const std::size_t end = static_cast<std::size_t>(f + 1) * l / kPlattFolds;
    std::vector<const double*> sub_rows;
    std::vector<signed char> sub_y;
    std::vector<double> sub_c;
    for (std::size_t t = 0; t < l; ++t) {
      if (t >= begin && t < end) continue;
      sub_rows.push_back(rows[perm[t]]);
      sub_y.push_back(y[perm[t]]);
      sub_c.push_back(c[perm[t]]);
    }
    const auto pos = static_cast<std::size_t>(std::count(sub_y.begin(), sub_y.end(), 1));
    const std::size_t neg = sub_y.size() - pos;
    if (pos == 0 || neg == 0) {
      const double v = pos > 0 ? 1.0 : (neg > 0 ? -1.0 : 0.0);
      for (std::size_t t = begin; t < end; ++t) dec[perm[t]] = v;
      continue;
    }
    const Binary model = train_binary(sub_rows, p, sub_y, sub_c, opt, ctx);
    for (std::size_t t = begin; t < end; ++t) {
      double sum = 0.0;
      for (std::size_t s = 0; s < sub_rows.size(); ++s) {
        if (model.coef[s] != 0.0) {
          sum += model.coef[s] * kernel_value(opt.kernel, {sub_rows[s], p}, {rows[perm[t]], p});
        }
      }
      dec[perm[t]] = sum - model.rho;
    }
  }
  return sigmoid_train(dec, y);
}

// Class probabilities from pairwise ones r(i, j) ≈ P(i | i or j): the second method of Wu, Lin &
// Weng, "Probability estimates for multi-class classification by pairwise coupling" (JMLR 2004),
// min ½ pᵀQp subject to Σp = 1, by its fixed-point iteration.
std::vector<double> couple(const std::vector<std::vector<double>>& r) {
  const std::size_t k = r.size();
  std::vector<double> p(k, 1.0 / static_cast<double>(k));
  std::vector<std::vector<double>> q(k, std::vector<double>(k, 0.0));
  for (std::size_t t = 0; t < k; ++t) {
    for (std::size_t j = 0; j < t; ++j) {
      q[t][t] += r[j][t] * r[j][t];
      q[t][j] = q[j][t];
    }
    for (std::size_t j = t + 1; j < k; ++j) {
      q[t][t] += r[j][t] * r[j][t];
      q[t][j] = -r[j][t] * r[t][j];
    }
  }
  const std::size_t max_iter = std::max<std::size_t>(100, k);
  const double eps = 0.005 / static_cast<double>(k);
  std::vector<double> qp(k);
  for (std::size_t iter = 0; iter < max_iter; ++iter) {
    double pqp = 0.0;
    for (std::size_t t = 0; t < k; ++t) {
      qp[t] = 0.0;
      for (std::size_t j = 0; j < k; ++j) qp[t] += q[t][j] * p[j];
      pqp += p[t] * qp[t];
    }
    double max_error = 0.0;
    for (std::size_t t = 0; t < k; ++t) max_error = std::max(max_error, std::abs(qp[t] - pqp));
    if (max_error < eps) break;
    for (std::size_t t = 0; t < k; ++t) {
      const double diff = (-qp[t] + pqp) / q[t][t];
      p[t] += diff;
      pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
      for (std::size_t j = 0; j < k; ++j) {
        qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff);
        p[j] /= (1 + diff);
      }
    }
  }
  return p;
}

std::vector<const double*> row_pointers(MatrixView<const double> x,
                                        std::span<const std::size_t> idx) {
  std::vector<const double*> out(idx.size());
  for (std::size_t i = 0; i < idx.size(); ++i) out[i] = x.row(idx[i]).data();
  return out;
}

Matrix<double> copy_rows(MatrixView<const double> x, std::span<const std::size_t> idx) {
  Matrix<double> out(idx.size(), x.cols());
  for (std::size_t i = 0; i < idx.size(); ++i) {
    std::copy(x.row(idx[i]).begin(), x.row(idx[i]).end(), out.row(i).begin());
  }
  return out;
}

template <class T>
std::vector<T> json_vector(const nlohmann::json& state, const char* key) {
  return state.at(key).get<std::vector<T>>();
}

}  // namespace

// ---------------------------------------------------------------------------- SVC

nlohmann::json Svc::config() const { return config::to_json(config_); }

void Svc::do_fit(MatrixView<const double> x, std::span<const double> y, const FitOptions& options) {
  config::validate(config_, "Svc");
  const std::size_t n = x.rows();
  const std::size_t p = x.cols();
  const std::size_t n_all = n_classes();
  KOLOSAL_CHECK(
      config_.class_weight != ClassWeight::kExplicit || config_.class_weight_values.size() == n_all,
      ConfigError, "Svc: class_weight_values has ", config_.class_weight_values.size(),
      " entries for ", n_all, " classes");
  kernel_ = resolve_kernel(config_.kernel, config_.degree, config_.gamma, config_.gamma_value,
                           config_.coef0, x);

  // Per-class C (scikit-learn's class_weight: balanced counts rows of y, ignoring weights).
  std::vector<double> counts(n_all, 0.0);
  for (double v : y) counts[static_cast<std::size_t>(v)] += 1.0;
  const auto in_y = static_cast<double>(
      std::count_if(counts.begin(), counts.end(), [](double c) { return c > 0.0; }));
  std::vector<double> class_c(n_all, config_.C);
  for (std::size_t k = 0; k < n_all; ++k) {
    if (config_.class_weight == ClassWeight::kBalanced && counts[k] > 0.0) {
      class_c[k] *= static_cast<double>(n) / (in_y * counts[k]);
    } else if (config_.class_weight == ClassWeight::kExplicit) {
      class_c[k] *= config_.class_weight_values[k];
    }
  }

  // Rows of zero weight are dropped (as LIBSVM in scikit-learn); the rest grouped by class in
  // their original order, classes ascending.
  const auto weight = [&](std::size_t i) {
    return options.sample_weight.empty() ? 1.0 : options.sample_weight[i];
  };
  std::vector<std::vector<std::size_t>> by_class(n_all);
  for (std::size_t i = 0; i < n; ++i) {
    if (weight(i) > 0.0) by_class[static_cast<std::size_t>(y[i])].push_back(i);
  }
  classes_.clear();
  std::vector<std::size_t> grouped;
  std::vector<std::size_t> start;
  for (std::size_t k = 0; k < n_all; ++k) {
    if (by_class[k].empty()) continue;
    classes_.push_back(k);
    start.push_back(grouped.size());
    grouped.insert(grouped.end(), by_class[k].begin(), by_class[k].end());
  }
  const std::size_t nk = classes_.size();
  KOLOSAL_CHECK(nk >= 2, InvalidArgument, "Svc::fit: needs rows of positive weight in at least ",
                "two classes, got ", nk);
  const auto count_of = [&](std::size_t c) { return by_class[classes_[c]].size(); };

  const SolverOptions opt{.kernel = kernel_,
                          .tol = config_.tol,
                          .shrinking = config_.shrinking,
                          .cache_mb = config_.cache_size_mb,
                          .max_iter = config_.max_iter};
  const std::size_t n_pairs = nk * (nk - 1) / 2;
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < nk; ++i) {
    for (std::size_t j = i + 1; j < nk; ++j) pairs.emplace_back(i, j);
  }
  std::vector<Binary> models(n_pairs);
  prob_a_.assign(config_.probability ? n_pairs : 0, 0.0);
  prob_b_.assign(config_.probability ? n_pairs : 0, 0.0);
  const Rng root(context().seed);
  // Pairs are independent problems; each writes only its own slot.
  parallel::for_each_index(context(), n_pairs, [&](std::size_t pi) {
    const auto [ci, cj] = pairs[pi];
    std::vector<std::size_t> idx(by_class[classes_[ci]]);
    idx.insert(idx.end(), by_class[classes_[cj]].begin(), by_class[classes_[cj]].end());
    std::vector<signed char> sy(idx.size(), -1);
    std::vector<double> sc(idx.size());
    for (std::size_t t = 0; t < idx.size(); ++t) {
      const bool first = t < count_of(ci);
      if (first) sy[t] = 1;
      sc[t] = class_c[classes_[first ? ci : cj]] * weight(idx[t]);
    }
    const auto rows = row_pointers(x, idx);
    if (config_.probability) {
      std::tie(prob_a_[pi], prob_b_[pi]) =
          platt_cv(rows, p, sy, sc, opt, context(), root.split(pi));
    }
    models[pi] = train_binary(rows, p, sy, sc, opt, context());
  });

  if (std::any_of(models.begin(), models.end(), [](const Binary& b) { return b.hit_max_iter; })) {
    warn_max_iter("Svc", config_.max_iter);
  }
  // Support vectors: grouped rows with a non-zero coefficient in any pair.
  std::vector<char> nonzero(grouped.size(), 0);
  for (std::size_t pi = 0; pi < n_pairs; ++pi) {
    const auto [ci, cj] = pairs[pi];
    for (std::size_t t = 0; t < count_of(ci); ++t) {
      if (models[pi].coef[t] != 0.0) nonzero[start[ci] + t] = 1;
    }
    for (std::size_t t = 0; t < count_of(cj); ++t) {
      if (models[pi].coef[count_of(ci) + t] != 0.0) nonzero[start[cj] + t] = 1;
    }
  }
  std::vector<std::size_t> sv_pos(grouped.size(), 0);
  support_.clear();
  n_support_.assign(nk, 0);
  for (std::size_t c = 0; c < nk; ++c) {
    for (std::size_t t = 0; t < count_of(c); ++t) {
      if (!nonzero[start[c] + t]) continue;
      sv_pos[start[c] + t] = support_.size();
      support_.push_back(grouped[start[c] + t]);
      ++n_support_[c];
    }
  }
  sv_ = copy_rows(x, support_);
  sv_coef_ = Matrix<double>(nk - 1, support_.size(), 0.0);
  rho_.resize(n_pairs);
  for (std::size_t pi = 0; pi < n_pairs; ++pi) {
    const auto [ci, cj] = pairs[pi];
    for (std::size_t t = 0; t < count_of(ci); ++t) {
      if (nonzero[start[ci] + t]) sv_coef_(cj - 1, sv_pos[start[ci] + t]) = models[pi].coef[t];
    }
    for (std::size_t t = 0; t < count_of(cj); ++t) {
      if (nonzero[start[cj] + t]) {
        sv_coef_(ci, sv_pos[start[cj] + t]) = models[pi].coef[count_of(ci) + t];
      }
    }
    rho_[pi] = models[pi].rho;
  }
}

Matrix<double> Svc::pairwise(MatrixView<const double> x) const {
  const std::size_t nk = classes_.size();
  const std::size_t n_sv = support_.size();
  std::vector<std::size_t> sv_start(nk, 0);
  for (std::size_t c = 1; c < nk; ++c) sv_start[c] = sv_start[c - 1] + n_support_[c - 1];
  Matrix<double> dec(x.rows(), rho_.size());
  parallel::for_blocks(context(), x.rows(), kQueryBlock, [&](std::size_t begin, std::size_t end) {
    std::vector<double> kv(n_sv);
    for (std::size_t q = begin; q < end; ++q) {
      for (std::size_t s = 0; s < n_sv; ++s) kv[s] = kernel_value(kernel_, x.row(q), sv_.row(s));
      std::size_t pi = 0;
      for (std::size_t i = 0; i < nk; ++i) {
        for (std::size_t j = i + 1; j < nk; ++j, ++pi) {
          double sum = 0.0;
          for (std::size_t s = sv_start[i]; s < sv_start[i] + n_support_[i]; ++s) {
            sum += sv_coef_(j - 1, s) * kv[s];
          }
          for (std::size_t s = sv_start[j]; s < sv_start[j] + n_support_[j]; ++s) {
            sum += sv_coef_(i, s) * kv[s];
          }
          dec(q, pi) = sum - rho_[pi];
        }
      }
    }
  });
  return dec;
}

std::vector<double> Svc::do_predict(MatrixView<const double> x) const {
  const Matrix<double> dec = pairwise(x);
  const std::size_t nk = classes_.size();
  std::vector<double> out(x.rows());
  std::vector<int> votes(nk);
  for (std::size_t q = 0; q < x.rows(); ++q) {
    std::fill(votes.begin(), votes.end(), 0);
    std::size_t pi = 0;
    for (std::size_t i = 0; i < nk; ++i) {
      for (std::size_t j = i + 1; j < nk; ++j, ++pi) ++votes[dec(q, pi) > 0 ? i : j];
    }
    // The first class with the most votes, as LIBSVM.
    const auto best =
        static_cast<std::size_t>(std::max_element(votes.begin(), votes.end()) - votes.begin());
    out[q] = static_cast<double>(classes_[best]);
  }
  return out;
}

Matrix<double> Svc::do_decision_function(MatrixView<const double> x) const {
  const Matrix<double> dec = pairwise(x);
  const std::size_t n = x.rows();
  if (n_classes() == 2) {
    Matrix<double> out(n, 1);
    for (std::size_t q = 0; q < n; ++q) out(q, 0) = -dec(q, 0);  // positive favours class 1
    return out;
  }
  if (config_.decision_function_shape == DecisionShape::kOvo) return dec;
  // scikit-learn's _ovr_decision_function: votes plus confidences squashed into (−1/3, 1/3).
  const std::size_t nk = classes_.size();
  Matrix<double> out(n, n_classes(), -1.0);  // classes absent at fit rank below every other
  std::vector<double> votes(nk);
  std::vector<double> conf(nk);
  for (std::size_t q = 0; q < n; ++q) {
    std::fill(votes.begin(), votes.end(), 0.0);
    std::fill(conf.begin(), conf.end(), 0.0);
    std::size_t pi = 0;
    for (std::size_t i = 0; i < nk; ++i) {
      for (std::size_t j = i + 1; j < nk; ++j, ++pi) {
        const double d = dec(q, pi);
        conf[i] += d;
        conf[j] -= d;
        votes[d < 0 ? j : i] += 1.0;
      }
    }
    for (std::size_t c = 0; c < nk; ++c) {
      out(q, classes_[c]) = votes[c] + conf[c] / (3.0 * (std::abs(conf[c]) + 1.0));
    }
  }
  return out;
}

Matrix<double> Svc::do_predict_proba(MatrixView<const double> x) const {
  const Matrix<double> dec = pairwise(x);
  const std::size_t nk = classes_.size();
  Matrix<double> out(x.rows(), n_classes(), 0.0);
  std::vector<std::vector<double>> r(nk, std::vector<double>(nk, 0.0));
  for (std::size_t q = 0; q < x.rows(); ++q) {
    std::size_t pi = 0;
    for (std::size_t i = 0; i < nk; ++i) {
      for (std::size_t j = i + 1; j < nk; ++j, ++pi) {
        r[i][j] = std::clamp(sigmoid_predict(dec(q, pi), prob_a_[pi], prob_b_[pi]), kMinProb,
                             1 - kMinProb);
        r[j][i] = 1 - r[i][j];
      }
    }
    if (nk == 2) {
      out(q, classes_[0]) = r[0][1];
      out(q, classes_[1]) = r[1][0];
    } else {
      const auto prob = couple(r);
      for (std::size_t c = 0; c < nk; ++c) out(q, classes_[c]) = prob[c];
    }
  }
  return out;
}

nlohmann::json Svc::do_state() const {
  return {{"gamma", kernel_.gamma},
          {"classes", classes_},
          {"support", support_},
          {"n_support", n_support_},
          {"support_vectors", sv_.values()},
          {"sv_coef", sv_coef_.values()},
          {"rho", rho_},
          {"prob_a", prob_a_},
          {"prob_b", prob_b_}};
}

void Svc::do_load_state(const nlohmann::json& state) {
  auto classes = json_vector<std::size_t>(state, "classes");
  auto support = json_vector<std::size_t>(state, "support");
  auto n_support = json_vector<std::size_t>(state, "n_support");
  auto sv = json_vector<double>(state, "support_vectors");
  auto coef = json_vector<double>(state, "sv_coef");
  auto rho = json_vector<double>(state, "rho");
  auto pa = json_vector<double>(state, "prob_a");
  auto pb = json_vector<double>(state, "prob_b");
  const std::size_t nk = classes.size();
  std::size_t total = 0;
  for (auto c : n_support) total += c;
  const bool ok =
      nk >= 2 && nk <= n_classes() &&
      std::all_of(classes.begin(), classes.end(), [&](std::size_t c) { return c < n_classes(); }) &&
      n_support.size() == nk && total == support.size() && sv.size() == total * n_features() &&
      coef.size() == (nk - 1) * total && rho.size() == nk * (nk - 1) / 2 &&
      pa.size() == pb.size() && (pa.empty() || pa.size() == rho.size()) &&
      (!config_.probability || !pa.empty());
  KOLOSAL_CHECK(ok, SerializationError, "Svc::load_state: inconsistent support vector state");
  kernel_ = {.kernel = config_.kernel,
             .degree = config_.degree,
             .gamma = state.at("gamma").get<double>(),
             .coef0 = config_.coef0};
  classes_ = std::move(classes);
  support_ = std::move(support);
  n_support_ = std::move(n_support);
  sv_ = Matrix<double>(total, n_features());
  std::copy(sv.begin(), sv.end(), sv_.data());
  sv_coef_ = Matrix<double>(nk - 1, total);
  std::copy(coef.begin(), coef.end(), sv_coef_.data());
  rho_ = std::move(rho);
  prob_a_ = std::move(pa);
  prob_b_ = std::move(pb);
}

Matrix<double> Svc::dual_coef() const {
  Matrix<double> out = sv_coef_;
  if (classes_.size() == 2) {
    for (std::size_t s = 0; s < out.cols(); ++s) out(0, s) = -out(0, s);
  }
  return out;
}

std::vector<double> Svc::intercept() const {
  std::vector<double> out(rho_.size());
  for (std::size_t i = 0; i < rho_.size(); ++i) {
    out[i] = classes_.size() == 2 ? rho_[i] : -rho_[i];
  }
  return out;
}

// ---------------------------------------------------------------------------- SVR

nlohmann::json Svr::config() const { return config::to_json(config_); }

void Svr::do_fit(MatrixView<const double> x, std::span<const double> y, const FitOptions& options) {
  config::validate(config_, "Svr");
  kernel_ = resolve_kernel(config_.kernel, config_.degree, config_.gamma, config_.gamma_value,
                           config_.coef0, x);
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < x.rows(); ++i) {
    if (options.sample_weight.empty() || options.sample_weight[i] > 0.0) idx.push_back(i);
  }
  const std::size_t l = idx.size();
  // Variables α (sign +1) then α* (sign −1): p = ε ∓ y, box C · weight.
  std::vector<double> lin(2 * l);
  std::vector<signed char> sign(2 * l);
  std::vector<double> c(2 * l);
  for (std::size_t t = 0; t < l; ++t) {
    const double w = options.sample_weight.empty() ? 1.0 : options.sample_weight[idx[t]];
    lin[t] = config_.epsilon - y[idx[t]];
    lin[t + l] = config_.epsilon + y[idx[t]];
    sign[t] = 1;
    sign[t + l] = -1;
    c[t] = c[t + l] = config_.C * w;
  }
  auto q = svm_detail::make_svr_q(row_pointers(x, idx), x.cols(), kernel_, config_.cache_size_mb,
                                  context());
  const auto result =
      svm_detail::solve(*q, lin, sign, c, config_.tol, config_.shrinking, config_.max_iter);
  if (config_.max_iter > 0 && result.iterations >= config_.max_iter) {
    warn_max_iter("Svr", config_.max_iter);
  }
  support_.clear();
  coef_.clear();
  for (std::size_t t = 0; t < l; ++t) {
    const double a = result.alpha[t] - result.alpha[t + l];
    if (a != 0.0) {
      support_.push_back(idx[t]);
      coef_.push_back(a);
    }
  }
  sv_ = copy_rows(x, support_);
  rho_ = result.rho;
}

Matrix<double> Svr::do_decision_function(MatrixView<const double> x) const {
  Matrix<double> out(x.rows(), 1);
  parallel::for_blocks(context(), x.rows(), kQueryBlock, [&](std::size_t begin, std::size_t end) {
    for (std::size_t q = begin; q < end; ++q) {
      double sum = 0.0;
      for (std::size_t s = 0; s < coef_.size(); ++s) {
        sum += coef_[s] * kernel_value(kernel_, x.row(q), sv_.row(s));
      }
      out(q, 0) = sum - rho_;
    }
  });
  return out;
}

std::vector<double> Svr::do_predict(MatrixView<const double> x) const {
  const Matrix<double> d = do_decision_function(x);
  return {d.values().begin(), d.values().end()};
}

nlohmann::json Svr::do_state() const {
  return {{"gamma", kernel_.gamma},
          {"support", support_},
          {"support_vectors", sv_.values()},
          {"dual_coef", coef_},
          {"rho", rho_}};
}

void Svr::do_load_state(const nlohmann::json& state) {
  auto support = json_vector<std::size_t>(state, "support");
  auto sv = json_vector<double>(state, "support_vectors");
  auto coef = json_vector<double>(state, "dual_coef");
  KOLOSAL_CHECK(coef.size() == support.size() && sv.size() == coef.size() * n_features(),
                SerializationError, "Svr::load_state: inconsistent support vector state");
  kernel_ = {.kernel = config_.kernel,
             .degree = config_.degree,
             .gamma = state.at("gamma").get<double>(),
             .coef0 = config_.coef0};
  support_ = std::move(support);
  sv_ = Matrix<double>(coef.size(), n_features());
  std::copy(sv.begin(), sv.end(), sv_.data());
  coef_ = std::move(coef);
  rho_ = state.at("rho").get<double>();
}

}  // namespace kolosal::training
