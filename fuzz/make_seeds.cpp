// SPDX-License-Identifier: MIT
// Writes the generated seed corpora: model artifacts (the column statistics of each bundled
// dataset, shaped like a saved model, and hand-made payloads) in both encodings, and signed /
// encrypted containers of them made with the fuzzing keys. Usage: fuzz_make_seeds DATA_DIR OUT_DIR
// (creates OUT_DIR/artifact, OUT_DIR/signed).
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/security/signing.hpp"

int main(int argc, char** argv) {
  using namespace kolosal;
  if (argc != 3) {
    std::cerr << "usage: fuzz_make_seeds DATA_DIR OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path data_dir = argv[1];
  const std::filesystem::path out = argv[2];
  std::filesystem::create_directories(out / "artifact");
  std::filesystem::create_directories(out / "signed");

  std::vector<nlohmann::json> payloads;
  for (const char* name : {"iris.csv", "diabetes.csv"}) {
    const data::Frame frame = data::read_csv(data_dir / name);
    nlohmann::json state = nlohmann::json::object();
    for (const auto& s : frame.describe()) {
      state[s.name] = {{"type", data::to_string(s.type)}, {"count", s.count}};
      if (s.type == data::ColumnType::kNumeric) {
        state[s.name]["mean"] = s.mean;
        state[s.name]["std"] = s.std;
      }
    }
    payloads.push_back({{"name", "ridge"},
                        {"config", {{"alpha", 1.0}, {"fit_intercept", true}}},
                        {"state", state}});
  }
  payloads.push_back({{"weights", {0.5, -1.25, 3.0}}, {"bias", 0.0}, {"name", "tiny"}});
  payloads.push_back(nlohmann::json::array({1, "two", nullptr, true, {{"k", {1, 2}}}}));

  const security::Key secret = security::decode_key(io::read_file(KOLOSAL_FUZZ_KEY),
                                                    security::KeyKind::kSigningSecret, "fuzz key");
  const security::Key encryption = security::decode_key(
      io::read_file(KOLOSAL_FUZZ_ENC_KEY), security::KeyKind::kEncryption, "fuzz encryption key");
  int n = 0;
  for (const auto& payload : payloads) {
    for (const auto encoding : {serialization::Encoding::kJson, serialization::Encoding::kBinary}) {
      const std::string artifact = serialization::encode("model", payload, encoding);
      const std::string id = std::to_string(n++);
      io::write_file_atomic(out / "artifact" / ("seed" + id), artifact);
      io::write_file_atomic(out / "signed" / ("plain" + id), security::sign(artifact, secret));
      io::write_file_atomic(out / "signed" / ("encrypted" + id),
                            security::sign(artifact, secret, &encryption));
    }
  }
  // Binary artifacts hold non-finite numbers exactly.
  io::write_file_atomic(
      out / "artifact" / "nonfinite",
      serialization::encode("model",
                            {{"v", {std::numeric_limits<double>::infinity(), std::nan("")}}},
                            serialization::Encoding::kBinary));
  std::cout << "wrote " << n << " artifact seeds and " << 2 * n << " signed seeds to "
            << out.string() << "\n";
  return 0;
}
