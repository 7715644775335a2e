// SPDX-License-Identifier: MIT
// Device detection checked against independent sources, pinning inside a parallel region, and
// the optimizer's rules on fixed machine descriptions.
#include <atomic>
#include <chrono>
#include <mutex>
#include <sched.h>
#include <set>
#include <thread>
#include <unistd.h>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/simd.hpp"
#include "kolosal/device/affinity.hpp"
#include "kolosal/device/info.hpp"
#include "kolosal/device/optimizer.hpp"

#include "test_util.hpp"

using namespace kolosal;

TEST_CASE("device: CPU features agree with the compiler's own detection", "[device]") {
  const device::CpuFeatures& f = device::cpu_features();
#if defined(__x86_64__)
  __builtin_cpu_init();
  CHECK(f.architecture == "x86_64");
  CHECK(f.sse2 == static_cast<bool>(__builtin_cpu_supports("sse2")));
  CHECK(f.sse3 == static_cast<bool>(__builtin_cpu_supports("sse3")));
  CHECK(f.ssse3 == static_cast<bool>(__builtin_cpu_supports("ssse3")));
  CHECK(f.sse4_1 == static_cast<bool>(__builtin_cpu_supports("sse4.1")));
  CHECK(f.sse4_2 == static_cast<bool>(__builtin_cpu_supports("sse4.2")));
  CHECK(f.popcnt == static_cast<bool>(__builtin_cpu_supports("popcnt")));
  CHECK(f.avx == static_cast<bool>(__builtin_cpu_supports("avx")));
  CHECK(f.avx2 == static_cast<bool>(__builtin_cpu_supports("avx2")));
  CHECK(f.fma == static_cast<bool>(__builtin_cpu_supports("fma")));
  CHECK(f.bmi1 == static_cast<bool>(__builtin_cpu_supports("bmi")));
  CHECK(f.bmi2 == static_cast<bool>(__builtin_cpu_supports("bmi2")));
  CHECK(f.avx512f == static_cast<bool>(__builtin_cpu_supports("avx512f")));
  CHECK(f.avx512bw == static_cast<bool>(__builtin_cpu_supports("avx512bw")));
  CHECK(f.avx512vl == static_cast<bool>(__builtin_cpu_supports("avx512vl")));
  CHECK(f.avx512dq == static_cast<bool>(__builtin_cpu_supports("avx512dq")));
  CHECK(f.avx512cd == static_cast<bool>(__builtin_cpu_supports("avx512cd")));
  CHECK(f.avx512_vnni == static_cast<bool>(__builtin_cpu_supports("avx512vnni")));
  CHECK(f.avx512_bf16 == static_cast<bool>(__builtin_cpu_supports("avx512bf16")));
  CHECK(f.sse2);  // part of x86-64
  CHECK_FALSE(f.vendor.empty());
  CHECK_FALSE(f.neon);
#endif
  // Feature hierarchy: a wider extension implies the narrower ones.
  if (f.avx2) CHECK(f.avx);
  if (f.avx) CHECK(f.sse4_2);
  if (f.avx512bw || f.avx512vl || f.avx512dq) CHECK(f.avx512f);
  if (f.avx512f) CHECK(f.avx2);
  // names() lists exactly the flags that are set.
  const auto names = f.names();
  CHECK((std::find(names.begin(), names.end(), "avx2") != names.end()) == f.avx2);
  CHECK((std::find(names.begin(), names.end(), "sse4.2") != names.end()) == f.sse4_2);
  // The SIMD kernels' own detection agrees.
  if (simd::detected_level() == simd::Level::kAvx2) CHECK(f.avx2);
  if (f.avx2 && f.fma) {
    CHECK((f.best_simd() == "avx2" || f.best_simd() == "avx512"));
  }
}

TEST_CASE("device: topology counts agree with the scheduler and sysconf", "[device]") {
  const device::Topology& t = device::topology();
  const int affinity = device::affinity_cpu_count();
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  CHECK(affinity == CPU_COUNT(&set));
  // hwloc restricts itself to the CPUs this process may use (cgroup cpuset); the test runs
  // without a narrowed affinity mask, so both describe the same CPUs.
  CHECK(t.logical_cpus == affinity);
  CHECK(t.logical_cpus <= static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)));
  CHECK(t.physical_cores >= 1);
  CHECK(t.physical_cores <= t.logical_cpus);
  CHECK(t.logical_cpus % t.physical_cores == 0);  // same SMT width on every core
  CHECK(t.sockets >= 1);
  CHECK(t.sockets <= t.physical_cores);
  CHECK(t.numa_nodes >= 1);
  CHECK(hardware_threads() == affinity);
  // Caches grow with the level, and L1 is reported on every machine kolosal runs on.
  CHECK(t.cache_size(1) >= 4096);
  std::uint64_t previous = 0;
  for (const auto& c : t.caches) {
    CHECK(c.size >= previous);
    CHECK(c.instances >= 1);
    previous = c.size;
  }
  // sysconf's cache size, when the C library knows it, matches hwloc's L1d.
  const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE);
  if (l1 > 0) CHECK(static_cast<std::uint64_t>(l1) == t.cache_size(1));
}

