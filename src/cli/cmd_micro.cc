// SPDX-License-Identifier: Apache-2.0
// `xpusim collective` (a collective or copy over a message-size sweep, nccl-tests style),
// `xpusim membw` (achievable streaming bandwidth per kernel, BabelStream style) and `xpusim power`
// (power by component and the sustained clock of reference loads): the interconnect, memory and
// power models on their own, as a designer checks a fabric, a memory system or a power budget
// (api/micro.h).
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/numeric_flags.h"
#include "xpusim/api/micro.h"
#include "xpusim/base/text.h"
#include "xpusim/perf/memory_system.h"
#include "xpusim/report/result_fields.h"

namespace xpusim::cli {
namespace {

void run_collective(const api::CollectiveRequest& o, const GlobalOptions& g) {
  api::CollectiveRequest request = o;
  request.overrides = g.overrides;
  const api::Json j = value_or_throw(api::collective(request));
  if (g.format == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  if (g.format == "csv") {  // a row per size, the operation's keys repeated (infeasible: one row)
    print_tidy_csv(j, g, j["sizes"].empty() ? "" : "sizes");
    return;
  }
  std::string topology =
      j["scale_up_topology"].is_null() ? "no scale-up tier"
                                       : j["scale_up_topology"].get<std::string>() + " scale-up";
  if (j["scale_up_in_network_reduction"].get<bool>()) topology += " whose switches reduce (NVLS)";
  std::printf("%s on %lld x %s (%s)\n", j["op"].get<std::string>().c_str(),
              static_cast<long long>(j["devices"].get<int64_t>()),
              j["hardware"].get<std::string>().c_str(), topology.c_str());
  if (!j["feasible"].get<bool>()) {
    std::printf("infeasible: %s: %s\n", j["infeasible_reason"].get<std::string>().c_str(),
                j["infeasible_detail"].get<std::string>().c_str());
    return;
  }
  const Table table = value_or_throw(record_table(j, "sizes"));
  std::fputs(table.to_text().c_str(), stdout);
}

void run_membw(const api::MembwRequest& o, const GlobalOptions& g) {
  api::MembwRequest request = o;
  request.overrides = g.overrides;
  const api::Json j = value_or_throw(api::membw(request));
  if (g.format == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  if (g.format == "csv") {  // a row per kernel, the memory system's keys repeated
    print_tidy_csv(j, g, "kernels");
    return;
  }
  const ResultType& type = *find_result_type("membw");
  std::fputs(field_table(type, j).to_text().c_str(), stdout);
  std::printf("\n");
  std::fputs(value_or_throw(record_table(j, "kernels")).to_text().c_str(), stdout);
}

void run_power(const api::PowerRequest& o, const GlobalOptions& g) {
  api::PowerRequest request = o;
  request.overrides = g.overrides;
  const api::Json j = value_or_throw(api::power(request));
  if (g.format == "json") {
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  if (g.format == "csv") {  // a row per load, the design's keys repeated
    print_tidy_csv(j, g, "kernels");
    return;
  }
  const ResultType& type = *find_result_type("power");
  std::fputs(field_table(type, j).to_text().c_str(), stdout);
  std::printf("\n");
  std::fputs(value_or_throw(record_table(j, "kernels")).to_text().c_str(), stdout);
}

}  // namespace

void add_micro_commands(CLI::App& app, GlobalOptions& global) {
  auto c = std::make_shared<api::CollectiveRequest>();
  CLI::App* coll = app.add_subcommand(
      "collective", "a collective or copy over a message-size sweep, nccl-tests style: time, "
                    "algorithm and bus bandwidth per size by the link topology");
  coll->add_option("--hardware", c->hardware, "hardware preset id or file")->required();
  coll->add_option("--op", c->op, "operation: " + join(api::collective_ops()))
      ->capture_default_str();
  bound_int(coll->add_option("--devices", c->devices,
                             "devices it spans (a copy's two endpoints lie among them: within "
                             "the scale-up domain the scale-up tier, beyond it scale-out)"),
            bounds::kCollectiveDevices)
      ->capture_default_str();
  bound_real(coll->add_option("--min-bytes", c->min_bytes,
                              "smallest message, bytes (nccl-tests -b)"),
             bounds::kMessageBytes)
      ->capture_default_str();
  bound_real(coll->add_option("--max-bytes", c->max_bytes,
                              "largest message, bytes (nccl-tests -e; default 1 GiB)"),
             bounds::kMessageBytes);
  bound_real(coll->add_option("--factor", c->factor,
                              "growth factor between sizes (nccl-tests -f)"),
             bounds::kSizeFactor)
      ->capture_default_str();
  coll->callback([c, &global] { run_collective(*c, global); });

  auto m = std::make_shared<api::MembwRequest>();
  CLI::App* mem = app.add_subcommand(
      "membw", "achievable streaming bandwidth of the backing memory per kernel, BabelStream "
               "style, and what bounds it (controllers or a package's die-to-die links)");
  mem->add_option("--hardware", m->hardware, "hardware preset id or file")->required();
  std::vector<std::string> kernels;
  for (const StreamKernel& k : stream_kernels()) kernels.emplace_back(k.name);
  mem->add_option("--kernel", m->kernels,
                  "kernels to report (repeatable; default copy, mul, add, triad, dot, nstream): " +
                      join(kernels));
  mem->callback([m, &global] { run_membw(*m, global); });

  auto p = std::make_shared<api::PowerRequest>();
  CLI::App* pw = app.add_subcommand(
      "power", "power by component of reference loads (a GEMM per precision, DRAM streaming, "
               "the idle and the peak chip) and the clock each sustains under the TDP");
  pw->add_option("--hardware", p->hardware, "hardware preset id or file")->required();
  pw->add_option("--kernel", p->kernels,
                 "loads to report (repeatable; default all): " + join(api::power_kernels()));
  pw->add_option("--precision", p->precisions,
                 "GEMM formats (repeatable; default every format the matrix engines run natively)");
  bound_int(pw->add_option("--m", p->m, "GEMM rows of A and C"), bounds::kGemmDim)
      ->capture_default_str();
  bound_int(pw->add_option("--n", p->n, "GEMM columns of B and C"), bounds::kGemmDim)
      ->capture_default_str();
  bound_int(pw->add_option("--k", p->k, "GEMM reduction dimension"), bounds::kGemmDim)
      ->capture_default_str();
  pw->callback([p, &global] { run_power(*p, global); });
}

}  // namespace xpusim::cli
