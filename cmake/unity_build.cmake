# Sources kept out of the unity batches of XPUSIM_UNITY_BUILD (CMakeLists.txt; docs/architecture.md
# "Build"). A unity batch is one translation unit, so two files of a batch may not both define a
# name in an anonymous namespace. Where two files of a target do, one of them is compiled on its
# own here instead of renaming the helpers (the two versions differ: trim() on spaces and tabs vs
# std::isspace, shown() cut at 40 vs kMaxShown bytes, field() for another schema type), so that the
# sources stay as they are for the other builds. Each entry: directory, file, and the clash.
#
# xpusim_unity_skip(DIRECTORY dir FILES file... ): SKIP_UNITY_BUILD_INCLUSION on those sources of
# the targets defined in `dir` (source properties are per directory).
function(xpusim_unity_skip)
  cmake_parse_arguments(ARG "" "DIRECTORY" "FILES" ${ARGN})
  set(files "")
  foreach(f IN LISTS ARG_FILES)
    list(APPEND files ${PROJECT_SOURCE_DIR}/${ARG_DIRECTORY}/${f})
  endforeach()
  set_source_files_properties(${files} DIRECTORY ${PROJECT_SOURCE_DIR}/${ARG_DIRECTORY}
                              PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
endfunction()

if(XPUSIM_UNITY_BUILD)
  # d(int64_t) in graph_builder.cc and step_shape.cc.
  xpusim_unity_skip(DIRECTORY src/xpusim/workload FILES step_shape.cc)
  # dataset.cc: shown() and trim() as in trace_reader.cc, field<S>() as in engine_profile.cc.
  xpusim_unity_skip(DIRECTORY src/xpusim/serving FILES dataset.cc)
  # row_case.cc: trim() as in measured_row.cc (one returns std::string, with std::isspace).
  # validator.cc: Validator::Impl holds types of its anonymous namespace, which GCC's
  # -Wsubobject-linkage (an error under -Werror) flags once the file is included into a batch.
  xpusim_unity_skip(DIRECTORY src/xpusim/validate FILES row_case.cc validator.cc)
  # Test programs of several sources: preset(id) in area_presets_test.cc and
  # multi_die_area_test.cc.
  xpusim_unity_skip(DIRECTORY tests/unit/area FILES multi_die_area_test.cc)
endif()

# The chart libraries (web_assets.cc, generated data without our warning and sanitizer flags)
# stay one translation unit of their own.
if(XPUSIM_UNITY_BUILD)
  set_target_properties(xpusim_web_assets PROPERTIES UNITY_BUILD OFF)
endif()
