// SPDX-License-Identifier: Apache-2.0
#include "xpusim/dse/result_db.h"

#include <cmath>
#include <filesystem>
#include <set>

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include "xpusim/base/text.h"

namespace xpusim {
namespace {

constexpr const char* kDbFormat = "xpusim-dse/1";

std::string ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A metric's column: its name and type from the metric table (dse/metrics.h metric_fields).
std::string column(const ResultField& f) { return ident(f.name) + " " + std::string(sql_type(f.type)); }

const char* column_type(const SpaceParameter& p) {
  switch (p.field.kind) {
    case FieldKind::kInteger: return "INTEGER";
    case FieldKind::kQuantity:
    case FieldKind::kReal: return "REAL";
    case FieldKind::kBool: return "INTEGER";
    default: return "TEXT";
  }
}

Diagnostic db_error(const std::string& path, std::string message) {
  return Diagnostic{.file = "<command line>", .path = "--db", .message = quote(path) + ": " + message};
}

std::optional<InfeasibleReason> reason_from_name(const std::string& name) {
  // Every reason up to the last declared (base/feasibility.h: kLatency).
  for (int i = 0; i <= static_cast<int>(InfeasibleReason::kLatency); ++i) {
    const auto r = static_cast<InfeasibleReason>(i);
    if (to_string(r) == name) return r;
  }
  return std::nullopt;
}

// The names of the designs table's columns: a file written before metrics were appended to the
// table (metrics.h) lacks theirs.
std::set<std::string> design_columns(SQLite::Database& db) {
  std::set<std::string> columns;
  SQLite::Statement info(db, "PRAGMA table_info(designs)");
  while (info.executeStep()) columns.insert(info.getColumn(1).getString());
  return columns;
}

// The per-model columns of a `model_metrics: per_model` space, `metric@model` (as the JSON's
// per_model_metrics keys), model by model, in Metric order, hardware-only metrics left out (they
// are the design's columns); none for any other space.
struct ModelColumn {
  std::string name;
  size_t at = 0;  // position in DesignResult::model_metrics
  const ResultField* field = nullptr;
};
std::vector<ModelColumn> model_columns(const SpaceSpec& space) {
  std::vector<ModelColumn> out;
  if (!space.per_model()) return out;
  for (size_t k = 0; k < space.model_count(); ++k)
    for (size_t i = 0; i < kMetricCount; ++i) {
      const auto m = static_cast<Metric>(i);
      if (hardware_only(m)) continue;
      out.push_back({space.metric_ref_name(m, static_cast<int>(k)), k * kMetricCount + i,
                     &metric_fields()[i]});
    }
  return out;
}

}  // namespace

ResultDb::ResultDb(std::unique_ptr<SQLite::Database> db) : db_(std::move(db)) {}
ResultDb::~ResultDb() = default;

Result<std::unique_ptr<ResultDb>> ResultDb::open_for_search(const std::string& path,
                                                            const SpaceSpec& space,
                                                            const std::string& space_text,
                                                            bool resume) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (exists && !resume)
    return fail(db_error(path, "exists; pass --resume to continue the search it holds, or name a "
                               "new file"));
  const std::string canonical = canonical_space_text(space);
  std::unique_ptr<SQLite::Database> db;
  try {
    db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db->exec("PRAGMA journal_mode=WAL");
    db->exec("PRAGMA synchronous=NORMAL");
    if (exists && db->tableExists("meta")) {
      SQLite::Statement q(*db, "SELECT value FROM meta WHERE key = 'space_canonical'");
      const std::string stored = q.executeStep() ? q.getColumn(0).getString() : "";
      if (stored != canonical)
        return fail(db_error(path, fmt::format("holds the results of another space (hash {}, this "
                                               "space {}); resume with the space it was made "
                                               "with, or name a new file",
                                               hash_hex(stored), hash_hex(canonical))));
      if (db->tableExists("designs")) {
        // A file written before metrics were appended to the table (metrics.h): the new columns
        // are added empty, so the resumed designs have them and the old rows keep theirs.
        const std::set<std::string> columns = design_columns(*db);
        for (const ResultField& m : metric_fields())
          if (!columns.contains(std::string(m.name)))
            db->exec("ALTER TABLE designs ADD COLUMN " + column(m));
        return std::unique_ptr<ResultDb>(new ResultDb(std::move(db)));
      }
    } else if (exists && db->tableExists("designs")) {
      return fail(db_error(path, "is not an xpusim results file (no meta table)"));
    }
    SQLite::Transaction t(*db);
    db->exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    SQLite::Statement ins(*db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
             {"format", kDbFormat},
             {"space_file", space.file},
             {"space_text", space_text},
             {"space_canonical", canonical},
             {"space_hash", hash_hex(canonical)}}) {
      ins.bind(1, k);
      ins.bind(2, v);
      ins.exec();
      ins.reset();
    }
    std::string sql = "CREATE TABLE designs (design_id TEXT PRIMARY KEY, design_index INTEGER NOT "
                      "NULL UNIQUE";
    for (const auto& p : space.parameters) {
      sql += ", " + ident(p.path) + " " + column_type(p);
      for (const auto& tf : p.tied) sql += ", " + ident(tf.path) + " " + column_type(tf);
    }
    sql += ", feasible INTEGER NOT NULL, infeasible_reason TEXT, infeasible_detail TEXT";
    for (const ResultField& m : metric_fields()) sql += ", " + column(m);
    for (const ModelColumn& mc : model_columns(space))
      sql += ", " + ident(mc.name) + " " + std::string(sql_type(mc.field->type));
    db->exec(sql + ")");
    t.commit();
  } catch (const SQLite::Exception& e) {
    return fail(db_error(path, e.what()));
  }
  return std::unique_ptr<ResultDb>(new ResultDb(std::move(db)));
}