TEST_CASE("device: memory parsing of meminfo and cgroup files", "[device]") {
  const std::string meminfo =
      "MemTotal:       16314072 kB\nMemFree:         1000000 kB\n"
      "MemAvailable:   12000000 kB\nHugePages_Total:       0\n";
  CHECK(device::parse_meminfo(meminfo, "MemTotal") == std::uint64_t{16314072} * 1024);
  CHECK(device::parse_meminfo(meminfo, "MemAvailable") == std::uint64_t{12000000} * 1024);
  CHECK(device::parse_meminfo(meminfo, "HugePages_Total") == std::uint64_t{0});
  CHECK_FALSE(device::parse_meminfo(meminfo, "Mem").has_value());  // a prefix is not a key
  CHECK_FALSE(device::parse_meminfo(meminfo, "SwapTotal").has_value());
  CHECK(device::parse_cgroup_limit("max\n") == std::nullopt);
  CHECK(device::parse_cgroup_limit("9223372036854771712\n") == std::nullopt);  // v1 "unlimited"
  CHECK(device::parse_cgroup_limit("536870912\n") == std::uint64_t{536870912});
  CHECK(device::parse_cgroup_limit("garbage") == std::nullopt);
}

TEST_CASE("device: memory figures are consistent with sysconf", "[device]") {
  const device::MemoryInfo m = device::memory_info();
  const auto physical = static_cast<std::uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                        static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  CHECK(m.total == physical);
  CHECK(m.limit <= m.total);
  CHECK(m.available > 0);
  CHECK(m.available <= m.limit);
  if (m.cgroup_limit) {
    CHECK(m.limit == *m.cgroup_limit);
  } else {
    CHECK(m.limit == m.total);
  }
}

TEST_CASE("device: JSON report holds every section", "[device]") {
  const device::DeviceInfo info = device::detect();
  const nlohmann::json j = device::to_json(info);
  CHECK(j.at("topology").at("logical_cpus") == info.topology.logical_cpus);
  CHECK(j.at("topology").at("affinity_cpus") == device::affinity_cpu_count());
  CHECK(j.at("memory").at("total") == info.memory.total);
  CHECK(j.at("cpu").at("best_simd") == std::string(info.cpu.best_simd()));
  CHECK(j.at("gpus").is_array());
  CHECK(j.at("gpus").size() == info.gpus.size());
  // GPUs are optional: whatever is reported names its vendor and source.
  for (const auto& g : info.gpus) {
    CHECK(g.vendor == "nvidia");
    CHECK((g.source == "nvml" || g.source == "procfs"));
  }
}

TEST_CASE("device: pinning confines each worker to one allowed CPU", "[device][affinity]") {
  const std::vector<int> allowed = device::current_affinity();
  REQUIRE(static_cast<int>(allowed.size()) == device::affinity_cpu_count());
  const Context ctx{static_cast<int>(allowed.size()), 1};
  const auto run_region = [&] {
    std::mutex mutex;
    std::vector<std::vector<int>> masks;
    parallel::for_blocks(ctx, 64, 1, [&](std::size_t, std::size_t) {
      // Busy work long enough for every worker to take part.
      const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(300);
      while (std::chrono::steady_clock::now() < until) {
      }
      auto mask = device::current_affinity();
      std::lock_guard lock(mutex);
      masks.push_back(std::move(mask));
    });
    return masks;
  };
  {
    device::ThreadPinning pinning;
    CHECK(pinning.cpus() == allowed);
    test::expect_error<InvalidArgument>([] { device::ThreadPinning second; }, "already active");
    if (allowed.size() >= 2) {
      // Workers already asleep inside the arena from earlier tests are pinned when they next
      // enter it; give them a moment to leave, then every block must see a one-CPU mask.
      bool all_pinned = false;
      for (int attempt = 0; attempt < 20 && !all_pinned; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        const auto masks = run_region();
        REQUIRE(masks.size() == 64);
        all_pinned = std::all_of(masks.begin(), masks.end(), [&](const std::vector<int>& m) {
          return m.size() == 1 && std::find(allowed.begin(), allowed.end(), m[0]) != allowed.end();
        });
      }
      CHECK(all_pinned);
    }
  }
  // Outside the region, the calling thread's mask is untouched.
  CHECK(device::current_affinity() == allowed);
  test::expect_error<InvalidArgument>([] { device::ThreadPinning bad({100000}); },
                                      "not in this process's affinity mask");
  // After the pinning ends, threads entering the arena get their full mask back.
  if (allowed.size() >= 2) {
    bool all_free = false;
    for (int attempt = 0; attempt < 20 && !all_free; ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const auto masks = run_region();
      all_free = std::all_of(masks.begin(), masks.end(),
                             [&](const std::vector<int>& m) { return m == allowed; });
    }
    CHECK(all_free);
  }
}

