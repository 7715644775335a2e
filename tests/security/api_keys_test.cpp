// SPDX-License-Identifier: MIT
// ApiKeyManager (hashing, rotation, revocation) and RateLimiter (exact admitted rate under
// concurrent callers with a controlled clock).
#include "kolosal/security/api_keys.hpp"

#include <atomic>
#include <thread>

#include "test_util.hpp"

using namespace kolosal;

namespace {
constexpr std::int64_t kSecond = 1'000'000'000;

struct ManualClock {
  std::shared_ptr<std::atomic<std::int64_t>> now = std::make_shared<std::atomic<std::int64_t>>(0);
  security::Clock clock() const {
    return [n = now] { return n->load(); };
  }
  void advance(std::int64_t ns) const { now->fetch_add(ns); }
};
}  // namespace

TEST_CASE("security: API keys authenticate, and only hashes are stored", "[security][api_keys]") {
  ManualClock t;
  security::ApiKeyManager keys(t.clock());
  const std::string a = keys.create("alice");
  const std::string b = keys.create("bob");
  REQUIRE(a.rfind("kol_", 0) == 0);
  CHECK(a.size() == 4 + 16 + 1 + 43);  // prefix, id, '_', 32 bytes in unpadded base64
  const auto id_a = keys.authenticate(a);
  REQUIRE(id_a.has_value());
  CHECK(*id_a == a.substr(4, 16));
  CHECK(keys.authenticate(b) == b.substr(4, 16));
  // A changed character anywhere fails.
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::string wrong = a;
    wrong[i] = wrong[i] == 'A' ? 'B' : 'A';
    CHECK_FALSE(keys.authenticate(wrong).has_value());
  }
  CHECK_FALSE(keys.authenticate("").has_value());
  CHECK_FALSE(keys.authenticate("kol_").has_value());
  // Alice's id with Bob's secret.
  CHECK_FALSE(keys.authenticate(a.substr(0, 21) + b.substr(21)).has_value());
  // The store holds no secret.
  const std::string stored = keys.to_json().dump();
  CHECK(stored.find(a.substr(21)) == std::string::npos);
  CHECK(stored.find(b.substr(21)) == std::string::npos);
  const auto records = keys.records();
  REQUIRE(records.size() == 2);
  CHECK(records[0].salt.size() == 32);
  CHECK(records[0].hash.size() == 64);
  CHECK(records[0].salt != records[1].salt);
  // Store round trip: a new manager accepts the same keys.
  security::ApiKeyManager reloaded(t.clock());
  reloaded.load_json(keys.to_json());
  CHECK(reloaded.authenticate(a) == id_a);
  test::expect_error<SerializationError>(
      [&] {
        reloaded.load_json(nlohmann::json{{"format", "x"}, {"version", 1}, {"keys", {}}});
      },
      "not a version-1 kolosal key store");
}

TEST_CASE("security: rotation grace period, lifetime and revocation", "[security][api_keys]") {
  ManualClock t;
  security::ApiKeyManager keys(t.clock());
  const std::string old_key = keys.create("service");
  const std::string id = old_key.substr(4, 16);
  t.advance(10 * kSecond);
  const std::string new_key = keys.rotate(id, 60 * kSecond);
  CHECK(keys.authenticate(old_key) == id);
  CHECK(keys.authenticate(new_key) == new_key.substr(4, 16));
  t.advance(60 * kSecond - 1);
  CHECK(keys.authenticate(old_key) == id);  // last nanosecond of the grace period
  t.advance(1);
  CHECK_FALSE(keys.authenticate(old_key).has_value());
  CHECK(keys.authenticate(new_key).has_value());
  CHECK(keys.records().size() == 2);

  keys.revoke(new_key.substr(4, 16));
  CHECK_FALSE(keys.authenticate(new_key).has_value());
  test::expect_error<InvalidArgument>([&] { (void)keys.rotate(new_key.substr(4, 16), 0); },
                                      "is revoked");
  test::expect_error<InvalidArgument>([&] { keys.revoke("0000000000000000"); }, "unknown key");

  const std::string short_lived = keys.create("temp", 5 * kSecond);
  t.advance(5 * kSecond - 1);
  CHECK(keys.authenticate(short_lived).has_value());
  t.advance(1);
  CHECK_FALSE(keys.authenticate(short_lived).has_value());
}

TEST_CASE("security: token bucket admits burst then the configured rate", "[security][rate]") {
  ManualClock t;
  security::RateLimiter limiter({5.0, 3.0}, t.clock());
  int admitted = 0;
  for (int i = 0; i < 10; ++i) admitted += limiter.try_acquire("k") ? 1 : 0;
  CHECK(admitted == 3);    // the burst
  t.advance(kSecond / 5);  // exactly one token at 5/s
  CHECK(limiter.try_acquire("k"));
  CHECK_FALSE(limiter.try_acquire("k"));
  t.advance(10 * kSecond);  // refills only up to the burst
  CHECK(limiter.available("k") == Approx(3.0));
  // Keys are independent, with their own limits.
  limiter.set_limit("vip", {100.0, 50.0});
  int vip = 0;
  for (int i = 0; i < 100; ++i) vip += limiter.try_acquire("vip") ? 1 : 0;
  CHECK(vip == 50);
  CHECK(limiter.try_acquire("other"));
  CHECK(limiter.try_acquire("k", 2.5));
  CHECK_FALSE(limiter.try_acquire("k", 1.0));
  test::expect_error<InvalidArgument>(
      [&] {
        security::RateLimiter bad({0.0, 1.0}, t.clock());
      },
      "per_second must be positive");
}

TEST_CASE("security: admitted rate under concurrent callers matches the setting",
          "[security][rate]") {
  // Callers advance a shared clock by 10 µs before each request, so the simulated span is exact
  // (100000 requests x 10 µs = 1 s) whatever the interleaving; the bucket must then admit
  // between rate·T and rate·T + burst.
  ManualClock t;
  constexpr double kRate = 2000.0;
  constexpr double kBurst = 20.0;
  security::RateLimiter limiter({kRate, kBurst}, t.clock());
  limiter.set_limit("separate", {1e6, 1e6});
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25'000;
  std::atomic<int> admitted{0};
  std::atomic<int> other_key{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      int mine = 0;
      int others = 0;
      for (int j = 0; j < kPerThread; ++j) {
        t.advance(10'000);
        mine += limiter.try_acquire("shared") ? 1 : 0;
        if (i == 0 && j % 10 == 0) others += limiter.try_acquire("separate") ? 1 : 0;
      }
      admitted += mine;
      other_key += others;
    });
  }
  for (auto& th : threads) th.join();
  const double elapsed = static_cast<double>(t.now->load()) / kSecond;
  CHECK(elapsed == Approx(1.0));
  const double expected = kRate * elapsed;
  INFO("admitted " << admitted.load() << " of 100000, expected about " << expected);
  CHECK(admitted.load() >= static_cast<int>(expected) - 1);
  CHECK(admitted.load() <= static_cast<int>(expected + kBurst) + 1);
  CHECK(std::abs(admitted.load() - expected) / expected < 0.02);
  // A key with a generous limit is not throttled by the exhausted shared bucket.
  CHECK(other_key.load() == 2500);
}
