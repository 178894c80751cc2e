// SPDX-License-Identifier: Apache-2.0
// A seeded mutation fuzzer over the input readers (input_readers.h), run in CTest: valid seeds
// (the presets, tests/data files) are mutated -- bit flips, hostile bytes, insertions, deletions,
// duplicated and spliced ranges, boundary numbers, repeated lines, deep nesting -- with a fixed
// seed, and every mutant must give a value or diagnostics: no exception, no abort, no hang (the
// CTest timeout), messages bounded and free of control bytes. XPUSIM_FUZZ_ITERATIONS scales the
// run (default 1 = a few seconds in Release); XPUSIM_FUZZ_SEED changes the seed. A mutant that
// fails is written to <build>/fuzz-failures/ to be kept under tests/data/fuzz/<reader>/, where
// CorpusReplay runs it in every build.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "input_readers.h"

namespace xpusim::fuzz {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The files of `dir` whose names end in one of `exts`, sorted (a fixed order keeps runs equal).
std::vector<std::string> files_in(const fs::path& dir, const std::vector<std::string>& exts) {
  std::vector<fs::path> paths;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    for (const auto& ext : exts)
      if (e.is_regular_file() && name.ends_with(ext)) paths.push_back(e.path());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> out;
  for (const auto& p : paths) out.push_back(read_file(p));
  return out;
}

std::vector<std::string> seeds(Reader r) {
  const fs::path data = XPUSIM_DATA_DIR, test = XPUSIM_TEST_DATA_DIR;
  std::vector<std::string> out;
  auto add = [&](std::vector<std::string> more) {
    for (auto& m : more) out.push_back(std::move(m));
  };
  switch (r) {
    case Reader::kYaml:
      for (const char* kind : {"hardware", "models", "engines"})
        add(files_in(data / "presets" / kind, {".yaml"}));
      add(files_in(data / "datasets", {".yaml"}));
      add(files_in(test / "bad" / "hardware", {".yaml"}));
      break;
    case Reader::kJson:
    case Reader::kHfConfig: add(files_in(test / "hf", {".json"})); break;
    case Reader::kCsv:
      add(files_in(test / "validation", {".csv"}));
      add(files_in(test / "bad" / "validation", {".csv"}));
      break;
    case Reader::kTraceCsv:
      add(files_in(test / "traces", {".csv"}));
      add(files_in(test / "traces" / "bad", {".csv"}));
      break;
    case Reader::kTraceJsonl:
      add(files_in(test / "traces", {".jsonl"}));
      add(files_in(test / "traces" / "bad", {".jsonl"}));
      break;
    case Reader::kUnit:
      out = {"3.35 TB/s", "80 GiB", "1.98 GHz", "0.1 /cm2", "700 W", "814 mm2", "1.5 ns",
             "2 GB per s", "16 MiB", "4 TFLOP/s", "12 USD", "3 pJ/bit", "1e-3 s", "+2 kB",
             "0.09 per cm^2", "100 mm\xC2\xB2", "5 GT/s", "1 B/FLOP"};
      break;
  }
  return out;
}

// Deterministic on every platform: a 64-bit xorshift, not a distribution of <random>.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed ? seed : 0x9E3779B97F4A7C15ULL) {}
  uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }
  size_t below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(next() % n); }

 private:
  uint64_t state_;
};

const std::vector<std::string>& boundary_tokens() {
  static const std::vector<std::string> tokens = {
      "0", "-1", "1", "-0", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
      "18446744073709551616", "99999999999999999999", "4294967296", "2147483648", "1e308",
      "1e309", "-1e308", "1e-30", "5e-324", "nan", "NaN", "inf", "-inf", ".inf", "0x10", "1.5",
      "1e400", "0.0000001", "\"\"", "null", "true", "~", "[]", "{}", "&a", "*a", "!!binary",
      "'", "\"", "\\", "\xEF\xBB\xBF", "\xFF\xFE", "\xC3", "\x01", std::string(1, '\0'),
      std::string(300, '9'), std::string(2000, 'k')};
  return tokens;
}

const std::string kInterestingBytes = std::string("\0\x01\x7f\x80\xff\n\r\t \"',:[]{}-#&*!|>%@`\\", 27);

