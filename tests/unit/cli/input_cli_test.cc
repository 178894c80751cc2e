// SPDX-License-Identifier: Apache-2.0
// Hostile input at the command line (issue 10, reading and plumbing): files refused by kind,
// size and content; streamed CSVs checked header first; duplicate keys and ids; mistyped
// subcommands; output that cannot be written. Each case: the exit code and the message.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "cli_run.h"
#include "temp_dir.h"

namespace xpusim {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;

using testing::TempDir;

// Runs `xpusim <args>` and expects exit 1 with `message` in stderr.
void expect_bad(const std::string& args, const std::string& message) {
  SCOPED_TRACE(args);
  CliRun r = testing::run(args, true);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(message), std::string::npos) << "stderr: " << r.out;
}

const std::string kMeasuredHeader = "id,hardware,num_devices,scenario,metric,value,unit\n";

TEST(InputCli, DevicesDirectoriesAndFifosAreRefusedByKind) {
  TempDir dir("cli_input");
  const std::string d = "\"" + dir.path.string() + "\"";
  if (fs::exists("/dev/urandom")) {
    // It used to read /dev/urandom for ever.
    expect_bad("validate /dev/urandom",
               "error: /dev/urandom: is a character device (such as /dev/urandom or a terminal), "
               "not a regular file; expected a CSV file");
    expect_bad("show hardware /dev/urandom", "/dev/urandom: is a character device");
    expect_bad("show model /dev/urandom", "/dev/urandom: is a character device");
  }
  expect_bad("validate " + d, dir.path.string() + ": is a directory; expected a CSV file");
  expect_bad("show hardware " + d,
             dir.path.string() + ": is a directory; expected a YAML or JSON file");
  expect_bad("show dataset " + d, ": is a directory");
  const std::string fifo = (dir.path / "pipe.yaml").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_bad("show hardware \"" + fifo + "\"", "is a FIFO (named pipe), not a regular file");
  expect_bad("validate \"" + fifo + "\"", "is a FIFO (named pipe), not a regular file");
}

TEST(InputCli, OversizedAndBinarySpecsAreRefusedBeforeParsing) {
  TempDir dir("cli_input");
  std::string big = "schema: hardware/v1\n";
  while (big.size() <= (size_t{1} << 20)) big += "unknown_key_0000000: 1\n";
  expect_bad("show hardware \"" + dir.file("big.yaml", big) + "\"",
             "big.yaml: file is " + std::to_string(big.size()) +
                 " bytes (1.0 MiB); a YAML or JSON file may be at most 1048576 bytes (1 MiB)");
  expect_bad("show hardware \"" + dir.file("latin1.yaml", "schema: hardware/v1\nname: caf\xE9\n") +
                 "\"",
             "latin1.yaml:2:10: not UTF-8 text (byte \\xe9 at byte 30); save the file as UTF-8");
  expect_bad("show hardware \"" +
                 dir.file("deep.yaml", "a: " + std::string(100000, '[') +
                                           std::string(100000, ']') + "\n") +
                 "\"",
             "deep.yaml:1:67: nested deeper than 64 levels");
  expect_bad("show hardware \"" +
                 dir.file("deep.json", "{\"a\": " + std::string(100000, '[') +
                                           std::string(100000, ']') + "}") +
                 "\"",
             "deep.json:1:70: nested deeper than 64 levels");
}

TEST(InputCli, JsonDuplicateKeysAreErrors) {
  TempDir dir("cli_input");
  std::ifstream in(std::string(XPUSIM_TEST_DATA_DIR) + "/hf/llama-2-7b.json");
  std::string hf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string key = "\"hidden_size\": 4096,";
  const size_t at = hf.find(key);
  ASSERT_NE(at, std::string::npos);
  hf.insert(at + key.size(), "\n  \"hidden_size\": 8192,");
  expect_bad("show model \"" + dir.file("dup.json", hf) + "\"",
             "dup.json:10:3: hidden_size: duplicate key \"hidden_size\" (first at line 9, column "
             "3)");
}

