// SPDX-License-Identifier: Apache-2.0
// Which designs a search evaluates and how (dse/ stage 3): `grid` takes the designs in grid
// order, `random` a seeded sample without repetition, `lhs` a seeded Latin hypercube over the
// parameters' values; each is a list of design indices fixed
// before any evaluation, so the results do not depend on the number of threads. Designs are
// evaluated in blocks by std::thread workers; each block reaches the sink whole and in index-list
// order (a database writes it in one transaction). Across MPI ranks the blocks make rounds whose
// pieces the ranks take as they finish (RankSplit::kDynamic).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "xpusim/dse/design_evaluator.h"
#include "xpusim/dse/rank_group.h"
#include "xpusim/units/quantity.h"

namespace xpusim {

enum class SearchStrategy { kGrid, kRandom, kLatinHypercube };

// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", OOPSLA
// 2014): the next word of the sequence of `state`; a fixed, portable sequence for a seed, unlike
// the standard distributions.
uint64_t splitmix64(uint64_t& state);

// The designs to evaluate: grid -> 0, 1, ... (the first `max_evals`, 0 = all); random ->
// `max_evals` distinct indices drawn with `seed` (all of them in grid order when max_evals is 0
// or covers the grid); lhs -> lhs_indices over one parameter of `grid_size` values (a stratified
// sample of the indices: search_indices gives the hypercube over a space's parameters).
std::vector<uint64_t> design_indices(uint64_t grid_size, SearchStrategy strategy,
                                     uint64_t max_evals, uint64_t seed);

// Latin hypercube sample of `n` designs over parameters with `value_counts` values each (the
// space's parameters in order): per parameter, the value indices 0..k-1 are cut into n strata
// (stratum j: [floor(j k / n), floor((j+1) k / n)), or the single value floor(j k / n) when n > k),
// each stratum is used by exactly one sample (a seeded permutation, SplitMix64) and the value
// is drawn within it. Returns one column of value indices per parameter (column[p][i]: sample
// i's value of parameter p). A pure function of its arguments.
std::vector<std::vector<uint32_t>> latin_hypercube(const std::vector<uint64_t>& value_counts,
                                                   uint64_t n, uint64_t seed);

// The grid indices of latin_hypercube(value_counts, max_evals, seed), a design drawn twice kept
// once (possible only when max_evals exceeds every parameter's value count), in sample order;
// the whole grid in grid order when max_evals is 0 or covers it.
std::vector<uint64_t> lhs_indices(const std::vector<uint64_t>& value_counts, uint64_t max_evals,
                                  uint64_t seed);

// design_indices for a space: lhs over the space's parameters, grid and random as above.
std::vector<uint64_t> search_indices(const SpaceSpec& space, SearchStrategy strategy,
                                     uint64_t max_evals, uint64_t seed);

// Evaluates `indices` with `threads` workers (>= 1), `block` designs at a time, and hands each
// block's results to `sink` in the order of `indices`.
void evaluate_designs(const DesignEvaluator& evaluator, const std::vector<uint64_t>& indices,
                      int threads, size_t block,
                      const std::function<void(std::vector<DesignResult>&)>& sink);

// The same across the ranks of `group` (collective: every rank calls it with the same indices):
// the index list is cut into rounds of N x `block` designs; each round is shared among the N ranks
// as `split` says (by default dynamically: pieces taken by whichever rank is free), so that
// slower ranks get less and no rank waits long at the round's end. Each rank evaluates its
// pieces with `threads` workers; after each round the results are gathered, and `sink` receives
// the round whole (kContiguous: each rank's run whole) in the order of `indices`, on rank 0
// (`to_all` false: the other ranks' sink is never called) or on every rank (`to_all`). The
// results, and their order, are those of the single-process evaluate_designs whatever the split.
// A round's gather travels while the next round is evaluated (RankGroup::start_gather), so at
// most two rounds are in flight: a killed job loses at most those. `load`, when given, is added
// this rank's designs and times.
// Where one rank's time went in evaluate_designs across ranks (added to, never reset: a caller
// sums several searches). What the MPI benchmark reports per rank (docs/dse.md, MPI): designs per
// CPU-second of evaluation, and the fraction of the wall time spent waiting for the other ranks.
struct RankLoad {
  uint64_t designs = 0;    // designs this rank evaluated
  uint64_t rounds = 0;     // rounds it took part in
  Seconds evaluating{0};   // wall time of its own evaluations
  Seconds evaluating_cpu{0};  // CPU time of this process during them (all its threads)
  Seconds waiting{0};      // wall time in the collectives: the rate exchange and the results' gather
  Seconds behind{0};       // static splits: of which the slowest rank's evaluation time minus
                           // this rank's, per round: idle for the imbalance (the rest is the
                           // collectives' own cost); 0 for kDynamic (no exchange of times)
  Seconds merging{0};      // wall time decoding the gathered results and in `sink` (rank 0)
  // CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID, so neither MPI's helper threads nor
  // another process count) by phase: where a rank's CPU goes in a job against one process alone
  // (docs/dse.md, MPI, "Where a grid rank's CPU went"). Filled by kDynamic and by one rank; the
  // contiguous split (kept for comparison) leaves it at 0.
  struct ThreadCpu {
    Seconds evaluating{0};  // DesignEvaluator::evaluate of its designs (results moved in place)
    Seconds tickets{0};     // take_ticket (kDynamic)
    Seconds encoding{0};    // its results and pieces to bytes
    Seconds gathering{0};   // in the collectives (polls, copies, sleeps' wake-ups)
    Seconds merging{0};     // decoding, putting the round in order and `sink` (rank 0)
    Seconds total{0};       // the whole call (the phases above and the rest: freeing, copies)
    Seconds system{0};      // of the whole call, in the kernel (getrusage RUSAGE_THREAD)
  } thread_cpu;
};

// How a round is shared among the ranks.
// - kDynamic (the default): the round is cut into pieces of consecutive designs (round_pieces:
//   guided sizes, large first, small at the end) and each rank takes the next piece from a counter
//   shared by the ranks (RankGroup::take_ticket) whenever it finishes one, so that a rank on a
//   slower or busier core, or with costlier designs (a swept die that grows past the reticle and
//   stops early, a model that grows), simply takes fewer pieces, and the ranks finish within a
//   small piece of each other.
// - kContiguous: one run of consecutive designs per rank, in rank order, sized by split_by_rate
//   (the split before 2026-12-05).
// The contiguous split is kept for the MPI benchmark's comparison (bench/bench_dse_mpi.cc).
enum class RankSplit { kDynamic, kContiguous };

// Consecutive designs per piece of a round (per worker thread): long enough to keep the runs of
// designs that share a hardware stage or a cost build-up (the last parameters of a grid) mostly
// on one rank (a run cut by a piece's end is computed once more, on another rank) and to make a
// ticket's cost (a few microseconds) negligible, short enough that a round of 2 x 256 designs is
// 16 pieces or more.
inline constexpr size_t kRankPiece = 32;

// One run of consecutive designs of a round: [begin, begin + count), positions within the round.
struct RoundRun {
  size_t begin = 0;
  size_t count = 0;
  bool operator==(const RoundRun&) const = default;
};


// The pieces of a dynamic round of `designs` designs on `ranks` ranks of `threads` workers each,
// in order (they tile [0, designs)): each piece is ceil(remaining / (2 ranks)) designs (guided
// self-scheduling, Polychronopoulos and Kuck, IEEE Trans. Computers 36(12), 1987, takes
// remaining / ranks; factoring, Hummel, Schonberg and Flynn, CACM 35(8), 1992, half of it; both
// recalled), clamped to
// [kRankMinPiece, kRankPiece] x threads, so that the first pieces are long (few tickets, the
// memos' runs kept) and the last ones short (the ranks finish within a short piece of each other).
std::vector<RoundRun> round_pieces(size_t designs, size_t ranks, size_t threads);

// The shortest piece of a dynamic round, per worker thread.
inline constexpr size_t kRankMinPiece = 4;

void evaluate_designs(const DesignEvaluator& evaluator, const std::vector<uint64_t>& indices,
                      const RankGroup& group, int threads, size_t block, bool to_all,
                      const std::function<void(std::vector<DesignResult>&)>& sink,
                      RankLoad* load = nullptr, RankSplit split = RankSplit::kDynamic);

// The block size for `designs` designs on `ranks` ranks: `max_block` for one rank; for more, the
// smallest size that cuts the designs into whole rounds (a multiple of `ranks` blocks) of at most
// `max_block` designs each, so that every rank gets an equal share (756 designs on 2 ranks:
// 4 blocks of 189, not 256 + 256 for rank 0 and 244 for rank 1).
size_t balanced_block(size_t designs, int ranks, size_t max_block);

// `designs` cut into one share per rank in proportion to `rates` (designs per second, >= 0), by
// largest remainder: the shares add up to `designs`, ties go to the lower rank, and rates that are
// all zero or not finite give equal shares.
std::vector<size_t> split_by_rate(size_t designs, const std::vector<double>& rates);

// Results and index lists as bytes, for the ranks of a job (the same machine's layout: ranks of
// one job share their binary); decode(encode(x)) == x, NaN metrics included.
std::string encode_results(const std::vector<DesignResult>& results);
// The same appended to `out` (its size reserved first: one allocation per message).
void encode_results(const std::vector<DesignResult>& results, std::string& out);
// The results encoded in `bytes` from position `from` on (a message's header before them is not
// copied away first).
std::vector<DesignResult> decode_results(const std::string& bytes, size_t from = 0);
std::string encode_indices(const std::vector<uint64_t>& indices);
std::vector<uint64_t> decode_indices(const std::string& bytes);

}  // namespace xpusim
