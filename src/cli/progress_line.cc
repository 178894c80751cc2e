// SPDX-License-Identifier: Apache-2.0
#include "cli/progress_line.h"

#include <unistd.h>

#include <cstdio>

namespace xpusim::cli {

ProgressLine::ProgressLine(std::string label, uint64_t total, std::string_view unit,
                           bool show_feasible, bool quiet)
    : label_(std::move(label)), enabled_(!quiet && total > 0 && ::isatty(STDERR_FILENO)) {
  p_.total = total;
  p_.unit = unit;
  p_.show_feasible = show_feasible;
}

void ProgressLine::add(uint64_t done, uint64_t feasible) {
  if (!enabled_) return;
  p_.done += done;
  p_.feasible += feasible;
  const auto now = Clock::now();
  if (now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  draw();
}

void ProgressLine::finish() {
  if (!enabled_) return;
  p_.finished = true;
  draw();
  std::fputc('\n', stderr);
}

void ProgressLine::draw() {
  p_.elapsed = Seconds(std::chrono::duration<double>(Clock::now() - start_).count());
  std::fprintf(stderr, "\r%s: %s\033[K", label_.c_str(), progress_text(p_).c_str());
  std::fflush(stderr);
}

}  // namespace xpusim::cli
