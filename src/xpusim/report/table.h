// SPDX-License-Identifier: Apache-2.0
// A plain table of strings that every command prints as aligned text or CSV; JSON output is built
// by each command from its result struct with nlohmann::json. report/ sees result structs only.
#pragma once

#include <string>
#include <vector>

namespace xpusim {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] const std::vector<std::vector<std::string>>& rows() const { return rows_; }
  [[nodiscard]] const std::vector<std::string>& header() const { return header_; }

  // Columns padded to their widest cell; numeric-looking cells right-aligned.
  [[nodiscard]] std::string to_text() const;
  // RFC 4180: cells with commas, quotes or newlines are quoted.
  [[nodiscard]] std::string to_csv() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Fixed-point formatting with `digits` after the point ("12.35"); "inf"/"nan" spelled out.
std::string fixed(double v, int digits);
// Three significant digits or more as needed ("0.00123", "1.23e+09" only when huge).
std::string sig(double v, int digits = 4);
// `v` rounded to six significant digits, for JSON: no binary noise (1307.4000000000001); 0, inf
// and nan are returned as they are.
double round6(double v);

}  // namespace xpusim
