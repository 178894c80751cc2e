// SPDX-License-Identifier: Apache-2.0
// The memory system a kernel streams from (perf/memory_system.h). Three mechanisms, each one
// global rule:
//
// 1. Refresh. Every bank must be refreshed once per tREFI (3.9 us at <= 85 C for HBM, LPDDR5 and
//    DDR5; GDDR6 refreshes twice as often). HBM, GDDR6, LPDDR5 and DDR5 all define a per-bank
//    (same-bank) refresh that controllers use so the other banks keep serving: a refreshing bank
//    is unavailable for tRFCpb per tREFI, and a stream spread evenly over the banks loses that
//    share, tRFCpb / tREFI (an upper estimate: a deep queue can lend the lost slots to other
//    banks). All-bank refresh would cost tRFCab / tREFI (HBM2 8 Gb: 350 ns / 3.9 us = 9%), more
//    than streaming kernels lose in total, so it is not what the controllers run.
// 2. Read/write turnaround. The data bus idles when it changes direction: write->read costs
//    tWTR_L after the last write's data, read->write the read latency minus the write latency
//    plus a burst and bus turn-around cycles. Controllers buffer writes and drain them in
//    batches (high/low watermarks of a write queue, Stuecheli et al., "The Virtual Write Queue",
//    ISCA 2010), so one turnaround pair is paid per batch: for a stream whose bytes are a
//    fraction w writes, batches of the minority direction of duration T_b each bring T_b / w
//    (or T_b / (1 - w)) of data time, loss = T_ta / (T_ta + T_b / min(w, 1 - w)). A read-only
//    stream (LLM decode: weights and KV) pays none; BabelStream copy (w = 1/2) and triad (1/3)
//    do. T_b = kWriteBatchBursts bursts of one channel; a burst is burst_length beats at the pin
//    rate, which for HBM follows from the description (peak / (stacks x 1024 bits)), so faster
//    pins spend relatively more time turning the bus around.
// 3. Residual (calibration dram_efficiency, set): what the controllers lose beyond 1 and 2 --
//    row-buffer misses of streams interleaved over many banks, activation-rate limits (tFAW),
//    queue and scheduler effects -- one number for every chip.
//
// Then the package: with addresses interleaved over the stacks of every memory die (AMD NPS1,
// the default on MI300X; B200's one unified memory), a die finds 1/d of its bytes local and
// (d-1)/d behind the die-to-die links, so those links bound the achievable DRAM bandwidth when
// they are narrower than the memory. Where compute dies sit on I/O dies (MI300), every byte also
// crosses the compute die's own link to its I/O die (physical.die_to_die.compute_link), once
// per byte whatever the interleaving: n compute links bound the stream too. Ignored: NUMA-aware
// placement (NPS4 / CPX partition modes keep traffic local), L2 traffic across the dies of a split
// L2 (B200), congestion from collectives crossing the same fabric, temperature-doubled refresh
// above 85 C, ECC.
#include "xpusim/perf/memory_system.h"

#include <algorithm>
#include <array>

#include "xpusim/base/text.h"
#include "xpusim/config/hardware_schema.h"

