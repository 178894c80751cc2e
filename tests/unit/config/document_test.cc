// SPDX-License-Identifier: Apache-2.0
#include "xpusim/config/document.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "xpusim/config/presets.h"
#include "xpusim/config/schema.h"

namespace xpusim {
namespace {

struct ToySpec {
  Bytes capacity;
  std::optional<BytesPerSecond> bandwidth;
  int units = 0;
  std::string kind;
  bool fast = false;
};

const Schema<ToySpec>& toy_schema() {
  static const Schema<ToySpec> schema(
      "toy/v1",
      {make_field<ToySpec>("memory.capacity", [](ToySpec& s) -> auto& { return s.capacity; },
                           "capacity", FieldOptions{.min = 0, .min_exclusive = true}),
       make_field<ToySpec>("memory.bandwidth", [](ToySpec& s) -> auto& { return s.bandwidth; },
                           "bandwidth"),
       make_field<ToySpec>("units", [](ToySpec& s) -> auto& { return s.units; }, "units",
                           FieldOptions{.min = 1, .max = 1000}),
       make_field<ToySpec>("kind", [](ToySpec& s) -> auto& { return s.kind; }, "kind",
                           FieldOptions{.default_text = "gpu", .choices = {"gpu", "tpu"}}),
       make_field<ToySpec>("fast", [](ToySpec& s) -> auto& { return s.fast; }, "fast",
                           FieldOptions{.default_text = "false"})});
  return schema;
}

Result<ToySpec> parse(const std::string& yaml) {
  auto doc = Document::from_yaml(yaml, "toy.yaml");
  if (!doc) return tl::unexpected(doc.error());
  return toy_schema().parse(*doc);
}

TEST(Schema, ParsesValidDocument) {
  auto s = parse("schema: toy/v1\nmemory:\n  capacity: 80 GiB\n  bandwidth: 2 TB/s\nunits: 4\n");
  ASSERT_TRUE(s) << to_string(s.error());
  EXPECT_DOUBLE_EQ(s->capacity.value(), 80.0 * 1073741824.0);
  ASSERT_TRUE(s->bandwidth);
  EXPECT_DOUBLE_EQ(s->bandwidth->value(), 2e12);
  EXPECT_EQ(s->units, 4);
  EXPECT_EQ(s->kind, "gpu");
}

TEST(Schema, CollectsAllErrorsWithPlaces) {
  auto s = parse("schema: toy/v1\nmemory:\n  capacity: 80\n  bandwith: 2 TB/s\nunits: 0\nkind: gpo\n");
  ASSERT_FALSE(s);
  std::string all = to_string(s.error());
  EXPECT_NE(all.find("toy.yaml:3:3: memory.capacity: expected a capacity such as \"80 GiB\", got \"80\""),
            std::string::npos) << all;
  EXPECT_NE(all.find("toy.yaml:4:3: memory.bandwith: unknown key; did you mean \"memory.bandwidth\"?"),
            std::string::npos) << all;
  EXPECT_NE(all.find("toy.yaml:5:1: units: value \"0\" is out of range; allowed: >= 1 and <= 1000"),
            std::string::npos) << all;
  EXPECT_NE(all.find("kind: expected one of: gpu, tpu, got \"gpo\"; did you mean \"gpu\"?"),
            std::string::npos) << all;
  EXPECT_EQ(s.error().size(), 4u);
}

TEST(Document, ListItemsAreEntriesOnlyWhenIndexed) {
  const std::string text = "a:\n  - {x: 1, y: [2, 3]}\n  - 4\nb: 5\n";
  auto plain = Document::from_yaml(text, "f.yaml");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->find("a")->is_list);
  EXPECT_EQ(plain->find("a[0]"), nullptr);
  auto indexed = Document::from_yaml(text, "f.yaml", true);
  ASSERT_TRUE(indexed);
  EXPECT_TRUE(indexed->find("a")->is_list);
  EXPECT_TRUE(indexed->find("a[0]")->is_section);
  EXPECT_EQ(indexed->find("a[0].x")->text, "1");
  EXPECT_TRUE(indexed->find("a[0].y")->is_list);
  EXPECT_EQ(indexed->find("a[0].y[1]")->text, "3");
  EXPECT_EQ(indexed->find("a[0].y[1]")->line, 2);
  EXPECT_EQ(indexed->find("a[1]")->text, "4");
  EXPECT_EQ(indexed->find("b")->text, "5");
}

TEST(Document, DuplicateKeysAreErrors) {
  auto d = Document::from_yaml("schema: toy/v1\nunits: 1\nunits: 2\n", "dup.yaml");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error()[0].to_string(),
            "dup.yaml:3:1: units: duplicate key \"units\" (first at line 2, column 1)");
}

