// SPDX-License-Identifier: MIT
#include "kolosal/autopipeline/detector.hpp"

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/data/csv.hpp"

#include "test_util.hpp"

namespace ka = kolosal::autopipeline;
namespace kd = kolosal::data;
using ka::ColumnRole;
using kolosal::test::expect_error;

namespace {

kd::Frame mixed_table() {
  constexpr std::size_t n = 100;
  std::vector<double> customer_id, account_id, amount, constant, all_missing;
  std::vector<std::string> city, zip, email, review, label;
  std::vector<std::uint8_t> flag;
  std::vector<std::int64_t> when;
  static const std::array<std::string, 5> kCities{"Jakarta", "Bandung", "Surabaya", "Medan",
                                                  "Depok"};
  for (std::size_t i = 0; i < n; ++i) {
    customer_id.push_back(static_cast<double>(1000 + (i * 37) % n));  // a permuted row number
    account_id.push_back(static_cast<double>(i * i + 7));             // unique, not consecutive
    amount.push_back(std::sin(static_cast<double>(i)) * 100.0);
    constant.push_back(7.0);
    all_missing.push_back(std::nan(""));
    city.push_back(kCities[i % 5]);
    zip.push_back("Z" + std::to_string(i % 60));
    email.push_back("user" + std::to_string(i) + "@example.com");
    review.push_back("the delivery was quick and item " + std::to_string(i % 3) + " works");
    label.push_back(i % 10 == 0 ? "yes" : "no");
    flag.push_back(static_cast<std::uint8_t>(i % 2));
    when.push_back(static_cast<std::int64_t>(i) * 86'400'000'000LL);
  }
  std::vector<kd::Column> columns;
  columns.push_back(kd::Column::numeric("customer_id", customer_id));
  columns.push_back(kd::Column::numeric("AccountID", account_id));
  columns.push_back(kd::Column::numeric("amount", amount));
  columns.push_back(kd::Column::numeric("constant", constant));
  columns.push_back(kd::Column::numeric("all_missing", all_missing));
  columns.push_back(kd::Column::categorical_from_labels("city", city));
  columns.push_back(kd::Column::categorical_from_labels("zip", zip));
  columns.push_back(kd::Column::text("email", email));
  columns.push_back(kd::Column::text("review", review));
  columns.push_back(kd::Column::boolean("flag", flag));
  columns.push_back(kd::Column::datetime("when", when));
  columns.push_back(kd::Column::categorical_from_labels("label", label));
  return kd::Frame(std::move(columns));
}

const ka::ColumnProfile& find(const ka::DatasetProfile& p, const std::string& name) {
  for (const auto& c : p.columns) {
    if (c.name == name) return c;
  }
  FAIL("no column " << name);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("detector: column roles of a mixed table", "[autopipeline]") {
  const auto profile = ka::profile_dataset(mixed_table(), "label");
  CHECK(profile.task.type == kd::TaskType::kBinary);
  CHECK(profile.columns.size() == 11);  // the target is not a feature
  CHECK(find(profile, "customer_id").role == ColumnRole::kIdentifier);
  CHECK(find(profile, "customer_id").reason == "unique consecutive integers: a row number");
  CHECK(find(profile, "AccountID").role == ColumnRole::kIdentifier);
  CHECK(find(profile, "amount").role == ColumnRole::kNumeric);
  CHECK(find(profile, "constant").role == ColumnRole::kConstant);
  CHECK(find(profile, "all_missing").role == ColumnRole::kConstant);
  CHECK(find(profile, "all_missing").n_missing == 100);
  CHECK(find(profile, "city").role == ColumnRole::kCategorical);
  CHECK(find(profile, "city").n_unique == 5);
  CHECK_FALSE(find(profile, "city").high_cardinality);
  CHECK(find(profile, "zip").role == ColumnRole::kCategorical);
  CHECK(find(profile, "zip").n_unique == 60);
  CHECK(find(profile, "zip").high_cardinality);
  CHECK(find(profile, "email").role == ColumnRole::kIdentifier);
  CHECK(find(profile, "review").role == ColumnRole::kText);
  CHECK(find(profile, "flag").role == ColumnRole::kBoolean);
  CHECK(find(profile, "when").role == ColumnRole::kDatetime);
  CHECK(profile.usable_columns() ==
        std::vector<std::string>{"amount", "city", "zip", "review", "flag", "when"});
  CHECK(profile.columns_with(ColumnRole::kIdentifier) ==
        std::vector<std::string>{"customer_id", "AccountID", "email"});
  CHECK(profile.class_counts == std::map<std::string, std::size_t>{{"no", 90}, {"yes", 10}});
  CHECK(profile.imbalance_ratio == 9.0);
  CHECK(profile.imbalanced);
  CHECK(profile.missing_fraction == Approx(100.0 / 1100.0));
  CHECK(profile.size == ka::SizeClass::kTiny);
  const auto json = profile.to_json();
  CHECK(json["task"] == "binary");
  CHECK(json["columns"][0]["role"] == "identifier");
  CHECK(json["class_counts"]["yes"] == 10);
}

TEST_CASE("detector: classic datasets", "[autopipeline]") {
  const auto cancer =
      ka::profile_dataset(kd::read_csv(kolosal::test::data_path("breast_cancer.csv")), "diagnosis");
  CHECK(cancer.task.type == kd::TaskType::kBinary);
  CHECK(cancer.columns_with(ColumnRole::kNumeric).size() == 30);
  CHECK(cancer.class_counts.at("benign") == 357);
  CHECK(cancer.class_counts.at("malignant") == 212);
  CHECK_FALSE(cancer.imbalanced);
  const auto diabetes =
      ka::profile_dataset(kd::read_csv(kolosal::test::data_path("diabetes.csv")), "progression");
  CHECK(diabetes.task.type == kd::TaskType::kRegression);
  CHECK(diabetes.class_counts.empty());
  CHECK(diabetes.usable_columns().size() == 10);
  const auto digits =
      ka::profile_dataset(kd::read_csv(kolosal::test::data_path("digits.csv")), "digit");
  CHECK(digits.task.type == kd::TaskType::kMulticlass);
  CHECK(digits.task.n_classes == 10);
  // Border pixels that are always 0 carry nothing.
  CHECK_FALSE(digits.columns_with(ColumnRole::kConstant).empty());
  CHECK(digits.size == ka::SizeClass::kSmall);
}

TEST_CASE("detector: bad input and config", "[autopipeline]") {
  const auto frame = mixed_table();
  expect_error<kolosal::InvalidArgument>([&] { (void)ka::profile_dataset(frame, "nope"); },
                                         "no target column 'nope'");
  expect_error<kolosal::DataError>([&] { (void)ka::profile_dataset(frame, "constant"); }, "");
  ka::DetectorConfig config;
  config.small_rows = 10;
  expect_error<kolosal::ConfigError>([&] { (void)ka::profile_dataset(frame, "label", config); },
                                     "tiny_rows <= small_rows <= medium_rows");
  config = {};
  config.identifier_unique_fraction = 0.2;
  expect_error<kolosal::ConfigError>([&] { (void)ka::profile_dataset(frame, "label", config); },
                                     "identifier_unique_fraction must be > 0.5");
  ka::DetectorConfig custom;
  custom.high_cardinality = 100;
  CHECK(kolosal::config::from_json<ka::DetectorConfig>(kolosal::config::to_json(custom)) == custom);
}
