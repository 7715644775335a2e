// SPDX-License-Identifier: MIT
// Device detection: cpuid/xgetbv or getauxval for CPU features, hwloc for topology, procfs and
// cgroup files for memory, procfs and a run-time-loaded NVML for GPUs.
#include "kolosal/device/info.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
#include <fstream>
#include <hwloc.h>
#include <sched.h>
#include <sstream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define KOLOSAL_DEVICE_X86 1
#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

#include "kolosal/core/error.hpp"

namespace kolosal::device {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(begin, end - begin + 1));
}

#ifdef KOLOSAL_DEVICE_X86
// XCR0 through the raw instruction: the _xgetbv intrinsic needs -mxsave on the whole file.
std::uint64_t read_xcr0() {
  std::uint32_t eax = 0;
  std::uint32_t edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<std::uint64_t>(edx) << 32) | eax;
}

void detect_x86(CpuFeatures& f) {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0, &eax, &ebx, &ecx, &edx) == 0) return;
  const unsigned max_leaf = eax;
  char vendor[13] = {};
  std::memcpy(vendor, &ebx, 4);
  std::memcpy(vendor + 4, &edx, 4);
  std::memcpy(vendor + 8, &ecx, 4);
  f.vendor = vendor;

  __get_cpuid(1, &eax, &ebx, &ecx, &edx);
  const auto bit = [](unsigned reg, int n) { return ((reg >> n) & 1U) != 0; };
  f.sse2 = bit(edx, 26);
  f.sse3 = bit(ecx, 0);
  f.ssse3 = bit(ecx, 9);
  f.sse4_1 = bit(ecx, 19);
  f.sse4_2 = bit(ecx, 20);
  f.popcnt = bit(ecx, 23);
  // AVX registers are usable only when the OS saves their state: OSXSAVE set and XCR0 has the
  // SSE and AVX bits (Intel SDM vol. 1, 14.3); AVX-512 also needs the opmask/ZMM bits 5-7.
  const bool osxsave = bit(ecx, 27);
  const std::uint64_t xcr0 = osxsave ? read_xcr0() : 0;
  const bool avx_state = (xcr0 & 0x6) == 0x6;
  const bool avx512_state = avx_state && (xcr0 & 0xE0) == 0xE0;
  f.avx = avx_state && bit(ecx, 28);
  f.fma = f.avx && bit(ecx, 12);
  f.f16c = f.avx && bit(ecx, 29);

  if (max_leaf >= 7) {
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    const unsigned subleaves = eax;
    f.bmi1 = bit(ebx, 3);
    f.bmi2 = bit(ebx, 8);
    f.avx2 = f.avx && bit(ebx, 5);
    f.avx512f = avx512_state && bit(ebx, 16);
    f.avx512dq = f.avx512f && bit(ebx, 17);
    f.avx512cd = f.avx512f && bit(ebx, 28);
    f.avx512bw = f.avx512f && bit(ebx, 30);
    f.avx512vl = f.avx512f && bit(ebx, 31);
    f.avx512_vnni = f.avx512f && bit(ecx, 11);
    if (subleaves >= 1) {
      __cpuid_count(7, 1, eax, ebx, ecx, edx);
      f.avx512_bf16 = f.avx512f && bit(eax, 5);
    }
  }

  __get_cpuid(0x80000000, &eax, &ebx, &ecx, &edx);
  if (eax >= 0x80000004) {
    char brand[49] = {};
    for (unsigned i = 0; i < 3; ++i) {
      __get_cpuid(0x80000002 + i, &eax, &ebx, &ecx, &edx);
      std::memcpy(brand + 16 * i, &eax, 4);
      std::memcpy(brand + 16 * i + 4, &ebx, 4);
      std::memcpy(brand + 16 * i + 8, &ecx, 4);
      std::memcpy(brand + 16 * i + 12, &edx, 4);
    }
    f.brand = trim(brand);
  }
}
#endif

