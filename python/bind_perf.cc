// SPDX-License-Identifier: Apache-2.0
// xpusim.run, xpusim.gemm and xpusim.compare: api/perf.h with the flags of `xpusim run|gemm|compare`
// as keywords; xpusim.collective, xpusim.membw and xpusim.power: api/micro.h with those of
// `xpusim collective|membw|power`.
#include "python/binding.h"
#include "xpusim/api/micro.h"

namespace xpusim::python {
namespace {

using api::CompareRequest;
using api::GemmRequest;
using api::RunRequest;
using api::StaticWorkload;

// --model --batch --input-len --output-len --precision --kv-precision --expert-precision
// --weight-group-size.
template <class Request>
Binder<Request> workload_keywords() {
  Binder<Request> b;
  b.add("model", &StaticWorkload::model, true)
      .add("batch", &StaticWorkload::batch, true)
      .add("input_len", &StaticWorkload::input_len, true)
      .add("output_len", &StaticWorkload::output_len, true)
      .add("precision", &StaticWorkload::precision)
      .add("kv_precision", &StaticWorkload::kv_precision)
      .add("expert_precision", &StaticWorkload::expert_precision)
      .add("weight_group_size", &StaticWorkload::weight_group);
  return b;
}

Binder<RunRequest> run_keywords() {
  Binder<RunRequest> b = workload_keywords<RunRequest>();
  b.add("hardware", &RunRequest::hardware, true)
      .add("overrides", &RunRequest::overrides)
      .add("devices", &RunRequest::devices)
      .add("tp", &RunRequest::tp)
      .add("pp", &RunRequest::pp)
      .add("ep", &RunRequest::ep)
      .add("microbatches", &RunRequest::microbatches)
      .add("sequence_parallel", &RunRequest::sequence_parallel)
      .add("attention_dp", &RunRequest::attention_dp)
      .add("runtime", &RunRequest::runtime)
      .add("electricity_price", &RunRequest::electricity_usd_per_kwh)
      .add("device_price", &RunRequest::device_price_usd)
      .add("gross_margin", &RunRequest::gross_margin)
      .add("lifetime_years", &RunRequest::lifetime_years)
      .add("system", &RunRequest::system)
      .add("system_params", &RunRequest::system_params);
  return b;
}

Binder<GemmRequest> gemm_keywords() {
  Binder<GemmRequest> b;
  b.add("hardware", &GemmRequest::hardware, true)
      .add("overrides", &GemmRequest::overrides)
      .add("m", &GemmRequest::m, true)
      .add("n", &GemmRequest::n, true)
      .add("k", &GemmRequest::k, true)
      .add("batch", &GemmRequest::batch)
      .add("precision", &GemmRequest::precision)
      .add("weight_precision", &GemmRequest::weight_precision)
      .add("weight_group_size", &GemmRequest::weight_group)
      .add("runtime", &GemmRequest::runtime);
  return b;
}

Binder<CompareRequest> compare_keywords() {
  Binder<CompareRequest> b = workload_keywords<CompareRequest>();
  b.add("overrides", &CompareRequest::overrides)
      .add("hardware", &CompareRequest::hardware)
      .add("with_presets", &CompareRequest::with_presets)
      .add("devices", &CompareRequest::devices)
      .add("tp", &CompareRequest::tp);
  return b;
}

Binder<api::CollectiveRequest> collective_keywords() {
  using api::CollectiveRequest;
  Binder<CollectiveRequest> b;
  b.add("hardware", &CollectiveRequest::hardware, true)
      .add("overrides", &CollectiveRequest::overrides)
      .add("op", &CollectiveRequest::op)
      .add("devices", &CollectiveRequest::devices)
      .add("min_bytes", &CollectiveRequest::min_bytes)
      .add("max_bytes", &CollectiveRequest::max_bytes)
      .add("factor", &CollectiveRequest::factor);
  return b;
}

Binder<api::MembwRequest> membw_keywords() {
  using api::MembwRequest;
  Binder<MembwRequest> b;
  b.add("hardware", &MembwRequest::hardware, true)
      .add("overrides", &MembwRequest::overrides)
      .add("kernels", &MembwRequest::kernels);
  return b;
}

Binder<api::PowerRequest> power_keywords() {
  using api::PowerRequest;
  Binder<PowerRequest> b;
  b.add("hardware", &PowerRequest::hardware, true)
      .add("overrides", &PowerRequest::overrides)
      .add("kernels", &PowerRequest::kernels)
      .add("precisions", &PowerRequest::precisions)
      .add("m", &PowerRequest::m)
      .add("n", &PowerRequest::n)
      .add("k", &PowerRequest::k);
  return b;
}

}  // namespace

void bind_perf(py::module_& m) {
  static const Binder<RunRequest> run = run_keywords();
  static const Binder<GemmRequest> gemm = gemm_keywords();
  static const Binder<CompareRequest> compare = compare_keywords();
  def(m, "run", run, &api::run,
      "One static-batch scenario: TTFT, TPOT, end-to-end latency, tokens/s, memory, energy and "
      "cost per token, and the per-operator breakdown (`xpusim run`).");
  def(m, "gemm", gemm, &api::gemm,
      "One matrix multiply C[m,n] = A[m,k] x B[k,n] (`xpusim gemm`).");
  def(m, "compare", compare, &api::compare,
      "Every hardware preset on one workload, ranked by output tokens/s (`xpusim compare`).");
  static const Binder<api::CollectiveRequest> collective = collective_keywords();
  static const Binder<api::MembwRequest> membw = membw_keywords();
  def(m, "collective", collective, &api::collective,
      "A collective or copy over a message-size sweep, nccl-tests style (`xpusim collective`).");
  def(m, "membw", membw, &api::membw,
      "Achievable streaming bandwidth per kernel, BabelStream style (`xpusim membw`).");
  static const Binder<api::PowerRequest> power = power_keywords();
  def(m, "power", power, &api::power,
      "Power by component of reference loads and the clock each sustains under the TDP "
      "(`xpusim power`).");
}

}  // namespace xpusim::python
