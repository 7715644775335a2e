// SPDX-License-Identifier: MIT
// Unsupervised clustering: k-means (k-means++, restarts, Lloyd or Elkan), DBSCAN and Gaussian
// mixtures fitted by EM. Clustering has no target, so it has its own small API rather than the
// Model boundary: fit(x) then labels() / predict(x).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"

namespace kolosal::clustering {

enum class KMeansInit {
  kKMeansPlusPlus,  ///< greedy k-means++ seeding (Arthur & Vassilvitskii, 2007)
  kRandom,          ///< k distinct rows drawn uniformly
};

enum class KMeansAlgorithm {
  kLloyd,  ///< assignment and update steps over every point and center
  kElkan,  ///< Lloyd's iterations accelerated by triangle-inequality bounds (Elkan, 2003)
};

enum class CovarianceType {
  kFull,       ///< one full covariance matrix per component
  kTied,       ///< one full covariance matrix shared by every component
  kDiag,       ///< one diagonal covariance per component
  kSpherical,  ///< one variance per component
};

}  // namespace kolosal::clustering

namespace kolosal::config {
template <>
struct EnumNames<clustering::KMeansInit> {
  using I = clustering::KMeansInit;
  static constexpr std::array kValues{std::pair{I::kKMeansPlusPlus, "k-means++"},
                                      std::pair{I::kRandom, "random"}};
};
template <>
struct EnumNames<clustering::KMeansAlgorithm> {
  using A = clustering::KMeansAlgorithm;
  static constexpr std::array kValues{std::pair{A::kLloyd, "lloyd"}, std::pair{A::kElkan, "elkan"}};
};
template <>
struct EnumNames<clustering::CovarianceType> {
  using C = clustering::CovarianceType;
  static constexpr std::array kValues{std::pair{C::kFull, "full"}, std::pair{C::kTied, "tied"},
                                      std::pair{C::kDiag, "diag"},
                                      std::pair{C::kSpherical, "spherical"}};
};
}  // namespace kolosal::config

namespace kolosal::clustering {

struct KMeansConfig {
  static constexpr std::string_view kName = "KMeansConfig";
  int n_clusters = 8;
  KMeansInit init = KMeansInit::kKMeansPlusPlus;
  int n_init = 10;     ///< restarts; the run with the lowest inertia is kept
  int max_iter = 300;  ///< iterations per run
  double tol =
      1e-4;  ///< stop when the centers move less (squared) than tol x mean feature variance
  KMeansAlgorithm algorithm = KMeansAlgorithm::kLloyd;

  static constexpr auto fields() {
    using C = KMeansConfig;
    return std::tuple{config::field("n_clusters", &C::n_clusters).at_least(1),
                      config::field("init", &C::init).doc("k-means++ or random"),
                      config::field("n_init", &C::n_init).at_least(1),
                      config::field("max_iter", &C::max_iter).at_least(1),
                      config::field("tol", &C::tol).at_least(0.0),
                      config::field("algorithm", &C::algorithm).doc("lloyd or elkan")};
  }
  friend bool operator==(const KMeansConfig&, const KMeansConfig&) = default;
};

/// k-means clustering (Lloyd, "Least squares quantization in PCM", 1982) seeded by k-means++
/// (Arthur & Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007), with
/// Elkan's exact acceleration ("Using the triangle inequality to accelerate k-means", ICML 2003).
/// Restart r draws from Rng(seed).split(r) and restarts run in parallel, so the result is the same
/// for any thread count.
class KMeans {
 public:
  using Config = KMeansConfig;

  explicit KMeans(Config config = {}) : config_(config) {}

  /// Clusters the rows of x (optionally weighted).
  /// @throws ConfigError for a bad config; InvalidArgument for fewer rows than clusters, non-finite
  /// values or bad weights
  KMeans& fit(MatrixView<const double> x, std::span<const double> sample_weight = {});
  /// The nearest center of each row. @throws NotFitted, ShapeMismatch
  [[nodiscard]] std::vector<int> predict(MatrixView<const double> x) const;
  /// Distances from each row to every center, n x n_clusters. @throws NotFitted, ShapeMismatch
  [[nodiscard]] Matrix<double> transform(MatrixView<const double> x) const;

  [[nodiscard]] bool fitted() const noexcept { return centers_.rows() > 0; }
  [[nodiscard]] const Matrix<double>& cluster_centers() const noexcept { return centers_; }
  [[nodiscard]] const std::vector<int>& labels() const noexcept { return labels_; }
  /// Weighted sum of squared distances of the training rows to their centers.
  [[nodiscard]] double inertia() const noexcept { return inertia_; }
  [[nodiscard]] int n_iter() const noexcept { return n_iter_; }
  [[nodiscard]] const Config& config() const noexcept { return config_; }
  KMeans& set_context(const Context& context) noexcept {
    context_ = context;
    return *this;
  }
  /// Centers and inertia as JSON, and back. @throws SerializationError
  [[nodiscard]] nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  Config config_;
  Context context_;
  Matrix<double> centers_;
  std::vector<int> labels_;
  double inertia_ = 0.0;
  int n_iter_ = 0;
};

struct DbscanConfig {
  static constexpr std::string_view kName = "DbscanConfig";
  double eps = 0.5;     ///< neighbourhood radius (Euclidean)
  int min_samples = 5;  ///< points (the point itself included) a core point needs within eps