CpuFeatures detect_cpu() {
  CpuFeatures f;
#if defined(__x86_64__)
  f.architecture = "x86_64";
#elif defined(__i386__)
  f.architecture = "x86";
#elif defined(__aarch64__)
  f.architecture = "aarch64";
#else
  f.architecture = "unknown";
#endif
#ifdef KOLOSAL_DEVICE_X86
  detect_x86(f);
#elif defined(__aarch64__)
  const unsigned long hwcap = getauxval(AT_HWCAP);
  f.neon = (hwcap & HWCAP_ASIMD) != 0;
#ifdef HWCAP_SVE
  f.sve = (hwcap & HWCAP_SVE) != 0;
#endif
#endif
  return f;
}

// RAII for an hwloc topology.
class HwlocTopology {
 public:
  HwlocTopology() {
    if (hwloc_topology_init(&topo_) != 0) return;
    if (hwloc_topology_load(topo_) != 0) {
      hwloc_topology_destroy(topo_);
      return;
    }
    loaded_ = true;
  }
  HwlocTopology(const HwlocTopology&) = delete;
  HwlocTopology& operator=(const HwlocTopology&) = delete;
  ~HwlocTopology() {
    if (loaded_) hwloc_topology_destroy(topo_);
  }
  [[nodiscard]] bool loaded() const { return loaded_; }
  [[nodiscard]] hwloc_topology_t get() const { return topo_; }

 private:
  hwloc_topology_t topo_{};
  bool loaded_ = false;
};

Topology detect_topology() {
  Topology t;
  HwlocTopology topo;
  KOLOSAL_CHECK(topo.loaded(), UnsupportedError, "device::topology: hwloc could not load the ",
                "machine topology");
  const auto count = [&](hwloc_obj_type_t type) {
    return std::max(0, hwloc_get_nbobjs_by_type(topo.get(), type));
  };
  t.sockets = std::max(1, count(HWLOC_OBJ_PACKAGE));
  t.logical_cpus = std::max(1, count(HWLOC_OBJ_PU));
  t.physical_cores = std::max(1, count(HWLOC_OBJ_CORE));
  t.numa_nodes = std::max(1, count(HWLOC_OBJ_NUMANODE));
  const hwloc_obj_type_t levels[] = {HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE,
                                     HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L5CACHE};
  for (int i = 0; i < 5; ++i) {
    const int n = count(levels[i]);
    if (n == 0) continue;
    const hwloc_obj_t obj = hwloc_get_obj_by_type(topo.get(), levels[i], 0);
    if (obj == nullptr || obj->attr == nullptr) continue;
    if (obj->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION) continue;
    t.caches.push_back(CacheLevel{static_cast<int>(obj->attr->cache.depth), obj->attr->cache.size,
                                  obj->attr->cache.linesize, static_cast<std::uint32_t>(n)});
  }
  return t;
}

std::uint64_t to_u64(std::string_view digits, bool& ok) {
  std::uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  ok = ec == std::errc() && ptr == digits.data() + digits.size();
  return value;
}

// The cgroup v2 directory of this process, from the "0::/path" line of /proc/self/cgroup.
std::string cgroup_v2_dir() {
  std::istringstream lines(read_text("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("0::", 0) == 0) return "/sys/fs/cgroup" + line.substr(3);
  }
  return "/sys/fs/cgroup";
}

std::vector<GpuInfo> gpus_from_nvml() {
  std::vector<GpuInfo> out;
  void* lib = ::dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) return out;
  using InitFn = int (*)();
  using CountFn = int (*)(unsigned*);
  using HandleFn = int (*)(unsigned, void**);
  using NameFn = int (*)(void*, char*, unsigned);
  struct NvmlMemory {
    unsigned long long total, free, used;
  };
  using MemoryFn = int (*)(void*, NvmlMemory*);
  const auto sym = [&](const char* name) { return ::dlsym(lib, name); };
  const auto init = reinterpret_cast<InitFn>(sym("nvmlInit_v2"));
  const auto shutdown = reinterpret_cast<InitFn>(sym("nvmlShutdown"));
  const auto get_count = reinterpret_cast<CountFn>(sym("nvmlDeviceGetCount_v2"));
  const auto get_handle = reinterpret_cast<HandleFn>(sym("nvmlDeviceGetHandleByIndex_v2"));
  const auto get_name = reinterpret_cast<NameFn>(sym("nvmlDeviceGetName"));
  const auto get_memory = reinterpret_cast<MemoryFn>(sym("nvmlDeviceGetMemoryInfo"));
  if (init && shutdown && get_count && get_handle && get_name && init() == 0) {
    unsigned n = 0;
    if (get_count(&n) == 0) {
      for (unsigned i = 0; i < n; ++i) {
        void* handle = nullptr;
        if (get_handle(i, &handle) != 0) continue;
        GpuInfo gpu{"nvidia", "", "", 0, "nvml"};
        char name[96] = {};
        if (get_name(handle, name, sizeof name) == 0) gpu.name = name;
        NvmlMemory memory{};
        if (get_memory && get_memory(handle, &memory) == 0) gpu.memory_total = memory.total;
        out.push_back(std::move(gpu));
      }
    }
    shutdown();
  }
  ::dlclose(lib);
  return out;
}

