// SPDX-License-Identifier: MIT
// Logistic regression (binary, multinomial, one-vs-rest): L-BFGS for the smooth penalties and
// proximal Newton coordinate descent for L1; also the state shared by the linear classifiers.
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/training/linear.hpp"

#include "training/linear/common.hpp"

namespace kolosal::training {

using linear_detail::as_eigen;

// ---------------------------------------------------------------------------- shared base

Matrix<double> LinearClassifierBase::do_decision_function(MatrixView<const double> x) const {
  const std::size_t k = coef_.rows();
  const linear_detail::ConstRowMap w(
      coef_.data(), static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(coef_.cols()),
      Eigen::OuterStride<Eigen::Dynamic>(static_cast<Eigen::Index>(coef_.cols())));
  const Eigen::Map<const Eigen::RowVectorXd> b(intercept_.data(), static_cast<Eigen::Index>(k));
  Matrix<double> out(x.rows(), k);
  Eigen::Map<linear_detail::RowMatrix> scores(out.data(), static_cast<Eigen::Index>(x.rows()),
                                              static_cast<Eigen::Index>(k));
  scores.noalias() = as_eigen(x) * w.transpose();
  scores.rowwise() += b;
  return out;
}

std::vector<double> LinearClassifierBase::do_predict(MatrixView<const double> x) const {
  const Matrix<double> scores = do_decision_function(x);
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    if (scores.cols() == 1) {
      out[r] = scores(r, 0) > 0.0 ? 1.0 : 0.0;
    } else {
      const auto row = scores.row(r);
      out[r] = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
    }
  }
  return out;
}

std::optional<std::vector<double>> LinearClassifierBase::do_feature_importances() const {
  std::vector<double> out(coef_.cols(), 0.0);
  double total = 0.0;
  for (std::size_t k = 0; k < coef_.rows(); ++k) {
    for (std::size_t j = 0; j < coef_.cols(); ++j) out[j] += std::abs(coef_(k, j));
  }
  for (double v : out) total += v;
  for (auto& v : out) v = total > 0.0 ? v / total : 1.0 / static_cast<double>(out.size());
  return out;
}

nlohmann::json LinearClassifierBase::do_state() const {
  return {{"rows", coef_.rows()}, {"coef", coef_.values()}, {"intercept", intercept_}};
}

void LinearClassifierBase::do_load_state(const nlohmann::json& state) {
  const auto rows = state.at("rows").get<std::size_t>();
  KOLOSAL_CHECK(rows == (n_classes() == 2 ? 1 : n_classes()), SerializationError, name(),
                "::load_state: ", rows, " decision functions for ", n_classes(), " classes");
  const auto coef = linear_detail::read_vector(state, "coef", rows * n_features(), name());
  coef_ = Matrix<double>(rows, n_features());
  std::copy(coef.begin(), coef.end(), coef_.data());
  intercept_ = linear_detail::read_vector(state, "intercept", rows, name());
}

// ---------------------------------------------------------------------------- solvers