TEST(Document, MalformedEmptyAndBinary) {
  EXPECT_FALSE(Document::from_yaml("a: [1, 2\n", "bad.yaml"));
  auto empty = Document::from_yaml("  \n", "empty.yaml");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error()[0].to_string(), "empty.yaml: file is empty");
  EXPECT_FALSE(Document::from_yaml(std::string("\x7f" "ELF\x02\x01\x01\0\0", 9), "bin.yaml"));
  EXPECT_FALSE(Document::from_yaml("- just\n- a list\n", "list.yaml"));
}

TEST(Document, NestingIsBoundedBeforeYamlCppRecurses) {
  // 100 000 flow brackets would overflow yaml-cpp's recursive parser (and its own guard of 2000
  // levels does not hold under ASan's larger frames): refused by a scan first.
  auto flow = Document::from_yaml("a: " + std::string(100000, '[') + std::string(100000, ']'),
                                  "flow.yaml");
  ASSERT_FALSE(flow);
  EXPECT_EQ(to_string(flow.error()),
            "flow.yaml:1:67: nested deeper than 64 levels; a spec is a few levels of sections\n");
  std::string block;
  for (int i = 0; i < 100; ++i) block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  auto deep_block = Document::from_yaml(block, "block.yaml");
  ASSERT_FALSE(deep_block);
  EXPECT_EQ(deep_block.error()[0].line, 65);
  std::string dashes = "a:\n";
  for (int i = 0; i < 100; ++i) dashes += "- ";
  auto compact = Document::from_yaml(dashes + "x\n", "seq.yaml");
  ASSERT_FALSE(compact);
  EXPECT_NE(to_string(compact.error()).find("nested deeper than 64 levels"), std::string::npos);
  // A quote inside a plain scalar opens no quoted scalar: it cannot hide brackets that nest.
  for (const std::string prefix : {"a: [x ', ", "a: [b:'x, ", "{\"a\":\"]]]]\", \"b\": "}) {
    SCOPED_TRACE(prefix);
    auto d = Document::from_yaml(prefix + std::string(3000, '[') + std::string(3000, ']'),
                                 "q.yaml");
    ASSERT_FALSE(d);
    EXPECT_NE(to_string(d.error()).find("nested deeper than 64 levels"), std::string::npos);
  }
  // Brackets in quoted scalars, comments and block scalars are text, not nesting.
  std::string text = "schema: toy/v1\nname: \"" + std::string(100, '[') + "\"\nnote: '" +
                     std::string(100, '{') + "'\n# " + std::string(100, '[') + "\nlong: |\n";
  for (int i = 0; i < 100; ++i) text += std::string(static_cast<size_t>(2 + i), ' ') + "x\n";
  text += "units: 3\n";
  auto fine = Document::from_yaml(text, "fine.yaml");
  ASSERT_TRUE(fine) << to_string(fine.error());
  EXPECT_EQ(fine->find("units")->text, "3");
}

