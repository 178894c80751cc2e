// SPDX-License-Identifier: Apache-2.0
// xpusim.serve: api/serve.h with the flags of `xpusim serve` as keywords.
#include "python/binding.h"
#include "xpusim/api/serve.h"

namespace xpusim::python {
namespace {

using api::ServeRequest;

Binder<ServeRequest> serve_keywords() {
  Binder<ServeRequest> b;
  b.add("hardware", &ServeRequest::hardware, true)
      .add("model", &ServeRequest::model, true)
      .add("overrides", &ServeRequest::overrides)
      .add("devices", &ServeRequest::devices)
      .add("tp", &ServeRequest::tp)
      .add("pp", &ServeRequest::pp)
      .add("ep", &ServeRequest::ep)
      .add("attention_dp", &ServeRequest::attention_dp)
      .add("precision", &ServeRequest::precision)
      .add("kv_precision", &ServeRequest::kv_precision)
      .add("expert_precision", &ServeRequest::expert_precision)
      .add("weight_group_size", &ServeRequest::weight_group)
      .add("runtime", &ServeRequest::runtime)
      .add("engine", &ServeRequest::engine)
      .text("max_batch", &ServeRequest::max_batch)
      .text("max_num_tokens", &ServeRequest::max_num_tokens)
      .on_off("chunked_prefill", &ServeRequest::chunked_prefill)
      .text("kv_block_size", &ServeRequest::kv_block_size)
      .text("memory_fraction", &ServeRequest::memory_fraction)
      .add("input_len", &ServeRequest::input_len)
      .add("output_len", &ServeRequest::output_len)
      .add("input_stdev", &ServeRequest::input_stdev)
      .add("output_stdev", &ServeRequest::output_stdev)
      .add("dataset", &ServeRequest::dataset)
      .add("trace", &ServeRequest::trace)
      .add("requests", &ServeRequest::requests)
      .add("seed", &ServeRequest::seed)
      .add("rate", &ServeRequest::rate)
      .add("concurrency", &ServeRequest::concurrency)
      .add("mlperf", &ServeRequest::mlperf)
      .add("slo_ttft_ms", &ServeRequest::slo_ttft_ms)
      .add("slo_tpot_ms", &ServeRequest::slo_tpot_ms)
      .add("disaggregate", &ServeRequest::disaggregate)
      .add("decode_tp", &ServeRequest::decode_tp)
      .add("decode_pp", &ServeRequest::decode_pp)
      .add("router", &ServeRequest::router)
      .add("timeline", &ServeRequest::timeline)
      .add("system", &ServeRequest::system)
      .add("system_params", &ServeRequest::system_params);
  return b;
}

}  // namespace

void bind_serve(py::module_& m) {
  static const Binder<ServeRequest> serve = serve_keywords();
  def(m, "serve", serve, &api::serve,
      "A serving deployment under load (continuous batching, paged KV cache, MLPerf scenarios): "
      "latency percentiles, throughput, goodput, KV-cache use, cost per token (`xpusim serve`).");
}

}  // namespace xpusim::python
