// SPDX-License-Identifier: MIT
// Optimizer benchmark: best values over seeds on standard test functions, and the cost of one TPE
// suggestion with 1,000 finished trials over 10 parameters. Prints one JSON object per line;
// compare_optuna.py runs Optuna 3.1 on the same functions and budgets side by side.
//
//   kolosal_bench_optimizer quality <sampler> <n_trials> <n_seeds> [config JSON]
//   kolosal_bench_optimizer overhead <n_history> <n_params> <n_asks>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/optimizer/samplers.hpp"
#include "kolosal/optimizer/study.hpp"

namespace ko = kolosal::optimizer;

namespace {

struct Problem {
  std::string name;
  ko::SearchSpace space;
  ko::Study::Objective objective;
};

std::vector<Problem> problems() {
  std::vector<Problem> out;
  {
    ko::SearchSpace s;
    s.add_float("x0", -5.0, 10.0).add_float("x1", 0.0, 15.0);
    out.push_back({"branin", s, [](ko::TrialContext& t) {
                     const double pi = std::numbers::pi;
                     const double x1 = t.number("x0");
                     const double x2 = t.number("x1");
                     const double a = x2 - 5.1 / (4 * pi * pi) * x1 * x1 + 5 / pi * x1 - 6;
                     return a * a + 10 * (1 - 1 / (8 * pi)) * std::cos(x1) + 10;
                   }});
  }
  {
    ko::SearchSpace s;
    for (int i = 0; i < 6; ++i) s.add_float("x" + std::to_string(i), 0.0, 1.0);
    out.push_back({"hartmann6", s, [](ko::TrialContext& t) {
                     static constexpr double kA[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                                         {0.05, 10, 17, 0.1, 8, 14},
                                                         {3, 3.5, 1.7, 10, 17, 8},
                                                         {17, 8, 0.05, 10, 0.1, 14}};
                     static constexpr double kP[4][6] = {
                         {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                         {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                         {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                         {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
                     static constexpr double kAlpha[4] = {1.0, 1.2, 3.0, 3.2};
                     double x[6];
                     for (int i = 0; i < 6; ++i) x[i] = t.number("x" + std::to_string(i));
                     double sum = 0.0;
                     for (int k = 0; k < 4; ++k) {
                       double e = 0.0;
                       for (int i = 0; i < 6; ++i) e += kA[k][i] * std::pow(x[i] - kP[k][i], 2);
                       sum += kAlpha[k] * std::exp(-e);
                     }
                     return -sum;
                   }});
  }
  {
    ko::SearchSpace s;
    for (int i = 0; i < 4; ++i) s.add_float("x" + std::to_string(i), -5.0, 10.0);
    out.push_back({"rosenbrock4", s, [](ko::TrialContext& t) {
                     double x[4];
                     for (int i = 0; i < 4; ++i) x[i] = t.number("x" + std::to_string(i));
                     double sum = 0.0;
                     for (int i = 0; i < 3; ++i) {
                       sum += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
                     }
                     return sum;
                   }});
  }
  {
    ko::SearchSpace s;
    for (int i = 0; i < 5; ++i) s.add_float("x" + std::to_string(i), -32.768, 32.768);
    out.push_back({"ackley5", s, [](ko::TrialContext& t) {
                     double sq = 0.0;
                     double cs = 0.0;
                     for (int i = 0; i < 5; ++i) {
                       const double x = t.number("x" + std::to_string(i));
                       sq += x * x;
                       cs += std::cos(2 * std::numbers::pi * x);
                     }
                     return -20 * std::exp(-0.2 * std::sqrt(sq / 5)) - std::exp(cs / 5) + 20 +
                            std::numbers::e;
                   }});
  }
  {
    ko::SearchSpace s;
    s.add_categorical("kind", {"a", "b", "c"})
        .add_float("xa", -5.0, 5.0, false, {.parent = "kind", .values = {"a"}})
        .add_float("ya", 1e-3, 1e2, true, {.parent = "kind", .values = {"a"}})
        .add_int("nb", 1, 100, true, 1, {.parent = "kind", .values = {"b"}})
        .add_categorical("cb", {"p", "q", "r", "s"}, {.parent = "kind", .values = {"b"}})
        .add_float("z", 0.0, 1.0);
    out.push_back({"mixed", s, [](ko::TrialContext& t) {
                     const double z = t.number("z");
                     const std::string& kind = t.category("kind");
                     if (kind == "a") {
                       return 0.5 + std::pow(t.number("xa") - 1.0, 2) +
                              std::pow(std::log10(t.number("ya")) + 1.0, 2) + std::pow(z - 0.3, 2);
                     }
                     if (kind == "b") {
                       const double c = t.category("cb") == "r" ? 0.0 : 0.4;
                       return std::pow(std::log(static_cast<double>(t.integer("nb")) / 20.0), 2) +
                              c + std::pow(z - 0.7, 2);
                     }
                     return 1.5 + z;
                   }});
  }
  return out;
}

int quality(const std::string& sampler, std::size_t n_trials, std::size_t n_seeds,
            const nlohmann::json& config) {
  for (const auto& p : problems()) {
    std::vector<double> best;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t seed = 0; seed < n_seeds; ++seed) {
      ko::Study study(p.space, ko::make_sampler(sampler, config), nullptr,
                      {.direction = ko::Direction::kMinimize, .seed = seed, .batch_size = 1});
      study.optimize(p.objective, {.n_trials = n_trials, .timeout_s = std::nullopt},
                     {.n_threads = 1, .seed = 0});
      best.push_back(study.best_value());
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%s\n", nlohmann::json{{"library", "kolosal"},
                                       {"sampler", sampler},
                                       {"function", p.name},
                                       {"n_trials", n_trials},
                                       {"best", best},
                                       {"seconds", seconds}}
                            .dump()
                            .c_str());
  }
  return 0;
}

int overhead(std::size_t n_history, std::size_t n_params, std::size_t n_asks) {
  ko::SearchSpace space;
  for (std::size_t i = 0; i < n_params; ++i) space.add_float("x" + std::to_string(i), -5.0, 5.0);
  auto sphere = [](const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) s += x * x;
    return s;
  };
  // History from random trials, then timed TPE suggestions each followed by its tell.
  ko::Study warm(space, ko::make_sampler("random", nullptr));
  for (std::size_t n = 0; n < n_history; ++n) {
    const auto& t = warm.ask();
    warm.tell(t.number, sphere(t.values));
  }
  ko::Study study = ko::Study::from_json(warm.to_json(), ko::make_sampler("tpe", nullptr));
  double total = 0.0;
  for (std::size_t k = 0; k < n_asks; ++k) {
    const auto start = std::chrono::steady_clock::now();
    const auto& t = study.ask();
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    study.tell(t.number, sphere(t.values));
  }
  std::printf("%s\n",
              nlohmann::json{{"library", "kolosal"},
                             {"n_history", n_history},
                             {"n_params", n_params},
                             {"n_asks", n_asks},
                             {"us_per_suggestion", total / static_cast<double>(n_asks) * 1e6}}
                  .dump()
                  .c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "quality" && (argc == 5 || argc == 6)) {
    return quality(argv[2], std::strtoul(argv[3], nullptr, 10), std::strtoul(argv[4], nullptr, 10),
                   argc == 6 ? nlohmann::json::parse(argv[5]) : nlohmann::json(nullptr));
  }
  if (mode == "overhead" && argc == 5) {
    return overhead(std::strtoul(argv[2], nullptr, 10), std::strtoul(argv[3], nullptr, 10),
                    std::strtoul(argv[4], nullptr, 10));
  }
  std::fprintf(
      stderr,
      "usage: kolosal_bench_optimizer quality <sampler> <n_trials> <n_seeds> [config JSON]\n"
      "       kolosal_bench_optimizer overhead <n_history> <n_params> <n_asks>\n");
  return 2;
}
