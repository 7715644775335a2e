// SPDX-License-Identifier: MIT
// Tests of declared config fields: validation, JSON round trips and error messages.
#include "kolosal/core/config.hpp"

#include <map>
#include <optional>

#include "kolosal/core/detail/config_json.hpp"

namespace {

enum class Mode { kFast, kExact };

struct InnerConfig {
  static constexpr std::string_view kName = "InnerConfig";
  int depth = 3;
  static auto fields() {
    return std::tuple{kolosal::config::field("depth", &InnerConfig::depth).at_least(1).at_most(64)};
  }
  friend bool operator==(const InnerConfig&, const InnerConfig&) = default;
};

struct SampleConfig {
  static constexpr std::string_view kName = "SampleConfig";
  double alpha = 1.0;
  bool fit_intercept = true;
  std::size_t n_estimators = 100;
  std::string name = "model";
  Mode mode = Mode::kFast;
  std::vector<double> weights{0.5, 0.5};
  std::optional<int> max_depth;
  std::map<std::string, Mode> per_column;
  InnerConfig inner;
  double low = 0.0;
  double high = 1.0;

  static auto fields() {
    using kolosal::config::field;
    return std::tuple{
        field("alpha", &SampleConfig::alpha).at_least(0.0).doc("L2 penalty"),
        field("fit_intercept", &SampleConfig::fit_intercept),
        field("n_estimators", &SampleConfig::n_estimators).at_least(1),
        field("name", &SampleConfig::name),
        field("mode", &SampleConfig::mode),
        field("weights", &SampleConfig::weights).at_least(0.0),
        field("max_depth", &SampleConfig::max_depth).greater_than(0),
        field("per_column", &SampleConfig::per_column),
        field("inner", &SampleConfig::inner),
        field("low", &SampleConfig::low),
        field("high", &SampleConfig::high),
    };
  }
  void check() const {
    KOLOSAL_CHECK(low < high, ConfigError, "SampleConfig: low (", low, ") must be < high (", high,
                  ")");
  }
  friend bool operator==(const SampleConfig&, const SampleConfig&) = default;
};

}  // namespace

template <>
struct kolosal::config::EnumNames<Mode> {
  static constexpr std::array kValues{std::pair{Mode::kFast, "fast"},
                                      std::pair{Mode::kExact, "exact"}};
};

using kolosal::config::from_json;
using kolosal::config::to_json;
using nlohmann::json;

namespace {
std::string config_error(const json& j) {
  try {
    (void)from_json<SampleConfig>(j);
  } catch (const kolosal::ConfigError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("config: defaults serialise to every declared key", "[core][config]") {
  const json j = to_json(SampleConfig{});
  CHECK(j.size() == 11);
  CHECK(j["alpha"] == 1.0);
  CHECK(j["mode"] == "fast");
  CHECK(j["max_depth"].is_null());
  CHECK(j["inner"]["depth"] == 3);
  CHECK(j["weights"] == json::array({0.5, 0.5}));
}

TEST_CASE("config: a changed config round-trips through JSON text", "[core][config]") {
  SampleConfig c;
  c.alpha = 0.25;
  c.fit_intercept = false;
  c.n_estimators = 7;
  c.name = "ridge \"quoted\"";
  c.mode = Mode::kExact;
  c.weights = {1.0, 2.0, 3.0};
  c.max_depth = 5;
  c.per_column = {{"a", Mode::kExact}, {"b", Mode::kFast}};
  c.inner.depth = 12;
  c.low = -2.0;
  c.high = 0.1;
  const json parsed = json::parse(to_json(c).dump());
  CHECK(from_json<SampleConfig>(parsed) == c);
}

TEST_CASE("config: missing keys keep their defaults", "[core][config]") {
  const auto c = from_json<SampleConfig>(json{{"alpha", 3}});
  CHECK(c.alpha == 3.0);
  CHECK(c.n_estimators == 100);
  CHECK(c.name == "model");
}

TEST_CASE("config: invalid input is rejected with a message naming the key", "[core][config]") {
  CHECK(config_error(json{{"alpah", 1.0}}) ==
        "SampleConfig: unknown key 'alpah' (known keys: alpha, fit_intercept, n_estimators, "
        "name, mode, weights, max_depth, per_column, inner, low, high)");
  CHECK(config_error(json{{"alpha", -1.0}}) == "SampleConfig: alpha must be >= 0, got -1");
  CHECK(config_error(json{{"alpha", "big"}})
            .find("SampleConfig.alpha expects a number, got "
                  "string") == 0);
  CHECK(config_error(json{{"n_estimators", -3}}) ==
        "SampleConfig.n_estimators must be >= 0, got -3");
  CHECK(config_error(json{{"n_estimators", 2.5}}).find("expects an integer") != std::string::npos);
  CHECK(config_error(json{{"n_estimators", 0}}) ==
        "SampleConfig: n_estimators must be >= 1, got 0");
  CHECK(config_error(json{{"mode", "slow"}}) ==
        "SampleConfig.mode: unknown value 'slow' (expected one of: fast, exact)");
  CHECK(config_error(json{{"weights", {1.0, -2.0}}}) ==
        "SampleConfig: weights [1] must be >= 0, got -2");
  CHECK(config_error(json{{"max_depth", 0}}) == "SampleConfig: max_depth must be > 0, got 0");
  CHECK(config_error(json{{"inner", {{"depth", 100}}}}) ==
        "InnerConfig: depth must be <= 64, got 100");
  CHECK(config_error(json{{"inner", {{"deep", 1}}}}).find("InnerConfig: unknown key 'deep'") == 0);
  CHECK(config_error(json{{"fit_intercept", 1}}).find("expects true or false") !=
        std::string::npos);
  CHECK(config_error(json{{"low", 2.0}}) == "SampleConfig: low (2) must be < high (1)");
  CHECK(config_error(json::array()) == "SampleConfig: expected a JSON object, got array");
  CHECK(config_error(json{{"per_column", {{"x", "fastest"}}}})
            .find("SampleConfig.per_column[\"x\"]: unknown value 'fastest'") == 0);
}

TEST_CASE("config: validate checks bounds of a config built in C++", "[core][config]") {
  SampleConfig c;
  c.alpha = std::nan("");
  CHECK_THROWS_WITH(kolosal::config::validate(c, "Ridge"),
                    "Ridge: alpha must be a number, got NaN");
  c.alpha = 0.0;
  CHECK_NOTHROW(kolosal::config::validate(c, "Ridge"));
  c.inner.depth = 0;
  CHECK_THROWS_WITH(kolosal::config::validate(c, "Ridge"),
                    "Ridge.inner: depth must be >= 1, got 0");
}

TEST_CASE("config: enum names parse and print", "[core][config]") {
  CHECK(kolosal::config::enum_name(Mode::kExact) == "exact");
  CHECK(kolosal::config::parse_enum<Mode>("fast", "mode") == Mode::kFast);
  CHECK(kolosal::config::enum_choices<Mode>() == "fast, exact");
}
