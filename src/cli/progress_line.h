// SPDX-License-Identifier: Apache-2.0
// The progress line of long commands (explore, calibrate, validate, serve's rate search) on
// stderr: redrawn in place at most 4 times a second and left on the screen at the end, only when
// stderr is a terminal (never in a pipe, a file or a test) and not --quiet. The text is
// dse/progress.h's progress_text.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "xpusim/dse/progress.h"

namespace xpusim::cli {

class ProgressLine {
 public:
  // `label`: the command ("explore"); `unit`: the items, plural ("designs", "rounds");
  // `show_feasible`: the items have a feasible share.
  ProgressLine(std::string label, uint64_t total, std::string_view unit, bool show_feasible,
               bool quiet);
  [[nodiscard]] bool enabled() const { return enabled_; }
  // `done` more items, `feasible` of them feasible.
  void add(uint64_t done, uint64_t feasible = 0);
  // A new total, for work whose size becomes known as it goes (serve's rate search).
  void set_total(uint64_t total) { p_.total = total; }
  // The last line (the elapsed time), then a newline.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  void draw();
  std::string label_;
  bool enabled_;
  SearchProgress p_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_ = start_;
};

}  // namespace xpusim::cli
