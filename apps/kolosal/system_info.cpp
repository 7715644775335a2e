// SPDX-License-Identifier: MIT
// `kolosal info --system`: what kolosal found on this machine and what it recommends.
#include <iomanip>

#include <nlohmann/json.hpp>

#include "kolosal/device/info.hpp"
#include "kolosal/device/optimizer.hpp"

#include "commands.hpp"

namespace kolosal::cli {
namespace {

std::string mib(std::uint64_t bytes) { return std::to_string((bytes + (1u << 19)) >> 20) + " MiB"; }

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out.empty() ? "(none)" : out;
}

}  // namespace

int run_system_info(bool json, std::ostream& out) {
  const device::DeviceInfo info = device::detect();
  const device::Recommendation advice = device::DeviceOptimizer(info).recommend();
  if (json) {
    nlohmann::json j = device::to_json(info);
    j["recommendation"] = device::to_json(advice);
    out << j.dump(2) << "\n";
    return 0;
  }
  const auto row = [&](const std::string& key, const std::string& value) {
    out << "  " << std::left << std::setw(16) << key << value << "\n";
  };
  out << "cpu\n";
  row("architecture", info.cpu.architecture);
  if (!info.cpu.brand.empty()) row("model", info.cpu.brand);
  row("features", join(info.cpu.names()));
  row("best simd", std::string(info.cpu.best_simd()));
  out << "topology\n";
  row("sockets", std::to_string(info.topology.sockets));
  row("cores", std::to_string(info.topology.physical_cores));
  row("logical cpus", std::to_string(info.topology.logical_cpus));
  row("affinity cpus", std::to_string(info.affinity_cpus));
  row("numa nodes", std::to_string(info.topology.numa_nodes));
  for (const auto& c : info.topology.caches) {
    row("L" + std::to_string(c.level) + " cache",
        std::to_string(c.size / 1024) + " KiB x " + std::to_string(c.instances));
  }
  out << "memory\n";
  row("total", mib(info.memory.total));
  row("available", mib(info.memory.available));
  if (info.memory.cgroup_limit) row("cgroup limit", mib(*info.memory.cgroup_limit));
  out << "gpus\n";
  if (info.gpus.empty()) row("(none)", "no GPU detected");
  for (const auto& g : info.gpus) {
    row(g.bus_id.empty() ? g.vendor : g.bus_id,
        g.name + (g.memory_total ? ", " + mib(g.memory_total) : std::string()) + " [" + g.source +
            "]");
  }
  out << "recommendation\n";
  row("threads", std::to_string(advice.threads) + "  (" + advice.threads_reason + ")");
  row("batch rows", std::to_string(advice.batch_rows) + "  (" + advice.batch_reason + ")");
  row("simd", advice.simd + "  (" + advice.simd_reason + ")");
  row("memory limit", mib(advice.memory_limit) + "  (" + advice.memory_reason + ")");
  return 0;
}

}  // namespace kolosal::cli