Result<std::unique_ptr<ResultDb>> ResultDb::open_for_reading(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return fail(db_error(path, std::filesystem::exists(path, ec) ? "is not a regular file"
                                                                 : "no such file"));
  try {
    auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READONLY);
    if (!db->tableExists("meta") || !db->tableExists("designs"))
      return fail(db_error(path, "is not an xpusim results file (no meta and designs tables)"));
    return std::unique_ptr<ResultDb>(new ResultDb(std::move(db)));
  } catch (const SQLite::Exception& e) {
    return fail(db_error(path, std::string("cannot be read as SQLite: ") + e.what()));
  }
}

std::string ResultDb::meta(const std::string& key) const {
  SQLite::Statement q(*db_, "SELECT value FROM meta WHERE key = ?");
  q.bind(1, key);
  return q.executeStep() ? q.getColumn(0).getString() : "";
}

std::unordered_set<uint64_t> ResultDb::stored_indices() const {
  std::unordered_set<uint64_t> out;
  SQLite::Statement q(*db_, "SELECT design_index FROM designs");
  while (q.executeStep()) out.insert(static_cast<uint64_t>(q.getColumn(0).getInt64()));
  return out;
}

void ResultDb::write(const SpaceSpec& space, const std::vector<DesignResult>& results) {
  // Columns by name: a resumed older file has its appended metric columns in another order.
  std::string sql = "INSERT INTO designs (design_id, design_index";
  size_t fields = 0;
  for (const auto& p : space.parameters) {
    sql += ", " + ident(p.path);
    for (const auto& tf : p.tied) sql += ", " + ident(tf.path);
    fields += 1 + p.tied.size();
  }
  sql += ", feasible, infeasible_reason, infeasible_detail";
  for (const ResultField& m : metric_fields()) sql += ", " + ident(m.name);
  const std::vector<ModelColumn> per_model = model_columns(space);
  for (const ModelColumn& mc : per_model) sql += ", " + ident(mc.name);
  sql += ") VALUES (?, ?";
  for (size_t i = 0; i < fields + 3 + kMetricCount + per_model.size(); ++i) sql += ", ?";
  SQLite::Transaction t(*db_);
  SQLite::Statement ins(*db_, sql + ")");
  for (const auto& r : results) {
    int col = 1;
    ins.bind(col++, r.design_id);
    ins.bind(col++, static_cast<int64_t>(r.index));
    const std::vector<uint32_t> c = space.choice(r.index);
    auto bind_value = [&](const SpaceParameter& p, const ParameterValue& v) {
      if (p.field.kind == FieldKind::kInteger) ins.bind(col++, static_cast<int64_t>(*v.number));
      else if (p.field.kind == FieldKind::kBool) ins.bind(col++, v.text == "true" ? 1 : 0);
      else if (v.number) ins.bind(col++, *v.number);
      else ins.bind(col++, v.text);
    };
    for (size_t i = 0; i < c.size(); ++i) {
      const SpaceParameter& p = space.parameters[i];
      bind_value(p, p.values[c[i]]);
      for (const auto& tf : p.tied) bind_value(tf, tf.values[c[i]]);
    }
    ins.bind(col++, r.feasibility.feasible() ? 1 : 0);
    if (r.feasibility.feasible()) {
      ins.bind(col++);
      ins.bind(col++);
    } else {
      ins.bind(col++, std::string(r.feasibility.reason_name()));
      ins.bind(col++, r.feasibility.detail);
    }
    for (double m : r.metrics) {
      if (std::isfinite(m)) ins.bind(col++, m);
      else ins.bind(col++);
    }
    for (const ModelColumn& mc : per_model) {
      const double m = mc.at < r.model_metrics.size() ? r.model_metrics[mc.at] : NAN;
      if (std::isfinite(m)) ins.bind(col++, m);
      else ins.bind(col++);
    }
    ins.exec();
    ins.reset();
  }
  t.commit();
}