TEST(Document, AliasesCannotMultiplyTheDocument) {
  // Each level names the previous one twice: 2^40 entries once flattened.
  std::string bomb = "a0: &a0 {x: 1, y: 2}\n";
  for (int i = 1; i <= 40; ++i) {
    const std::string prev = "a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " {p: *" + prev + ", q: *" +
            prev + "}\n";
  }
  auto d = Document::from_yaml(bomb, "bomb.yaml");
  ASSERT_FALSE(d);
  const std::string all = to_string(d.error());
  EXPECT_NE(all.find("the document is too large: more than 4096 keys"), std::string::npos) << all;
  // An alias used a few times is fine.
  auto ok = Document::from_yaml("base: &b {x: 1}\nother: *b\n", "ok.yaml");
  ASSERT_TRUE(ok) << to_string(ok.error());
  EXPECT_EQ(ok->find("other.x")->text, "1");
}

TEST(Document, TextAboveTheSpecCapIsRefused) {
  auto d = Document::from_yaml("a: " + std::string(size_t{1} << 20, 'x') + "\n", "big.yaml");
  ASSERT_FALSE(d);
  EXPECT_EQ(to_string(d.error()),
            "big.yaml: document is 1048580 bytes; a YAML or JSON spec may be at most 1048576 "
            "bytes (1 MiB)\n");
}

TEST(Document, LoadYamlFileGoesThroughTheInputGate) {
  auto dir = Document::load_yaml_file(XPUSIM_TEST_DATA_DIR);
  ASSERT_FALSE(dir);
  EXPECT_EQ(to_string(dir.error()),
            std::string(XPUSIM_TEST_DATA_DIR) + ": is a directory; expected a YAML or JSON file\n");
  if (std::filesystem::exists("/dev/zero")) {
    auto dev = Document::load_yaml_file("/dev/zero");
    ASSERT_FALSE(dev);
    EXPECT_NE(to_string(dev.error()).find("/dev/zero: is a character device"), std::string::npos);
  }
}

TEST(Document, OverridesUseTheSameValidation) {
  auto d = Document::from_yaml("schema: toy/v1\nmemory:\n  capacity: 80 GiB\nunits: 4\n", "t.yaml");
  ASSERT_TRUE(d);
  ASSERT_TRUE(d->apply_override("units=8"));
  EXPECT_EQ(toy_schema().parse(*d)->units, 8);
  ASSERT_TRUE(d->apply_override("memory.capacity=lots"));
  auto s = toy_schema().parse(*d);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error()[0].file, "<command line>");
  EXPECT_FALSE(d->apply_override("no-equals-sign"));
}

TEST(Schema, MissingRequiredAndMissingSchema) {
  auto s = parse("memory:\n  capacity: 1 GB\n");
  ASSERT_FALSE(s);
  std::string all = to_string(s.error());
  EXPECT_NE(all.find("schema: missing required key"), std::string::npos) << all;
  EXPECT_NE(all.find("units: missing required key"), std::string::npos) << all;
}

TEST(Schema, DescribeListsEveryField) {
  std::string d = describe_schema("toy/v1", toy_schema().fields());
  for (const char* p : {"memory.capacity", "memory.bandwidth", "units", "kind", "fast"})
    EXPECT_NE(d.find(p), std::string::npos) << p;
}

}  // namespace
}  // namespace xpusim

namespace xpusim {
namespace {

TEST(Presets, UnknownIdSuggestsIdsItPrefixes) {
  auto r = resolve_preset_path("hardware", "h100", "hardware");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error()[0].message.find(
                "unknown hardware preset \"h100\"; did you mean one of: h100-nvl-94gb, "
                "h100-pcie-80gb, h100-sxm-80gb? Known: a100-pcie-80gb"),
            std::string::npos)
      << r.error()[0].message;
  // The stem wins over a short id a few edits away ("b300" is 2 edits from "h100"): every id it
  // begins is listed.
  auto gb = resolve_preset_path("hardware", "gb", "hardware");
  ASSERT_FALSE(gb);
  EXPECT_NE(gb.error()[0].message.find("did you mean one of: gb200, gb300?"), std::string::npos)
      << gb.error()[0].message;
}

}  // namespace
}  // namespace xpusim
