// SPDX-License-Identifier: Apache-2.0
// Achievable bandwidth of the memory a kernel streams from (stage 5): what the DRAM controllers
// sustain from the technology's timings (refresh, read/write bus turnarounds) and a residual
// scheduler fraction, bounded by the die-to-die fabric of a multi-die package when the memory is
// interleaved over stacks on several dies. On-chip backing stores (sram_only) stream at
// l2_efficiency of their peak (no refresh, no turnaround).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "xpusim/config/hardware_spec.h"
#include "xpusim/perf/calibration.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// The timings of a DRAM technology that cost a streaming kernel bandwidth (JEDEC figures as
// recalled, or estimates: every value and its status is in memory_system.cc).
struct DramTimings {
  std::string type;             // the technology these figures describe ("hbm3", ...)
  Seconds refresh_interval;     // tREFI: one refresh command per interval (<= 85 C)
  Seconds refresh_busy;         // tRFCpb: a bank refreshing is unavailable this long per tREFI
  Seconds turnaround;           // bus idle per write batch: write->read (tWTR_L) + read->write
  int burst_length = 0;         // beats per access (HBM2 4, HBM3 8, GDDR6/LPDDR5/DDR5 16)
  double stack_bits = 0;        // HBM: interface bits per stack (pin rate = peak / stacks / bits);
                                // 0 = the bus width is not derivable, use nominal_beat
  Seconds nominal_beat;         // one beat at the technology's usual pin rate (1 / Gb/s)
};

// The timings of `type`. An unknown type gets the documented default (the HBM3 figures) and
// `known` false, so callers can say so; never throws.
struct DramTimingsLookup {
  DramTimings timings;
  bool known = true;
};
DramTimingsLookup dram_timings(const std::string& type);

// Fraction of a bank-interleaved stream lost to refresh: tRFCpb / tREFI.
double refresh_loss(const DramTimings& t);

// Fraction of bus time lost to read/write turnarounds for a stream whose bytes are a fraction
// `write_fraction` writes, when the controller drains the minority direction in batches of
// `batch` (kWriteBatchBursts bursts of one channel, each `burst` long):
//   loss = T_ta / (T_ta + batch / min(w, 1 - w)),  0 for a read-only or write-only stream.
double turnaround_loss(Seconds turnaround, Seconds batch, double write_fraction);

struct MemoryBandwidth {
  BytesPerSecond achievable;               // read-only stream: min(controllers, fabric) >= 1 B/s
  BytesPerSecond controllers;              // peak x dram_efficiency x (1 - refresh_loss)
                                           // (l2_efficiency on chip)
  std::optional<BytesPerSecond> fabric;    // package bound: min(memory-die links, compute links);
                                           // absent for one die or no link data
  std::optional<BytesPerSecond> compute_links;  // compute dies' links to their I/O dies:
                                           // link_efficiency x n_compute x compute_link
  std::string fabric_kind;                 // the links that make `fabric`: "die_to_die" or
                                           // "compute_link" (empty without a fabric bound)
  int dies = 1;                            // dies the memory is interleaved over
  double mean_hops = 0;                    // die-to-die hops per byte (own die included, 0 hops)
  std::string binding = "controllers";     // "controllers", "die_to_die" (links between the
                                           // memory dies) or "compute_link" (read-only stream)
  double refresh_loss = 0;                 // fraction lost to refresh (0 on chip)
  Seconds turnaround;                      // per write batch (0 on chip)
  Seconds write_batch;                     // time one channel drains a write batch (0 on chip)
  std::string note;                        // e.g. an unknown DRAM type's default timings

  // The achievable bandwidth of a stream whose bytes are `write_fraction` writes (clamped to
  // 0..1): min(controllers x (1 - turnaround_loss), fabric), at least 1 B/s.
  [[nodiscard]] BytesPerSecond for_stream(double write_fraction) const;
  // Whether the package's links (`fabric`, of `fabric_kind`), not the controllers, set
  // for_stream(write_fraction).
  [[nodiscard]] bool fabric_binds(double write_fraction) const;
};

// A streaming kernel of a memory-bandwidth benchmark and the share of its bytes that are writes,
// which costs read/write turnarounds (MemoryBandwidth::for_stream). BabelStream (Deakin et al.,
// 2016; the kernels of STREAM, McCalpin 1995): copy c = a and mul b = s c read one array and
// write one (1/2); add c = a + b and triad a = b + s c read two and write one (1/3); dot reads
// two and writes nothing (0); nstream a += b + s c reads three and writes one (1/4, BabelStream
// 4.0 README, recalled). Plain read and write (init, fill) streams: 0 and 1.
struct StreamKernel {
  std::string_view name;
  double write_fraction = 0;
};
// Every kernel by name (BabelStream's first: copy, mul, add, triad, dot, nstream; then scale =
// mul, read, write, init, fill), and the one named `name` (case-sensitive), nullopt if none.
std::span<const StreamKernel> stream_kernels();
std::optional<StreamKernel> find_stream_kernel(std::string_view name);

// Mean die-to-die hops of a byte whose address is interleaved evenly over `dies` dies, read by a
// consumer on one of them: fully_connected (d-1)/d; ring: mean shortest distance on a d-cycle.
double mean_die_hops(int dies, const std::string& topology);

// Die boundaries a DRAM or LLC byte crosses on average in a package whose memory is interleaved
// over its memory dies: mean_die_hops(memory_dies, topology) links between them, plus one link
// from the compute die to its I/O die where the package has I/O dies. 0 and 0 for one die. The
// power model charges the first at physical.die_to_die.energy, the second at the bond's energy
// (area/power_model.cc; perf/sustained_clock.cc builds the activity).
struct DieCrossings {
  double between_memory_dies = 0;  // mean hops over the memory dies' links
  double compute_link = 0;         // 1 with I/O dies, else 0
  [[nodiscard]] double total() const { return between_memory_dies + compute_link; }
};
DieCrossings die_crossings_per_byte(const HardwareSpec& hw);

// The backing store's achievable streaming bandwidth. Controllers: peak x dram_efficiency (the
// residual scheduler fraction, calibration) x (1 - refresh_loss(type)); a stream with writes also
// loses turnaround_loss (for_stream). Fabric bound (interleaved memory, consumers spread evenly
// over the d dies): the package moves B x mean_hops link-bytes per second over d x F of
// die-to-die bandwidth (F per die and direction) reached at link_efficiency, so
// B <= link_efficiency x d x F / mean_hops. Compute-die links (packages with I/O dies whose
// compute dies describe physical.die_to_die.compute_link C): every byte a compute die streams
// crosses its own link once, the n compute dies sharing the stream evenly, so
// B <= link_efficiency x n x C. `fabric` is the smaller of the two.
MemoryBandwidth memory_bandwidth(const HardwareSpec& hw, const PerfCalibration& cal);

}  // namespace xpusim