  static constexpr auto fields() {
    using C = DbscanConfig;
    return std::tuple{config::field("eps", &C::eps).greater_than(0.0),
                      config::field("min_samples", &C::min_samples).at_least(1)};
  }
  friend bool operator==(const DbscanConfig&, const DbscanConfig&) = default;
};

/// DBSCAN (Ester, Kriegel, Sander & Xu, "A density-based algorithm for discovering clusters in
/// large spatial databases with noise", KDD 1996). Clusters are numbered in the order of their
/// first core point and a border point joins the first cluster that reaches it, as scikit-learn.
class Dbscan {
 public:
  using Config = DbscanConfig;

  explicit Dbscan(Config config = {}) : config_(config) {}

  /// Clusters the rows of x. @throws ConfigError, InvalidArgument
  Dbscan& fit(MatrixView<const double> x, std::span<const double> sample_weight = {});
  /// Cluster of each training row, -1 for noise.
  [[nodiscard]] const std::vector<int>& labels() const noexcept { return labels_; }
  [[nodiscard]] const std::vector<std::size_t>& core_sample_indices() const noexcept {
    return core_;
  }
  [[nodiscard]] int n_clusters() const noexcept { return n_clusters_; }
  [[nodiscard]] const Config& config() const noexcept { return config_; }
  Dbscan& set_context(const Context& context) noexcept {
    context_ = context;
    return *this;
  }

 private:
  Config config_;
  Context context_;
  std::vector<int> labels_;
  std::vector<std::size_t> core_;
  int n_clusters_ = 0;
};

struct GaussianMixtureConfig {
  static constexpr std::string_view kName = "GaussianMixtureConfig";
  int n_components = 1;
  CovarianceType covariance_type = CovarianceType::kFull;
  double tol = 1e-3;        ///< stop when the mean log-likelihood gains less
  double reg_covar = 1e-6;  ///< added to covariance diagonals
  int max_iter = 100;
  int n_init = 1;  ///< restarts, each initialised by one k-means run

  static constexpr auto fields() {
    using C = GaussianMixtureConfig;
    return std::tuple{
        config::field("n_components", &C::n_components).at_least(1),
        config::field("covariance_type", &C::covariance_type).doc("full, tied, diag or spherical"),
        config::field("tol", &C::tol).at_least(0.0),
        config::field("reg_covar", &C::reg_covar).at_least(0.0),
        config::field("max_iter", &C::max_iter).at_least(1),
        config::field("n_init", &C::n_init).at_least(1)};
  }
  friend bool operator==(const GaussianMixtureConfig&, const GaussianMixtureConfig&) = default;
};

/// Gaussian mixture fitted by expectation-maximisation (Dempster, Laird & Rubin, "Maximum
/// likelihood from incomplete data via the EM algorithm", JRSS B 39, 1977), initialised from
/// k-means responsibilities as scikit-learn's GaussianMixture.
class GaussianMixture {
 public:
  using Config = GaussianMixtureConfig;

  explicit GaussianMixture(Config config = {}) : config_(config) {}

  /// @throws ConfigError, InvalidArgument (fewer rows than components, non-finite values)
  GaussianMixture& fit(MatrixView<const double> x);
  /// Most probable component per row. @throws NotFitted, ShapeMismatch
  [[nodiscard]] std::vector<int> predict(MatrixView<const double> x) const;
  /// Posterior component probabilities, n x n_components.
  [[nodiscard]] Matrix<double> predict_proba(MatrixView<const double> x) const;
  /// Log density of each row under the mixture.
  [[nodiscard]] std::vector<double> score_samples(MatrixView<const double> x) const;
  /// Mean log density.
  [[nodiscard]] double score(MatrixView<const double> x) const;
  /// Bayesian and Akaike information criteria on x.
  [[nodiscard]] double bic(MatrixView<const double> x) const;
  [[nodiscard]] double aic(MatrixView<const double> x) const;

  [[nodiscard]] bool fitted() const noexcept { return !weights_.empty(); }
  [[nodiscard]] const std::vector<double>& weights() const noexcept { return weights_; }
  [[nodiscard]] const Matrix<double>& means() const noexcept { return means_; }
  /// Per component (full, diag, spherical) or shared (tied) covariances, each d x d, flattened
  /// row-major one after another.
  [[nodiscard]] const std::vector<double>& covariances() const noexcept { return covariances_; }
  [[nodiscard]] bool converged() const noexcept { return converged_; }
  [[nodiscard]] int n_iter() const noexcept { return n_iter_; }
  [[nodiscard]] double lower_bound() const noexcept { return lower_bound_; }
  [[nodiscard]] const Config& config() const noexcept { return config_; }
  GaussianMixture& set_context(const Context& context) noexcept {
    context_ = context;
    return *this;
  }
  /// Parameters as JSON, and back. @throws SerializationError
  [[nodiscard]] nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  [[nodiscard]] Matrix<double> weighted_log_prob(MatrixView<const double> x) const;
  [[nodiscard]] std::size_t parameter_count() const noexcept;
  void check_input(MatrixView<const double> x, std::string_view who) const;

  Config config_;
  Context context_;
  std::vector<double> weights_;
  Matrix<double> means_;
  std::vector<double> covariances_;
  std::vector<double> precision_cholesky_;  ///< per component d x d (upper) factors
  bool converged_ = false;
  int n_iter_ = 0;
  double lower_bound_ = 0.0;
};

}  // namespace kolosal::clustering
