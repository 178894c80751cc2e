// SPDX-License-Identifier: Apache-2.0
// One broken file per rule under tests/data/bad/hardware/: the loader must name the place
// (file:line:column), the dotted path, the value given and what is allowed -- and the CLI must
// print the same text on stderr and exit with 1.
#include <string>

#include <gtest/gtest.h>

#include "cli_run.h"
#include "xpusim/config/hardware_schema.h"

namespace xpusim {
namespace {

const std::string kDir = std::string(XPUSIM_TEST_DATA_DIR) + "/bad/hardware/";

struct BadCase {
  const char* file;
  const char* message;  // the whole diagnostic after "<dir>/<file>"
};

const BadCase kCases[] = {
    {"malformed_yaml.yaml", ":8:8: malformed YAML: end of sequence flow not found"},
    {"empty.yaml", ": file is empty"},
    {"binary_garbage.yaml",
     ":1:1: binary content (control character \\x7f at byte 1); expected a YAML or JSON file"},
    {"missing_required.yaml",
     ": compute.clock: missing required key (a frequency such as \"1.98 GHz\": clock the matrix "
     "engines run at (boost))"},
    {"unknown_key.yaml", ":9:3: compute.untis: unknown key; did you mean \"compute.units\"?"},
    {"bare_number.yaml",
     ":20:5: memory.dram.bandwidth: expected a bandwidth such as \"3.35 TB/s\", got \"3.35\" (a "
     "unit is required)"},
    {"wrong_dimension.yaml",
     ":8:3: compute.clock: expected a frequency such as \"1.98 GHz\", got \"1.5 GB\" (that is a "
     "capacity)"},
    {"negative_capacity.yaml",
     ":19:5: memory.dram.capacity: value \"-80 GB\" is out of range; allowed: >= 0 GiB and <= 8192 "
     "GiB"},
    {"zero_capacity.yaml",
     ":18:5: memory.l2.capacity: value \"0 MiB\" is out of range; allowed: > 0 GiB and <= 8192 "
     "GiB"},
    {"clock_1thz.yaml",
     ":8:3: compute.clock: value \"1 THz\" is out of range; allowed: >= 0.001 GHz and <= 10 GHz "
     "(1 MHz to 10 GHz: no logic process clocks higher)"},
    {"duplicate_key.yaml",
     ":7:3: compute.units: duplicate key \"units\" (first at line 6, column 3)"},
    {"wrong_type.yaml", ":6:3: compute.units: expected an integer, got \"many\""},
    {"list_for_scalar.yaml",
     ":8:3: compute.clock: expected a frequency such as \"1.98 GHz\", got a list"},
    {"bad_enum.yaml",
     ":18:5: memory.dram.type: expected one of: hbm2, hbm2e, hbm3, hbm3e, hbm4, gddr6, gddr6x, "
     "gddr7, lpddr5, lpddr5x, ddr5, sram_only, got \"hmb3e\"; did you mean \"hbm3e\"?"},
    {"bad_node.yaml",
     ":23:5: physical.compute_die.node: expected one of: n16, n7, n6, n5, n4, n3, n2, "
     "got \"n8\"; did you mean \"n7\"?"},
    {"datasheet_mismatch.yaml",
     ":14:5: compute.datasheet_peak.bf16: derived bf16 peak 307.2 TFLOP/s (100 units x 4 engines "
     "x 256 MAC/cycle x 2 x 1.5 GHz) differs from the datasheet 400.0 TFLOP/s by 23.2%; allowed "
     "3%"},
    {"wrong_schema.yaml", ":1:1: schema: expected \"hardware/v1\", got \"hardware/v2\""},
    {"no_matrix_precision.yaml",
     ":9:3: compute.matrix: no precision has macs_per_cycle > 0; give at least one, e.g. "
     "compute.matrix.macs_per_cycle.bf16"},
    {"level_without_bandwidth.yaml",
     ":18:5: memory.l2.capacity: the level has a capacity but no memory.l2.bandwidth; give both "
     "or neither"},
    {"tier_missing_domain.yaml",
     ":24:5: interconnect.scale_up.bandwidth: the tier is present but "
     "interconnect.scale_up.domain_size is missing; it is required for a present tier"},
    {"in_network_on_mesh.yaml",
     ":28:5: interconnect.scale_up.in_network_reduction: true, but "
     "interconnect.scale_up.topology is \"fully_connected\"; only a switched tier has switches "
     "that reduce (give topology: switched, or false)"},
    {"units_on_die_below_units.yaml",
     ":7:3: compute.units_on_die: 96 units on the die is fewer than the 100 enabled units "
     "(compute.units); must be >= 100"},
    {"links_on_die_below_links.yaml",
     ":26:5: interconnect.scale_up.links_on_die: 12 link ports on the die is fewer than the 18 "
     "links the tier uses (interconnect.scale_up.links); must be >= 18"},
    {"port_family_without_links_on_die.yaml",
     ":26:5: interconnect.scale_up.port_family: names the family of the link ports on the die but "
     "interconnect.scale_up.links_on_die (how many) is not given; give both or neither"},
    {"sites_below_stacks.yaml",
     ":20:5: memory.dram.sites: 4 HBM sites is fewer than the 5 stacks (memory.dram.stacks); must "
     "be >= 5"},
    {"sram_only_with_capacity.yaml",
     ":22:5: memory.dram.capacity: must be 0 for dram type sram_only (no device memory; weights "
     "live in the last on-chip level)"},
    {"sram_only_without_level.yaml",
     ":18:5: memory.dram.type: sram_only needs an on-chip level to hold the weights: give "
     "memory.l2 (or memory.l1 per unit, or memory.llc)"},
    {"array_without_level.yaml",
     ":18:5: memory.l2.array: given without memory.l2.capacity (a level is present iff its "
     "capacity is given)"},
    {"banks_without_register_file.yaml",
     ":18:5: memory.register_file.banks: given without memory.register_file.capacity (a level "
     "is present iff its capacity is given)"},
    {"malformed_json.json",
     ":4:30: malformed JSON: syntax error while parsing object key - unexpected '}'; expected "
     "string literal"},
};

TEST(HardwareBadInput, EachRuleHasItsExactMessage) {
  for (const auto& c : kCases) {
    auto hw = load_hardware(kDir + c.file);
    ASSERT_FALSE(hw) << c.file << " should be rejected";
    ASSERT_EQ(hw.error().size(), 1u) << c.file << ":\n" << to_string(hw.error());
    EXPECT_EQ(hw.error()[0].to_string(), kDir + c.file + c.message) << c.file;
  }
}

TEST(HardwareBadInput, UnknownPresetSuggestsAndListsKnownIds) {
  auto hw = load_hardware("h100-sxm5-80gb");
  ASSERT_FALSE(hw);
  const std::string msg = to_string(hw.error());
  EXPECT_EQ(msg.rfind("unknown hardware preset \"h100-sxm5-80gb\"; did you mean \"h100-sxm-80gb\"? Known: "
                      "a100-pcie-80gb, a100-sxm-80gb, b200-sxm-180gb,",
                      0),
            0u)
      << msg;
  EXPECT_NE(msg.find("tpu-v5p"), std::string::npos) << msg;
  auto missing = load_hardware(kDir + "no_such_file.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error()[0].to_string(), kDir + "no_such_file.yaml: no such file");
}

using testing::run;

TEST(HardwareCli, BadFilesExitWithOneAndPrintTheDiagnostic) {
  for (const auto& c : kCases) {
    auto r = run("show hardware '" + kDir + c.file + "'", /*stderr_only=*/true);
    EXPECT_EQ(r.code, 1) << c.file << "\n" << r.out;
    EXPECT_EQ(r.out, "error: " + kDir + c.file + c.message + "\n") << c.file;
  }
}

TEST(HardwareCli, UnknownPresetAndBadOverride) {
  auto r = run("show hardware h100-sxm5-80gb", /*stderr_only=*/true);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("error: unknown hardware preset \"h100-sxm5-80gb\"; did you mean "
                          "\"h100-sxm-80gb\"? Known: a100-pcie-80gb"),
            std::string::npos)
      << r.out;
  r = run("--set compute.clock=1THz show hardware h100-sxm-80gb", /*stderr_only=*/true);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out,
            "error: <command line>: compute.clock: value \"1THz\" is out of range; allowed: >= "
            "0.001 GHz and <= 10 GHz (1 MHz to 10 GHz: no logic process clocks higher)\n");
}

TEST(HardwareCli, ListShowDescribe) {
  auto list = run("list hardware --format csv");
  ASSERT_EQ(list.code, 0) << list.out;
  EXPECT_EQ(list.out.rfind("id,name,vendor,bf16_tflops,fp8_tflops,dram_gib,dram_tb_s\n", 0), 0u);
  // the JSON's figures by the significant-figure rule (report/result_fields.h)
  EXPECT_NE(list.out.find("\nh100-sxm-80gb,NVIDIA H100 SXM5 80GB,NVIDIA,989.4,1979,79.65,3.350\n"),
            std::string::npos)
      << list.out;

  auto show = run("--set memory.dram.bandwidth=4TB/s show hardware h100-sxm-80gb --format json");
  ASSERT_EQ(show.code, 0) << show.out;
  for (const char* key :
       {"\"peak_tflops\": {", "\"bf16\": 989.43", "\"dram_bandwidth_gbs\": 4000.0",
        "\"dram_capacity_bytes\": 85520809984.0", "\"ridge_flop_per_byte\": {",
        "\"bytes_per_flop\": {", "\"on_chip_sram_bytes\":", "\"ridge_l2_flop_per_byte\": {"})
    EXPECT_NE(show.out.find(key), std::string::npos) << key << "\n" << show.out;

  auto describe = run("describe hardware");
  ASSERT_EQ(describe.code, 0);
  for (const auto& f : hardware_schema().fields())
    EXPECT_NE(describe.out.find(f.path), std::string::npos) << f.path;
  auto describe_json = run("describe hardware --format json");
  ASSERT_EQ(describe_json.code, 0);
  EXPECT_NE(describe_json.out.find("\"path\": \"compute.matrix.macs_per_cycle.fp8\""),
            std::string::npos);
}

}  // namespace
}  // namespace xpusim