namespace {

double log1p_exp(double t) {
  return t > 0.0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t));
}
double sigmoid(double t) {
  if (t >= 0.0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}

// Limited-memory BFGS with a backtracking Armijo line search; stops when the largest gradient
// entry is at most `gtol` or the relative decrease of f stalls (scikit-learn's lbfgs settings).
// `fg(theta, grad)` returns f and fills grad. Returns the iterations done.
template <class Fg>
int lbfgs(Eigen::VectorXd& theta, Fg&& fg, int max_iter, double gtol) {
  constexpr int kMemory = 10;
  constexpr double kFtol = 64.0 * std::numeric_limits<double>::epsilon();
  Eigen::VectorXd grad(theta.size());
  double f = fg(theta, grad);
  std::deque<Eigen::VectorXd> s_list;
  std::deque<Eigen::VectorXd> y_list;
  std::deque<double> rho_list;
  Eigen::VectorXd grad_new(theta.size());
  Eigen::VectorXd candidate(theta.size());
  int iter = 0;
  for (; iter < max_iter; ++iter) {
    if (grad.lpNorm<Eigen::Infinity>() <= gtol) break;
    // Two-loop recursion for d = −H g.
    Eigen::VectorXd q = grad;
    std::vector<double> a(s_list.size());
    for (std::size_t i = s_list.size(); i-- > 0;) {
      a[i] = rho_list[i] * s_list[i].dot(q);
      q -= a[i] * y_list[i];
    }
    if (!s_list.empty()) q *= s_list.back().dot(y_list.back()) / y_list.back().squaredNorm();
    for (std::size_t i = 0; i < s_list.size(); ++i) {
      const double b = rho_list[i] * y_list[i].dot(q);
      q += (a[i] - b) * s_list[i];
    }
    Eigen::VectorXd direction = -q;
    double slope = grad.dot(direction);
    if (!(slope < 0.0)) {
      s_list.clear();
      y_list.clear();
      rho_list.clear();
      direction = -grad;
      slope = -grad.squaredNorm();
    }
    double step = s_list.empty() ? std::min(1.0, 1.0 / direction.lpNorm<Eigen::Infinity>()) : 1.0;
    double f_new = f;
    bool accepted = false;
    for (int tries = 0; tries < 50; ++tries) {
      candidate = theta + step * direction;
      f_new = fg(candidate, grad_new);
      if (std::isfinite(f_new) && f_new <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    Eigen::VectorXd s = candidate - theta;
    Eigen::VectorXd yv = grad_new - grad;
    const double sy = s.dot(yv);
    if (sy > 1e-12 * yv.squaredNorm()) {
      if (static_cast<int>(s_list.size()) == kMemory) {
        s_list.pop_front();
        y_list.pop_front();
        rho_list.pop_front();
      }
      s_list.push_back(std::move(s));
      y_list.push_back(std::move(yv));
      rho_list.push_back(1.0 / sy);
    }
    theta = candidate;
    grad = grad_new;
    const double decrease = f - f_new;
    f = f_new;
    if (decrease <= kFtol * std::max({std::abs(f), std::abs(f + decrease), 1.0})) {
      ++iter;
      break;
    }
  }
  return iter;
}

// Σ s_i logloss_i for B decision functions: B = 1 is the binary logistic model on y ∈ {0, 1};
// B > 1 the softmax over B classes with labels 0..B−1.
class LogisticProblem {
 public:
  LogisticProblem(const Eigen::MatrixXd& x, std::vector<int> labels, Eigen::VectorXd weights,
                  Eigen::Index blocks, bool fit_intercept)
      : x_(x),
        labels_(std::move(labels)),
        s_(std::move(weights)),
        blocks_(blocks),
        fit_intercept_(fit_intercept) {}

  [[nodiscard]] Eigen::Index blocks() const noexcept { return blocks_; }
  [[nodiscard]] Eigen::Index features() const noexcept { return x_.cols(); }
  [[nodiscard]] const Eigen::MatrixXd& x() const noexcept { return x_; }
  [[nodiscard]] const Eigen::VectorXd& weights() const noexcept { return s_; }
  [[nodiscard]] bool fit_intercept() const noexcept { return fit_intercept_; }

  /// Scores n x B for coefficients w (p x B) and intercepts b (B).
  [[nodiscard]] Eigen::MatrixXd scores(const Eigen::MatrixXd& w, const Eigen::VectorXd& b) const {
    Eigen::MatrixXd z = x_ * w;
    z.rowwise() += b.transpose();
    return z;
  }

  /// The weighted log-loss at scores z; fills the residual P − Y (n x B) when asked.
  double loss(const Eigen::MatrixXd& z, Eigen::MatrixXd* residual) const {
    const Eigen::Index n = z.rows();
    double total = 0.0;
    if (residual) residual->resize(n, blocks_);
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto label = labels_[static_cast<std::size_t>(i)];
      if (blocks_ == 1) {
        const double t = z(i, 0);
        total += s_(i) * (log1p_exp(t) - (label == 1 ? t : 0.0));
        if (residual) (*residual)(i, 0) = sigmoid(t) - (label == 1 ? 1.0 : 0.0);
      } else {
        const double top = z.row(i).maxCoeff();
        const double sum = (z.row(i).array() - top).exp().sum();
        const double lse = top + std::log(sum);
        total += s_(i) * (lse - z(i, label));
        if (residual) {
          for (Eigen::Index k = 0; k < blocks_; ++k) {
            (*residual)(i, k) = std::exp(z(i, k) - lse) - (k == label ? 1.0 : 0.0);
          }
        }
      }
    }
    return total;
  }

 private:
  const Eigen::MatrixXd& x_;
  std::vector<int> labels_;
  Eigen::VectorXd s_;
  Eigen::Index blocks_;
  bool fit_intercept_;
};

struct Solution {
  Eigen::MatrixXd w;  ///< p x B
  Eigen::VectorXd b;  ///< B
  int n_iter = 0;
};

// Minimises loss + l2/2 ‖W‖² by L-BFGS over (W, b).
Solution solve_lbfgs(const LogisticProblem& problem, double l2, int max_iter, double tol) {
  const Eigen::Index p = problem.features();
  const Eigen::Index blocks = problem.blocks();
  const Eigen::Index nw = p * blocks;
  Eigen::VectorXd theta = Eigen::VectorXd::Zero(nw + blocks);
  Eigen::MatrixXd residual;
  auto fg = [&](const Eigen::VectorXd& t, Eigen::VectorXd& grad) {
    const Eigen::Map<const Eigen::MatrixXd> w(t.data(), p, blocks);
    const Eigen::VectorXd b =
        problem.fit_intercept() ? Eigen::VectorXd(t.tail(blocks)) : Eigen::VectorXd::Zero(blocks);
    const double f = problem.loss(problem.scores(w, b), &residual) + 0.5 * l2 * w.squaredNorm();
    const Eigen::MatrixXd weighted = problem.weights().asDiagonal() * residual;
    Eigen::Map<Eigen::MatrixXd> gw(grad.data(), p, blocks);
    gw.noalias() = problem.x().transpose() * weighted;
    gw += l2 * w;
    if (problem.fit_intercept()) {
      grad.tail(blocks) = weighted.colwise().sum().transpose();
    } else {
      grad.tail(blocks).setZero();
    }
    return f;
  };
  Solution out;
  out.n_iter = lbfgs(theta, fg, max_iter, tol);
  out.w = Eigen::Map<const Eigen::MatrixXd>(theta.data(), p, blocks);
  out.b =
      problem.fit_intercept() ? Eigen::VectorXd(theta.tail(blocks)) : Eigen::VectorXd::Zero(blocks);
  return out;
}

double soft_threshold(double z, double gamma) {
  if (z > gamma) return z - gamma;
  if (z < -gamma) return z + gamma;
  return 0.0;
}

// Minimises loss + l1 ‖W‖₁ by block proximal Newton: for each block, a quadratic model of the
// loss is minimised by coordinate descent (GLMNET), then a backtracking line search on the full
// objective. Stops when the minimum-norm subgradient is at most `tol` times its initial size.
Solution solve_l1(const LogisticProblem& problem, double l1, int max_iter, double tol) {
  const Eigen::MatrixXd& x = problem.x();
  const Eigen::Index n = x.rows();
  const Eigen::Index p = problem.features();
  const Eigen::Index blocks = problem.blocks();
  const Eigen::VectorXd& s = problem.weights();
  Solution sol{.w = Eigen::MatrixXd::Zero(p, blocks), .b = Eigen::VectorXd::Zero(blocks)};
  auto objective = [&](const Eigen::MatrixXd& w, const Eigen::VectorXd& b, Eigen::MatrixXd* r) {
    return problem.loss(problem.scores(w, b), r) + l1 * w.cwiseAbs().sum();
  };
  Eigen::MatrixXd residual;
  double f = objective(sol.w, sol.b, &residual);
  // Optimality: the largest minimum-norm subgradient over every coordinate.
  const auto max_violation = [&] {
    const Eigen::MatrixXd grad = x.transpose() * (s.asDiagonal() * residual);
    double violation = 0.0;
    for (Eigen::Index k = 0; k < blocks; ++k) {
      if (problem.fit_intercept()) {
        violation = std::max(violation, std::abs(s.dot(residual.col(k))));
      }
      for (Eigen::Index j = 0; j < p; ++j) {
        const double w = sol.w(j, k);
        const double gj = grad(j, k);
        violation = std::max(violation, w != 0.0 ? std::abs(gj + (w > 0.0 ? l1 : -l1))
                                                 : std::max(std::abs(gj) - l1, 0.0));
      }
    }
    return violation;
  };
  // tol is relative to the violation at the start, as liblinear's stopping rule.
  const double scale = std::max(1.0, max_violation());
  Eigen::VectorXd hu(n);  // h ∘ (X d + d_b): the Hessian applied to the current direction
  Eigen::VectorXd h(n);
  Eigen::VectorXd hess_diag(p);
  for (int iter = 0; iter < max_iter; ++iter) {
    sol.n_iter = iter + 1;
    for (Eigen::Index k = 0; k < blocks; ++k) {
      // Quadratic model of block k: gradient g, Hessian Xᵀ diag(h) X with h = s p (1 − p).
      const Eigen::VectorXd r = s.cwiseProduct(residual.col(k));
      const Eigen::VectorXd g = x.transpose() * r;
      const double g_b = r.sum();
      const Eigen::MatrixXd z = problem.scores(sol.w, sol.b);
      for (Eigen::Index i = 0; i < n; ++i) {
        double prob = 0.0;
        if (blocks == 1) {
          prob = sigmoid(z(i, 0));
        } else {
          const double top = z.row(i).maxCoeff();
          prob = std::exp(z(i, k) - top) / (z.row(i).array() - top).exp().sum();
        }
        h(i) = std::max(s(i) * prob * (1.0 - prob), 1e-12 * s(i));
      }
      hess_diag = (x.array().square().colwise() * h.array()).colwise().sum().transpose();
      const double h_b = h.sum();
      Eigen::VectorXd d = Eigen::VectorXd::Zero(p);
      double d_b = 0.0;
      hu.setZero();
      for (int pass = 0; pass < 100; ++pass) {
        double change = 0.0;
        if (problem.fit_intercept() && h_b > 0.0) {
          const double delta = -(g_b + hu.sum()) / h_b;
          d_b += delta;
          hu += delta * h;
          change = std::max(change, std::abs(delta) * std::sqrt(h_b));
        }
        for (Eigen::Index j = 0; j < p; ++j) {
          if (hess_diag(j) <= 0.0) continue;
          const double grad_j = g(j) + x.col(j).dot(hu);
          const double current = sol.w(j, k) + d(j);
          const double target = soft_threshold(current - grad_j / hess_diag(j), l1 / hess_diag(j));
          const double delta = target - current;
          if (delta == 0.0) continue;
          d(j) += delta;
          hu += delta * h.cwiseProduct(x.col(j));
          change = std::max(change, std::abs(delta) * std::sqrt(hess_diag(j)));
        }
        if (change <= 1e-3 * tol * scale + 1e-12) break;
      }
      // Backtracking on the full objective along (d, d_b).
      const double predicted =
          g.dot(d) + g_b * d_b +
          l1 * ((sol.w.col(k) + d).cwiseAbs().sum() - sol.w.col(k).cwiseAbs().sum());
      if (predicted >= 0.0) continue;
      double step = 1.0;
      for (int tries = 0; tries < 40; ++tries) {
        Eigen::MatrixXd w_try = sol.w;
        Eigen::VectorXd b_try = sol.b;
        w_try.col(k) += step * d;
        b_try(k) += step * d_b;
        Eigen::MatrixXd r_try;
        const double f_try = objective(w_try, b_try, &r_try);
        if (f_try <= f + 0.01 * step * predicted) {
          sol.w = std::move(w_try);
          sol.b = std::move(b_try);
          residual = std::move(r_try);
          f = f_try;
          break;
        }
        step *= 0.5;
      }
    }
    if (max_violation() <= tol * scale) break;
  }
  return sol;
}

}  // namespace

// ---------------------------------------------------------------------------- model

nlohmann::json LogisticRegression::config() const { return config::to_json(config_); }

bool LogisticRegression::multinomial() const noexcept {
  return n_classes() > 2 && config_.multi_class != LogisticMultiClass::kOvr;
}

void LogisticRegression::do_fit(MatrixView<const double> x, std::span<const double> y,
                                const FitOptions& options) {
  config::validate(config_, "LogisticRegression");
  const std::size_t k = n_classes();
  const std::size_t p = x.cols();
  const Eigen::MatrixXd data = as_eigen(x);
  KOLOSAL_CHECK(
      config_.class_weight != ClassWeight::kExplicit || !config_.class_weight_values.empty(),
      ConfigError, "LogisticRegression: class_weight is explicit but ",
      "class_weight_values is empty");
  Eigen::VectorXd w = linear_detail::weights_or_ones(options.sample_weight, x.rows());
  std::vector<int> labels(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) labels[i] = static_cast<int>(y[i]);
  // scikit-learn multiplies the sample weights by the class weights; "balanced" with
  // one-vs-rest balances each binary problem (class against the rest) instead.
  const bool ovr_balanced = config_.class_weight == ClassWeight::kBalanced && k > 2 &&
                            config_.multi_class == LogisticMultiClass::kOvr;
  if (config_.class_weight != ClassWeight::kNone && !ovr_balanced) {
    const auto cw = linear_detail::class_weights(y, k, config_.class_weight,
                                                 config_.class_weight_values, "LogisticRegression");
    for (std::size_t i = 0; i < y.size(); ++i) {
      w(static_cast<Eigen::Index>(i)) *= cw[static_cast<std::size_t>(labels[i])];
    }
  }

  const double inverse_c = config_.penalty == LogisticPenalty::kNone ? 0.0 : 1.0 / config_.C;
  auto solve = [&](const LogisticProblem& problem) {
    return config_.penalty == LogisticPenalty::kL1
               ? solve_l1(problem, inverse_c, config_.max_iter, config_.tol)
               : solve_lbfgs(problem, inverse_c, config_.max_iter, config_.tol);
  };

  multinomial_ = multinomial();
  const std::size_t rows = k == 2 ? 1 : k;
  coef_ = Matrix<double>(rows, p);
  intercept_.assign(rows, 0.0);
  n_iter_ = 0;
  auto store = [&](std::size_t row, const Eigen::VectorXd& beta, double b) {
    for (std::size_t j = 0; j < p; ++j) coef_(row, j) = beta(static_cast<Eigen::Index>(j));
    intercept_[row] = b;
  };
  if (rows == 1 || multinomial_) {
    const LogisticProblem problem(data, labels, w, static_cast<Eigen::Index>(rows),
                                  config_.fit_intercept);
    const Solution sol = solve(problem);
    for (std::size_t c = 0; c < rows; ++c) {
      store(c, sol.w.col(static_cast<Eigen::Index>(c)), sol.b(static_cast<Eigen::Index>(c)));
    }
    n_iter_ = sol.n_iter;
    return;
  }
  // One-vs-rest: independent binary problems, run in parallel.
  std::vector<int> iterations(k, 0);
  parallel::for_each_index(context(), k, [&](std::size_t c) {
    std::vector<int> binary(labels.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
      binary[i] = labels[i] == static_cast<int>(c) ? 1 : 0;
    }
    Eigen::VectorXd wc = w;
    if (ovr_balanced) {
      const std::vector<double> y_bin(binary.begin(), binary.end());
      const auto cw =
          linear_detail::class_weights(y_bin, 2, ClassWeight::kBalanced, {}, "LogisticRegression");
      for (std::size_t i = 0; i < binary.size(); ++i) {
        wc(static_cast<Eigen::Index>(i)) *= cw[static_cast<std::size_t>(binary[i])];
      }
    }
    const LogisticProblem problem(data, std::move(binary), wc, 1, config_.fit_intercept);
    const Solution sol = solve(problem);
    store(c, sol.w.col(0), sol.b(0));
    iterations[c] = sol.n_iter;
  });
  n_iter_ = *std::max_element(iterations.begin(), iterations.end());
}

Matrix<double> LogisticRegression::do_predict_proba(MatrixView<const double> x) const {
  Matrix<double> scores = do_decision_function(x);
  const std::size_t k = n_classes();
  Matrix<double> proba(x.rows(), k);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    if (scores.cols() == 1) {
      const double p1 = sigmoid(scores(r, 0));
      proba(r, 0) = 1.0 - p1;
      proba(r, 1) = p1;
    } else if (multinomial_) {
      const auto row = scores.row(r);
      const double top = *std::max_element(row.begin(), row.end());
      double sum = 0.0;
      for (std::size_t c = 0; c < k; ++c) sum += proba(r, c) = std::exp(row[c] - top);
      for (std::size_t c = 0; c < k; ++c) proba(r, c) /= sum;
    } else {
      double sum = 0.0;
      for (std::size_t c = 0; c < k; ++c) sum += proba(r, c) = sigmoid(scores(r, c));
      for (std::size_t c = 0; c < k; ++c) proba(r, c) /= sum;
    }
  }
  return proba;
}

nlohmann::json LogisticRegression::do_state() const {
  auto state = LinearClassifierBase::do_state();
  state["multinomial"] = multinomial_;
  state["n_iter"] = n_iter_;
  return state;
}

void LogisticRegression::do_load_state(const nlohmann::json& state) {
  LinearClassifierBase::do_load_state(state);
  multinomial_ = state.at("multinomial").get<bool>();
  n_iter_ = state.at("n_iter").get<int>();
}

}  // namespace kolosal::training