// One to four mutations of `text`; `all` gives material to splice in.
std::string mutate(std::string text, const std::vector<std::string>& all, Rng& rng) {
  constexpr size_t kMaxBytes = size_t{256} << 10;
  const size_t rounds = 1 + rng.below(4);
  for (size_t round = 0; round < rounds; ++round) {
    const size_t n = text.size();
    const size_t at = rng.below(n + 1);
    switch (rng.below(12)) {
      case 0:  // flip a bit
        if (n) text[rng.below(n)] ^= static_cast<char>(1u << rng.below(8));
        break;
      case 1:  // a hostile byte in place
        if (n) text[rng.below(n)] = kInterestingBytes[rng.below(kInterestingBytes.size())];
        break;
      case 2: {  // insert a few random bytes
        std::string bytes;
        for (size_t i = 0, k = 1 + rng.below(8); i < k; ++i)
          bytes += static_cast<char>(rng.below(256));
        text.insert(at, bytes);
        break;
      }
      case 3:  // delete a range
        if (n) text.erase(rng.below(n), 1 + rng.below(64));
        break;
      case 4:  // duplicate a range elsewhere
        if (n) {
          const size_t from = rng.below(n);
          text.insert(at, text.substr(from, 1 + rng.below(256)));
        }
        break;
      case 5: {  // splice: the tail replaced by part of another seed
        const std::string& other = all[rng.below(all.size())];
        if (!other.empty()) text = text.substr(0, at) + other.substr(rng.below(other.size()));
        break;
      }
      case 6: {  // a number replaced by a boundary value
        size_t digit = text.find_first_of("0123456789", at);
        if (digit == std::string::npos) digit = text.find_first_of("0123456789");
        if (digit == std::string::npos) break;
        size_t end = text.find_first_not_of("0123456789.eE+-", digit);
        if (end == std::string::npos) end = text.size();
        text.replace(digit, end - digit, boundary_tokens()[rng.below(boundary_tokens().size())]);
        break;
      }
      case 7:  // a boundary token inserted
        text.insert(at, boundary_tokens()[rng.below(boundary_tokens().size())]);
        break;
      case 8: {  // a line repeated
        const size_t start = text.rfind('\n', at == 0 ? 0 : at - 1);
        const size_t begin = start == std::string::npos ? 0 : start + 1;
        const size_t end = text.find('\n', begin);
        const std::string line =
            text.substr(begin, end == std::string::npos ? std::string::npos : end - begin + 1);
        std::string copies;
        for (size_t i = 0, k = 2 + rng.below(200); i < k; ++i) copies += line;
        text.insert(begin, copies);
        break;
      }
      case 9: {  // deep nesting
        const char* open[] = {"[", "{", "{\"a\":", "- ", " ", "a:\n "};
        const std::string o = open[rng.below(6)];
        std::string nest;
        for (size_t i = 0, k = 1 + rng.below(3000); i < k; ++i) nest += o;
        text.insert(at, nest);
        break;
      }
      case 10:  // truncated
        text.resize(at);
        break;
      case 11: {  // two lines swapped
        const size_t a = text.find('\n', rng.below(n + 1)), b = text.find('\n', rng.below(n + 1));
        if (a != std::string::npos && b != std::string::npos && a != b)
          std::swap(text[a == 0 ? 0 : a - 1], text[b == 0 ? 0 : b - 1]);
        break;
      }
    }
    if (text.size() > kMaxBytes) text.resize(kMaxBytes);
  }
  return text;
}

// Runs one input and reports a contract violation (exception or bad message) as a failure,
// saving the input under <build>/fuzz-failures/.
bool check_input(Reader r, const std::string& input, const std::string& label) {
  std::string problem;
  try {
    Diagnostics diags = run_reader(r, input);
    problem = message_problem(diags, !diags.empty());
  } catch (const std::exception& e) {
    problem = std::string("exception escaped: ") + e.what();
  } catch (...) {
    problem = "a non-standard exception escaped";
  }
  if (problem.empty()) return true;
  const fs::path dir = fs::path(XPUSIM_FUZZ_FAILURE_DIR) / reader_name(r);
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path saved = dir / (label + ".in");
  std::ofstream(saved, std::ios::binary) << input;
  ADD_FAILURE() << reader_name(r) << " " << label << ": " << problem << " (input saved to "
                << saved.string() << ")";
  return false;
}

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

class MutationFuzz : public ::testing::TestWithParam<Reader> {};

TEST_P(MutationFuzz, EveryMutantGivesAValueOrDiagnostics) {
  const Reader r = GetParam();
  const std::vector<std::string> base = seeds(r);
  ASSERT_FALSE(base.empty()) << "no seeds for " << reader_name(r);
  // Mutants per reader; the unit parser is cheap, the schema-backed readers are not.
  const uint64_t per_reader = r == Reader::kUnit ? 10000 : r == Reader::kYaml ? 1500 : 2000;
  const uint64_t iterations = per_reader * env_or("XPUSIM_FUZZ_ITERATIONS", 1);
  Rng rng(env_or("XPUSIM_FUZZ_SEED", 20240610) + static_cast<uint64_t>(r) * 7919);
  // The seeds themselves first: valid inputs must pass the message checks as well.
  for (size_t i = 0; i < base.size(); ++i) check_input(r, base[i], "seed-" + std::to_string(i));
  size_t failures = 0;
  double slowest_ms = 0;
  for (uint64_t i = 0; i < iterations && failures < 10; ++i) {
    const std::string input = mutate(base[rng.below(base.size())], base, rng);
    const auto start = std::chrono::steady_clock::now();
    if (!check_input(r, input, "mutant-" + std::to_string(i))) ++failures;
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    slowest_ms = std::max(slowest_ms, took.count());
  }
  // Reported, not asserted (no timed tests); a hang is caught by the CTest timeout.
  RecordProperty("slowest_input_ms", std::to_string(slowest_ms));
  std::printf("%s: %llu mutants, slowest %.1f ms\n", reader_name(r),
              static_cast<unsigned long long>(iterations), slowest_ms);
}

INSTANTIATE_TEST_SUITE_P(Readers, MutationFuzz, ::testing::ValuesIn(all_readers()),
                         [](const ::testing::TestParamInfo<Reader>& param) {
                           return std::string(reader_name(param.param));
                         });

// The inputs that once broke a reader, kept as a regression corpus: tests/data/fuzz/<reader>/.
TEST(CorpusReplay, EveryKeptInputGivesAValueOrDiagnostics) {
  const fs::path root = fs::path(XPUSIM_TEST_DATA_DIR) / "fuzz";
  size_t replayed = 0;
  for (Reader r : all_readers()) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root / reader_name(r), ec))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      check_input(r, read_file(f), "corpus-" + f.filename().string());
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0u) << "no corpus under " << root.string();
}

}  // namespace
}  // namespace xpusim::fuzz