std::vector<GpuInfo> gpus_from_procfs() {
  std::vector<GpuInfo> out;
  const std::string root = "/proc/driver/nvidia/gpus";
  DIR* dir = ::opendir(root.c_str());
  if (dir == nullptr) return out;
  std::vector<std::string> buses;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') buses.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::sort(buses.begin(), buses.end());
  for (const auto& bus : buses) {
    GpuInfo gpu{"nvidia", "", bus, 0, "procfs"};
    std::istringstream lines(read_text(root + "/" + bus + "/information"));
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("Model:", 0) == 0) gpu.name = trim(std::string_view(line).substr(6));
    }
    out.push_back(std::move(gpu));
  }
  return out;
}

}  // namespace

std::vector<std::string> CpuFeatures::names() const {
  const std::pair<bool, const char*> all[] = {{sse2, "sse2"},
                                              {sse3, "sse3"},
                                              {ssse3, "ssse3"},
                                              {sse4_1, "sse4.1"},
                                              {sse4_2, "sse4.2"},
                                              {popcnt, "popcnt"},
                                              {avx, "avx"},
                                              {avx2, "avx2"},
                                              {fma, "fma"},
                                              {f16c, "f16c"},
                                              {bmi1, "bmi1"},
                                              {bmi2, "bmi2"},
                                              {avx512f, "avx512f"},
                                              {avx512cd, "avx512cd"},
                                              {avx512bw, "avx512bw"},
                                              {avx512dq, "avx512dq"},
                                              {avx512vl, "avx512vl"},
                                              {avx512_vnni, "avx512_vnni"},
                                              {avx512_bf16, "avx512_bf16"},
                                              {neon, "neon"},
                                              {sve, "sve"}};
  std::vector<std::string> out;
  for (const auto& [present, name] : all) {
    if (present) out.emplace_back(name);
  }
  return out;
}

std::string_view CpuFeatures::best_simd() const noexcept {
  if (avx512f && avx512bw && avx512vl && avx512dq) return "avx512";
  if (avx2 && fma) return "avx2";
  if (avx) return "avx";
  if (sse4_2) return "sse4.2";
  if (sse2) return "sse2";
  if (neon) return "neon";
  return "scalar";
}

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect_cpu();
  return features;
}

std::uint64_t Topology::cache_size(int level) const noexcept {
  for (const auto& c : caches) {
    if (c.level == level) return c.size;
  }
  return 0;
}

const Topology& topology() {
  static const Topology t = detect_topology();
  return t;
}

std::optional<std::uint64_t> parse_meminfo(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') {
      continue;
    }
    std::string value = trim(line.substr(key.size() + 1));
    std::uint64_t scale = 1;
    if (value.size() > 3 && value.substr(value.size() - 3) == " kB") {
      scale = 1024;
      value.resize(value.size() - 3);
    }
    bool ok = false;
    const std::uint64_t n = to_u64(value, ok);
    if (ok) return n * scale;
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_cgroup_limit(std::string_view text) {
  const std::string value = trim(text);
  if (value.empty() || value == "max") return std::nullopt;
  bool ok = false;
  const std::uint64_t n = to_u64(value, ok);
  // cgroup v1 writes "no limit" as a huge page-aligned number near 2^63.
  if (!ok || n >= (std::uint64_t{1} << 60)) return std::nullopt;
  return n;
}