TEST(InputCli, MeasuredCsvHeaderFirstDuplicateIdsAndNoUsableRow) {
  TempDir dir("cli_input");
  {
    // 8 MB of rows under a misspelt header: reported from the first line.
    std::ofstream out(dir.path / "wrong.csv", std::ios::binary);
    out << "id,hardwre,num_devices,scenario,metric,value,unit\n";
    const std::string row = "A,h100-sxm-80gb,1,membw,mem_bw_gbs,3000,GB/s\n";
    for (size_t n = 0; n < (size_t{8} << 20); n += row.size()) out << row;
  }
  expect_bad("validate \"" + (dir.path / "wrong.csv").string() + "\"",
             "wrong.csv:1: missing required column \"hardware\"; did you mean \"hardwre\"?");
  expect_bad("validate \"" +
                 dir.file("dup.csv", kMeasuredHeader +
                                         "A,h100-sxm-80gb,1,membw,mem_bw_gbs,3000,GB/s\n"
                                         "A,h100-sxm-80gb,1,membw,mem_bw_gbs,3100,GB/s\n") +
                 "\"",
             "dup.csv:3: id: duplicate id \"A\" (first at line 2); every row needs its own id");
  const std::string bad =
      dir.file("allbad.csv", kMeasuredHeader +
                                 "A,h100-sxm-80gb,x,membw,mem_bw_gbs,3000,GB/s\n"
                                 "B,h100-sxm-80gb,1,membw,mem_bw_gbz,3000,GB/s\n");
  expect_bad("validate \"" + bad + "\"", "allbad.csv: no usable row: all 2 rows are malformed");
  expect_bad("validate \"" + bad + "\"",
             "allbad.csv:2: column num_devices: expected a whole number >= 1, got \"x\"");
  expect_bad("calibrate \"" + bad + "\"", "no usable row");
  expect_bad("validate \"" + dir.file("header.csv", kMeasuredHeader) + "\"",
             "header.csv: no measured rows: the file has a header and no rows");
  // Rows that parse but none simulated (an unknown preset, a figure out of range, a filter
  // nothing matches): nothing to validate or fit, not a MAPE of 0 nor a fitted file.
  const std::string skipped =
      dir.file("skipped.csv", kMeasuredHeader +
                                  "A,nope-hw,1,membw,mem_bw_gbs,3000,GB/s\n"
                                  "B,h100-sxm-80gb,1,membw,mem_bw_gbs,1e308,GB/s\n");
  expect_bad("validate \"" + skipped + "\"",
             "skipped.csv: nothing to validate: all 2 rows were skipped: ");
  expect_bad("validate \"" + skipped + "\"",
             "column value: 1e308 is out of range; allowed 1e-6 .. 1e12");
  expect_bad("calibrate \"" + skipped + "\" --out \"" + (dir.path / "cal.yaml").string() + "\"",
             "skipped.csv: nothing to fit: no row of the fitted scenarios");
  EXPECT_FALSE(std::filesystem::exists(dir.path / "cal.yaml"));
  const std::string membw =
      dir.file("membw.csv", kMeasuredHeader + "A,h100-sxm-80gb,1,membw,mem_bw_gbs,3000,GB/s\n");
  expect_bad("validate \"" + membw + "\" --scenarios gemm",
             "membw.csv: nothing to validate: no row is of --scenarios gemm");
}

// A command that applies no --set refuses it rather than dropping it unread (wafer, pareto, the
// schemas, the preset lists); the commands that read a hardware file keep it.
TEST(InputCli, SetIsRefusedWhereItWouldChangeNothing) {
  const std::pair<std::string, std::string> cases[] = {
      {"wafer --die-width 10 --die-height 10", "wafer"},
      {"describe hardware", "describe hardware"},
      {"list hardware", "list hardware"},
      {"show engine vllm", "show engine"},
      {"describe result run", "describe result"}};
  for (const auto& [command, name] : cases)
    expect_bad("--set compute.units=5 " + command,
               "--set: `" + name + "` does not use --set: --set compute.units=5 would change "
                                   "nothing");
  // A 3D package without base dies is refused where it is written, not by the package model
  // later with no location.
  expect_bad("--set physical.package=soic_cowos cost --hardware h100-sxm-80gb",
             "physical.package: soic_cowos stacks the compute dies on I/O (base) dies, but "
             "physical.io_die.count is 0");
  const auto shown = xpusim::testing::run("--set compute.units=100 show hardware h100-sxm-80gb");
  EXPECT_EQ(shown.code, 0) << shown.out;
}

TEST(InputCli, TracesGoThroughTheSameGate) {
  TempDir dir("cli_input");
  const std::string base = "serve --hardware h100-sxm-80gb --model llama-3.1-8b --trace ";
  expect_bad(base + "\"" + dir.path.string() + "\"",
             ": is a directory; expected a trace file (.csv, .jsonl or .ndjson)");
  const std::string binary("arrival_s,input_len,output_len\n\x01", 32);
  expect_bad(base + "\"" + dir.file("t.csv", binary) + "\"",
             "t.csv:2:1: binary content (control character \\x01 at byte 32)");
}

TEST(InputCli, UnknownSubcommandsAreNamedWithADidYouMean) {
  expect_bad("runn", "error: unknown subcommand 'runn' (did you mean 'run'?); expected one of: ");
  expect_bad("--format json runn", "unknown subcommand 'runn' (did you mean 'run'?)");
  expect_bad("show hardwre",
             "error: unknown subcommand 'hardwre' for 'show' (did you mean 'hardware'?); expected "
             "one of: hardware, model, dataset, engine");
  expect_bad("list zzzzzzzz", "unknown subcommand 'zzzzzzzz' for 'list'; expected one of: ");
  // A missing subcommand keeps CLI11's words; a word after a command's option is no subcommand.
  expect_bad("show", "error: <command line>: A subcommand is required");
  // CLI11's own parse errors take the form of every other error.
  expect_bad("run --hardware h100-sxm-80gb", "error: <command line>: --model is required");
  CliRun positional = testing::run("run --hardware h100-sxm-80gb runn", true);
  EXPECT_EQ(positional.code, 1);
  EXPECT_EQ(positional.out.find("unknown subcommand"), std::string::npos) << positional.out;
}

TEST(InputCli, OutputThatCannotBeWrittenExitsTwo) {
  const std::string bin = std::string("\"") + XPUSIM_BINARY + "\"";
  if (fs::exists("/dev/full")) {
    CliRun full = testing::shell(bin + " list hardware 2>&1 >/dev/full");
    EXPECT_EQ(full.code, 2) << full.out;
    EXPECT_EQ(full.out, "error: cannot write the output: No space left on device\n");
  }
  CliRun closed = testing::shell(bin + " list hardware 2>&1 >&-");
  EXPECT_EQ(closed.code, 2) << closed.out;
  EXPECT_EQ(closed.out, "error: cannot write the output: Bad file descriptor\n");
  // Errors still exit 1 when stdout is fine; a full stdout does not hide them.
  CliRun input = testing::shell(bin + " show hardware nonexistent-xpu 2>&1 >/dev/null");
  EXPECT_EQ(input.code, 1) << input.out;
}

}  // namespace
}  // namespace xpusim
