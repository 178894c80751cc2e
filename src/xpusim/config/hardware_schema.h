// SPDX-License-Identifier: Apache-2.0
// The hardware/v1 schema: every field of HardwareSpec declared once (path, unit, range, meaning),
// the loader that turns a preset id or a YAML/JSON file plus --set overrides into a validated
// HardwareSpec, and the derived figures `xpusim show hardware` prints (peaks, ridge points).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/config/document.h"
#include "xpusim/config/hardware_spec.h"
#include "xpusim/config/precision.h"
#include "xpusim/config/schema.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

// Name and version the `schema:` key of a hardware file must carry.
inline constexpr const char* kHardwareSchemaName = "hardware/v1";

// Largest relative difference allowed between the peak derived from the architecture
// (units x engines x MACs/cycle x 2 x clock) and a published datasheet peak.
inline constexpr double kDatasheetPeakTolerance = 0.03;

// The schema (a process-wide constant built on first use).
const Schema<HardwareSpec>& hardware_schema();

// Loads "ID|FILE": a preset id is looked up under <data dir>/presets/hardware/; a path ending in
// .json is read as JSON, anything else as YAML. `overrides` are "dotted.path=value" assignments
// (the CLI's --set) applied before validation, so they obey the same rules as the file.
Result<HardwareSpec> load_hardware(const std::string& id_or_file,
                                   const std::vector<std::string>& overrides = {});

// The document load_hardware() validates, before overrides: what a design search copies and
// changes per design (dse/), so that each design is validated exactly as a file would be.
Result<Document> load_hardware_document(const std::string& id_or_file);

// Parses JSON text into a Document. Syntax errors carry the line and column computed from the
// parser's byte offset; keys carry their own line and column.
Result<Document> document_from_json(const std::string& text, const std::string& file);

// ---- Derived figures (pure functions of a validated spec) --------------------------------------

// Dense matrix-engine peak for `p` (zero when unsupported); same as peak_matrix_rate().
FlopRate peak_rate(const HardwareSpec& hw, Precision p);

// Roofline ridge point: the arithmetic intensity at which `p` math and the memory level take the
// same time (peak / bandwidth). Williams, Waterman, Patterson, "Roofline", CACM 2009. nullopt when
// the precision is unsupported or the level is absent.
std::optional<FlopPerByte> dram_ridge_point(const HardwareSpec& hw, Precision p);
std::optional<FlopPerByte> l2_ridge_point(const HardwareSpec& hw, Precision p);

// DRAM bytes available per FLOP at peak (the inverse of the DRAM ridge point).
std::optional<BytesPerFlop> dram_bytes_per_flop(const HardwareSpec& hw, Precision p);

// Register file and L1 of every unit plus L2 and LLC. Ignores smaller buffers (instruction
// caches, TMA descriptors, accumulators of systolic arrays) that the spec does not describe.
Bytes total_on_chip_sram(const HardwareSpec& hw);

// Where weights, KV cache and activations live between kernels: the device memory (DRAM), or,
// for sram_only designs (Groq LPU, Cerebras WSE), the last on-chip level -- LLC, else L2, else the
// L1 of every enabled unit together. Capacity binds the memory footprint, bandwidth the
// streaming of weights and KV (perf/). Bandwidth 0 only for a spec without any level (never
// for a validated sram_only spec).
struct BackingStore {
  std::string level;              // "dram", "llc", "l2" or "l1"
  Bytes capacity;                 // whole chip
  BytesPerSecond bandwidth;       // whole chip
  [[nodiscard]] bool on_chip() const { return level != "dram"; }
};
BackingStore backing_store(const HardwareSpec& hw);

// Aggregate bandwidth of a per-unit level (register file, L1) over all units.
BytesPerSecond total_level_bandwidth(const HardwareSpec& hw, const MemoryLevelSpec& per_unit);

// Transcendental (exp) results per second of the whole chip: units x per-unit rate x clock.
Hertz special_function_rate(const HardwareSpec& hw);

}  // namespace xpusim