namespace xpusim {

namespace {

// Writes a controller drains per direction switch, in bursts of one (pseudo-)channel: 64 bursts
// of 32 B = 2 KiB, about one HBM3 pseudo-channel page, the order of a write queue's watermark
// gap (32-64 entries per channel in published controller designs, e.g. Stuecheli et al. ISCA
// 2010; GPU controllers publish none). An assumption, not fitted: the public measurements have
// no write-heavy stream that could constrain it.
constexpr double kWriteBatchBursts = 64;

// Per technology. Status of every figure: "recalled" = a JEDEC / datasheet value remembered, not
// checked here (no standard is reachable from this machine); "estimate" = derived or assumed.
//  tREFI: 3.9 us for HBM2/2E/3/3E/4 (JESD235/238), LPDDR5 (3.904 us, JESD209-5) and DDR5
//    (JESD79-5), recalled; GDDR6/6X/7 1.9 us (32 ms / 16K refreshes, JESD250), recalled.
//  tRFCpb: HBM2/2E 160 ns (REFSB, 8 Gb die), recalled; HBM3 160 ns (REFpb, 16 Gb), estimate
//    (kept at HBM2's); HBM3E/HBM4 190 ns, estimate (24-32 Gb dies refresh more rows per command);
//    LPDDR5 140 ns (16 Gb), recalled; DDR5 130 ns (tRFCsb 16 Gb), recalled; GDDR6 110 ns,
//    estimate (about half its all-bank tRFC, as for the others).
//  turnaround (tWTR_L + read->write gap): HBM 11-12 ns, GDDR6 12 ns, DDR5 15 ns, LPDDR5 18 ns:
//    estimates from tWTR_L of 7.5-10 ns (recalled DDR4/DDR5/HBM2 values) plus RL - WL + BL/2 + 2
//    clocks of read->write.
//  burst length and pin rate: HBM2/2E BL4 on 64-bit pseudo-channels, HBM3/3E BL8 on 32-bit
//    pseudo-channels (32 B per access), 1024 bits per stack (HBM4 2048), recalled; GDDR6 BL16 on
//    16-bit channels, LPDDR5 BL16, DDR5 BL16 on 32-bit sub-channels, recalled. Nominal pin rates
//    (used where the bus width cannot be derived): HBM2 2.4, HBM2E 3.6, HBM3 6.4, HBM3E 9.2,
//    HBM4 8, GDDR6 18, GDDR6X 21, GDDR7 32, LPDDR5 6.4, LPDDR5X 8.533, DDR5 5.6 Gb/s, recalled.
struct Row {
  const char* type;
  double trefi_ns, trfcpb_ns, turnaround_ns;
  int burst_length;
  double stack_bits, pin_gbps;
};
constexpr std::array<Row, 11> kTimings = {{
    {"hbm2", 3900, 160, 12, 4, 1024, 2.4},
    {"hbm2e", 3900, 160, 12, 4, 1024, 3.6},
    {"hbm3", 3900, 160, 11, 8, 1024, 6.4},
    {"hbm3e", 3900, 190, 11, 8, 1024, 9.2},
    {"hbm4", 3900, 190, 11, 8, 2048, 8.0},
    {"gddr6", 1900, 110, 12, 16, 0, 18.0},
    {"gddr6x", 1900, 110, 12, 16, 0, 21.0},
    {"gddr7", 1900, 110, 12, 16, 0, 32.0},
    {"lpddr5", 3904, 140, 18, 16, 0, 6.4},
    {"lpddr5x", 3904, 140, 18, 16, 0, 8.533},
    {"ddr5", 3900, 130, 15, 16, 0, 5.6},
}};
// The default for a type without figures: HBM3's (the most common technology of the presets).
constexpr std::size_t kDefaultRow = 2;

DramTimings from_row(const Row& r) {
  DramTimings t;
  t.type = r.type;
  t.refresh_interval = units::ns(r.trefi_ns);
  t.refresh_busy = units::ns(r.trfcpb_ns);
  t.turnaround = units::ns(r.turnaround_ns);
  t.burst_length = r.burst_length;
  t.stack_bits = r.stack_bits;
  t.nominal_beat = units::ns(1.0 / r.pin_gbps);
  return t;
}

}  // namespace

DramTimingsLookup dram_timings(const std::string& type) {
  for (const Row& r : kTimings)
    if (ascii_iequals(type, r.type)) return {from_row(r), true};
  return {from_row(kTimings[kDefaultRow]), false};
}

double refresh_loss(const DramTimings& t) {
  if (!(t.refresh_interval.value() > 0)) return 0.0;
  return std::clamp(t.refresh_busy.value() / t.refresh_interval.value(), 0.0, 1.0);
}

double turnaround_loss(Seconds turnaround, Seconds batch, double write_fraction) {
  if (!(write_fraction > 0) || !(write_fraction < 1)) return 0.0;  // one direction, or NaN
  const double minority = std::min(write_fraction, 1.0 - write_fraction);
  const double ta = std::max(turnaround.value(), 0.0);
  const double data = std::max(batch.value(), 0.0) / minority;
  if (!(ta + data > 0)) return 0.0;
  return ta / (ta + data);
}

BytesPerSecond MemoryBandwidth::for_stream(double write_fraction) const {
  const double w = std::clamp(write_fraction > 0 ? write_fraction : 0.0, 0.0, 1.0);
  double b = controllers.value() * (1.0 - turnaround_loss(turnaround, write_batch, w));
  if (fabric) b = std::min(b, fabric->value());
  return BytesPerSecond(std::max(b, 1.0));
}

std::span<const StreamKernel> stream_kernels() {
  static constexpr StreamKernel kKernels[] = {{"copy", 0.5},      {"mul", 0.5},  {"add", 1 / 3.0},
                                              {"triad", 1 / 3.0}, {"dot", 0.0},  {"nstream", 0.25},
                                              {"scale", 0.5},     {"read", 0.0}, {"write", 1.0},
                                              {"init", 1.0},      {"fill", 1.0}};
  return kKernels;
}

std::optional<StreamKernel> find_stream_kernel(std::string_view name) {
  for (const StreamKernel& k : stream_kernels())
    if (k.name == name) return k;
  return std::nullopt;
}

bool MemoryBandwidth::fabric_binds(double write_fraction) const {
  return fabric && fabric->value() <= for_stream(write_fraction).value();
}

double mean_die_hops(int dies, const std::string& topology) {
  const double d = std::max(1, dies);
  if (topology == "ring") {
    // Shortest distances on a d-cycle, summed over the d homes: d^2/4 (d even), (d^2-1)/4 (odd).
    const double sum = dies % 2 == 0 ? d * d / 4.0 : (d * d - 1.0) / 4.0;
    return sum / d;
  }
  return (d - 1.0) / d;
}

DieCrossings die_crossings_per_byte(const HardwareSpec& hw) {
  DieCrossings c;
  c.between_memory_dies = mean_die_hops(memory_dies(hw), hw.physical.die_to_die.topology);
  c.compute_link = hw.physical.io_die.count > 0 ? 1.0 : 0.0;
  return c;
}

MemoryBandwidth memory_bandwidth(const HardwareSpec& hw, const PerfCalibration& cal) {
  MemoryBandwidth r;
  const BackingStore store = backing_store(hw);
  double efficiency = cal.l2_efficiency;
  if (!store.on_chip()) {
    const DramTimingsLookup lookup = dram_timings(hw.memory.dram.type);
    const DramTimings& t = lookup.timings;
    if (!lookup.known)
      r.note = "no DRAM timings for memory.dram.type '" + hw.memory.dram.type + "': the " + t.type +
               " figures are used (perf/memory_system.cc)";
    r.refresh_loss = refresh_loss(t);
    efficiency = cal.dram_efficiency * (1.0 - r.refresh_loss);
    // One beat: from the described bus (HBM: stacks x interface bits) where there is one, else
    // the technology's nominal pin rate.
    Seconds beat = t.nominal_beat;
    const double bus_bits = t.stack_bits * hw.memory.dram.stacks;
    if (bus_bits > 0 && store.bandwidth.value() > 0)
      beat = Seconds(bus_bits / (store.bandwidth.value() * 8.0));
    r.turnaround = t.turnaround;
    r.write_batch = beat * (kWriteBatchBursts * t.burst_length);
  }
  r.controllers = BytesPerSecond(std::max(store.bandwidth.value() * efficiency, 1.0));
  r.achievable = r.controllers;
  r.dies = memory_dies(hw);
  const auto& link = hw.physical.die_to_die;
  r.mean_hops = mean_die_hops(r.dies, link.topology);
  std::string fabric_binding;
  if (r.dies >= 2 && link.bandwidth && r.mean_hops > 0) {
    r.fabric = *link.bandwidth * (cal.link_efficiency * r.dies / r.mean_hops);
    fabric_binding = "die_to_die";
  }
  // Compute dies on I/O dies (MI300: each XCD on its IOD): whatever the memory dies' links carry,
  // every byte a compute die streams crosses its own link to its I/O die, and the stream is
  // spread evenly over the n compute dies (the perf models dispatch work evenly over them).
  if (hw.physical.io_die.count > 0 && link.compute_link && !store.on_chip()) {
    const double n = std::max(1, hw.physical.compute_die.count);
    r.compute_links = *link.compute_link * (cal.link_efficiency * n);
    if (!r.fabric || *r.compute_links < *r.fabric) {
      r.fabric = r.compute_links;
      fabric_binding = "compute_link";
    }
  }
  r.fabric_kind = fabric_binding;
  if (r.fabric && *r.fabric < r.achievable) {
    r.achievable = BytesPerSecond(std::max(r.fabric->value(), 1.0));
    r.binding = fabric_binding;
  }
  return r;
}

}  // namespace xpusim