MemoryInfo memory_info() {
  MemoryInfo m;
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (pages > 0 && page_size > 0) {
    m.total = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page_size);
  }
  const std::string meminfo = read_text("/proc/meminfo");
  if (m.total == 0) m.total = parse_meminfo(meminfo, "MemTotal").value_or(0);
  m.available = parse_meminfo(meminfo, "MemAvailable")
                    .value_or(parse_meminfo(meminfo, "MemFree").value_or(m.total));

  // cgroup v2 first, then v1.
  std::optional<std::uint64_t> limit;
  std::optional<std::uint64_t> usage;
  const std::string v2 = cgroup_v2_dir();
  if (const std::string text = read_text(v2 + "/memory.max"); !text.empty()) {
    limit = parse_cgroup_limit(text);
    usage = parse_cgroup_limit(read_text(v2 + "/memory.current"));
  } else if (const std::string v1 = read_text("/sys/fs/cgroup/memory/memory.limit_in_bytes");
             !v1.empty()) {
    limit = parse_cgroup_limit(v1);
    usage = parse_cgroup_limit(read_text("/sys/fs/cgroup/memory/memory.usage_in_bytes"));
  }
  m.limit = m.total;
  if (limit && *limit < m.total) {
    m.cgroup_limit = limit;
    m.limit = *limit;
    const std::uint64_t used = std::min(usage.value_or(0), *limit);
    m.available = std::min(m.available, *limit - used);
  }
  m.available = std::min(m.available, m.limit);
  return m;
}

std::vector<GpuInfo> gpus() {
  std::vector<GpuInfo> from_nvml = gpus_from_nvml();
  std::vector<GpuInfo> from_procfs = gpus_from_procfs();
  if (from_nvml.empty()) return from_procfs;
  // NVML enumerates in PCI bus order, as the sorted procfs directories do.
  if (from_procfs.size() == from_nvml.size()) {
    for (std::size_t i = 0; i < from_nvml.size(); ++i) from_nvml[i].bus_id = from_procfs[i].bus_id;
  }
  return from_nvml;
}

int affinity_cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return std::max(1, CPU_COUNT(&set));
}

DeviceInfo detect() {
  return DeviceInfo{cpu_features(), topology(), memory_info(), affinity_cpu_count(), gpus()};
}

nlohmann::json to_json(const DeviceInfo& info) {
  using nlohmann::json;
  const CpuFeatures& c = info.cpu;
  json cpu{{"architecture", c.architecture},
           {"vendor", c.vendor},
           {"brand", c.brand},
           {"features", c.names()},
           {"best_simd", c.best_simd()}};
  json caches = json::array();
  for (const auto& level : info.topology.caches) {
    caches.push_back({{"level", level.level},
                      {"size", level.size},
                      {"line", level.line},
                      {"instances", level.instances}});
  }
  json topology{{"sockets", info.topology.sockets},
                {"physical_cores", info.topology.physical_cores},
                {"logical_cpus", info.topology.logical_cpus},
                {"numa_nodes", info.topology.numa_nodes},
                {"affinity_cpus", info.affinity_cpus},
                {"caches", caches}};
  json memory{
      {"total", info.memory.total},
      {"available", info.memory.available},
      {"limit", info.memory.limit},
      {"cgroup_limit", info.memory.cgroup_limit ? json(*info.memory.cgroup_limit) : json(nullptr)}};
  json gpu_list = json::array();
  for (const auto& g : info.gpus) {
    gpu_list.push_back({{"vendor", g.vendor},
                        {"name", g.name},
                        {"bus_id", g.bus_id},
                        {"memory_total", g.memory_total},
                        {"source", g.source}});
  }
  return json{{"cpu", cpu}, {"topology", topology}, {"memory", memory}, {"gpus", gpu_list}};
}

}  // namespace kolosal::device