void ResultDb::for_each(const std::function<void(const DesignResult&)>& fn) const {
  for_each(SpaceSpec{}, fn);
}

void ResultDb::for_each(const SpaceSpec& space,
                        const std::function<void(const DesignResult&)>& fn) const {
  // A file written before a metric was appended to the table (metrics.h) and read without a
  // resume (which adds the columns) lacks its column: the metric reads as no figure (NULL).
  const std::set<std::string> columns = design_columns(*db_);
  auto column_or_null = [&](std::string_view name) {
    return columns.contains(std::string(name)) ? ident(name) : std::string("NULL");
  };
  std::string sql = "SELECT design_id, design_index, feasible, infeasible_reason, infeasible_detail";
  for (const ResultField& m : metric_fields()) sql += ", " + column_or_null(m.name);
  const std::vector<ModelColumn> per_model = model_columns(space);
  for (const ModelColumn& mc : per_model) sql += ", " + column_or_null(mc.name);
  SQLite::Statement q(*db_, sql + " FROM designs ORDER BY design_index");
  while (q.executeStep()) {
    DesignResult r;
    r.design_id = q.getColumn(0).getString();
    r.index = static_cast<uint64_t>(q.getColumn(1).getInt64());
    if (q.getColumn(2).getInt() == 0) {
      const std::string name = q.getColumn(3).getString();
      r.feasibility.reason = reason_from_name(name).value_or(InfeasibleReason::kInvalid);
      r.feasibility.detail = q.getColumn(4).getString();
    }
    for (size_t i = 0; i < kMetricCount; ++i) {
      auto col = q.getColumn(static_cast<int>(5 + i));
      if (!col.isNull()) r.metrics[i] = col.getDouble();
    }
    if (!per_model.empty() && r.feasibility.feasible()) {
      r.model_metrics.assign(space.model_count() * kMetricCount, NAN);
      for (size_t j = 0; j < per_model.size(); ++j) {
        auto col = q.getColumn(static_cast<int>(5 + kMetricCount + j));
        if (!col.isNull()) r.model_metrics[per_model[j].at] = col.getDouble();
      }
      // The hardware-only figures are the design's, the same for every model.
      for (size_t k = 0; k < space.model_count(); ++k)
        for (size_t i = 0; i < kMetricCount; ++i)
          if (hardware_only(static_cast<Metric>(i))) r.model_metrics[k * kMetricCount + i] = r.metrics[i];
    }
    fn(r);
  }
}

}  // namespace xpusim