namespace {
device::DeviceInfo fixed_machine() {
  device::DeviceInfo info;
  info.cpu.avx2 = info.cpu.avx = info.cpu.fma = info.cpu.sse4_2 = info.cpu.sse2 = true;
  info.topology.sockets = 2;
  info.topology.physical_cores = 16;
  info.topology.logical_cpus = 32;
  info.topology.numa_nodes = 2;
  info.topology.caches = {
      {1, 48 * 1024, 64, 16}, {2, 1280 * 1024, 64, 16}, {3, 48ULL * 1024 * 1024, 64, 2}};
  info.memory.total = 64ULL << 30;
  info.memory.available = 40ULL << 30;
  info.memory.limit = 64ULL << 30;
  info.affinity_cpus = 32;
  return info;
}
}  // namespace

TEST_CASE("device: optimizer rules on a fixed two-socket machine", "[device][optimizer]") {
  const device::DeviceOptimizer optimizer(fixed_machine());
  device::WorkloadHint hint;
  hint.n_features = 100;  // 800 B rows; half of 1280 KiB = 655360 B -> 819 rows -> 512
  const auto r = optimizer.recommend(hint);
  CHECK(r.threads == 16);  // one per physical core under SMT-2
  CHECK(r.batch_rows == 512);
  CHECK(r.memory_limit == static_cast<std::uint64_t>(0.75 * static_cast<double>(40ULL << 30)));
  CHECK(r.simd == std::string(simd::to_string(simd::detected_level())));
  CHECK_THAT(r.threads_reason, Catch::Contains("one thread per physical core"));
  CHECK_THAT(r.batch_reason, Catch::Contains("fill at most half of the 1.3 MiB L2 cache per core"));
  hint.compute_bound = false;
  CHECK(optimizer.recommend(hint).threads == 32);

  // A cgroup-restricted affinity mask of 8 CPUs: 4 cores' worth for compute-bound work.
  auto narrow = fixed_machine();
  narrow.affinity_cpus = 8;
  narrow.memory.cgroup_limit = 4ULL << 30;
  narrow.memory.available = 2ULL << 30;
  const auto rn = device::DeviceOptimizer(narrow).recommend({});
  CHECK(rn.threads == 4);
  CHECK(rn.memory_limit == (3ULL << 29));  // 0.75 * 2 GiB
  CHECK_THAT(rn.memory_reason, Catch::Contains("cgroup limit of 4 GiB"));
  // Very wide rows clamp to the minimum batch.
  device::WorkloadHint wide;
  wide.n_features = 1'000'000;
  CHECK(optimizer.recommend(wide).batch_rows == 16);

  const nlohmann::json j = device::to_json(r);
  CHECK(j.at("threads").at("value") == 16);
  CHECK(j.at("batch_rows").at("value") == 512);
  CHECK(j.at("threads").at("reason").get<std::string>() == r.threads_reason);

  device::WorkloadHint bad;
  bad.memory_fraction = 1.5;
  test::expect_error<ConfigError>([&] { (void)optimizer.recommend(bad); }, "memory_fraction");
}

TEST_CASE("device: WorkloadHint JSON round trip", "[device][config]") {
  device::WorkloadHint hint;
  hint.n_features = 7;
  hint.bytes_per_value = 4;
  hint.memory_fraction = 0.5;
  hint.compute_bound = false;
  CHECK(config::from_json<device::WorkloadHint>(config::to_json(hint)) == hint);
}
