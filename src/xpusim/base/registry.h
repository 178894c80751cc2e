// SPDX-License-Identifier: Apache-2.0
// An explicit registry of the implementations of one pluggable role (CONVENTIONS §7): filled by
// one register_builtins() call, a duplicate name is an error, an unknown name is an error listing
// the known ones with a "did you mean". Factories return unique_ptr.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xpusim/base/diagnostic.h"
#include "xpusim/base/text.h"

namespace xpusim {

template <class Role>
class Registry {
 public:
  using Factory = std::function<std::unique_ptr<Role>()>;

  // `role` names the kind in messages ("router").
  explicit Registry(std::string role) : role_(std::move(role)) {}

  Result<void> add(std::string name, std::string description, Factory factory) {
    for (const auto& e : entries_)
      if (e.name == name) return fail(role_ + " '" + name + "' is registered twice");
    entries_.push_back({std::move(name), std::move(description), std::move(factory)});
    return {};
  }

  [[nodiscard]] Result<std::unique_ptr<Role>> create(std::string_view name) const {
    for (const auto& e : entries_)
      if (e.name == name) return e.factory();
    std::string msg = "unknown " + role_ + " '" + std::string(name) + "'; known: " + join(names());
    if (auto m = closest_match(name, names())) msg += "; did you mean '" + *m + "'?";
    return fail(msg);
  }

  [[nodiscard]] std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.name);
    return out;
  }

  [[nodiscard]] std::string description(std::string_view name) const {
    for (const auto& e : entries_)
      if (e.name == name) return e.description;
    return {};
  }

 private:
  struct Entry {
    std::string name;
    std::string description;
    Factory factory;
  };
  std::string role_;
  std::vector<Entry> entries_;
};

}  // namespace xpusim
