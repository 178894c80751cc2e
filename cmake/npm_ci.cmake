# SPDX-License-Identifier: Apache-2.0
# cmake -DNPM=... -DSRC=<web/ in the source tree> -DDST=<web/ in the build tree> -P npm_ci.cmake
# Installs the chart libraries the HTML reports inline (vega, vega-lite, vega-embed, exactly as
# web/package-lock.json pins them) into DST/node_modules with `npm ci`, then writes DST/npm-ci.stamp.
# Run by the build only when package.json or package-lock.json change. npm keeps a cache (~/.npm),
# so a second build tree (build-asan) installs without the network.
foreach(f package.json package-lock.json)
  configure_file(${SRC}/${f} ${DST}/${f} COPYONLY)
endforeach()
file(REMOVE ${DST}/npm-ci.stamp)
execute_process(
  COMMAND ${NPM} ci --prefer-offline --no-audit --no-fund --ignore-scripts --loglevel=error
  WORKING_DIRECTORY ${DST}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR
    "npm ci failed (${rc}) in ${DST}.\n"
    "The HTML reports (--html) inline vega, vega-lite and vega-embed, pinned by "
    "web/package-lock.json; the build fetches them once from the npm registry (npm config get "
    "registry) and needs the network or a filled npm cache for that. Fix the network or the "
    "registry and build again, or configure with -DXPUSIM_HTML=OFF to build without --html.\n"
    "npm said:\n${out}")
endif()
file(WRITE ${DST}/npm-ci.stamp "npm ci of ${SRC}/package-lock.json\n")
