# cmake/install.cmake — `cmake --install` and the .deb (issue 19 item 3; docs/install.md).
# Installs: bin/mcusim, bin/mcusim-gen; libmcusim.so (the engine's public API, sim/mcusim.h, symbols mcusim_*,
# prof_*, mem_* exported, everything else hidden) and libmcusim.a (the engine and the libraries below it in one
# archive); the public headers under include/mcusim/; LIBDIR/pkgconfig/mcusim.pc; share/mcusim/ (profiles, annotation
# presets, and what sweeps and searches build firmware from: the runtime, support files, bundled models); man pages
# from --help; bash completion; the Python package. The installed mcusim finds share/mcusim relative to itself
# (sim/cli/main.c), so an install works without the source tree.
# Libraries go to Debian's multiarch directory (lib/x86_64-linux-gnu, what debhelper passes as CMAKE_INSTALL_LIBDIR)
# for every prefix: GNUInstallDirs picks it by itself only when the prefix is /usr at configure time, and
# `cmake --install --prefix` and the .deb (CPack installs to /usr) use the value configured. A plain "lib" (also the
# value a build folder configured before this rule has cached) becomes the multiarch one; any other
# -DCMAKE_INSTALL_LIBDIR= is kept, and -DMCUSIM_MULTIARCH_LIBDIR=OFF keeps "lib".
option(MCUSIM_MULTIARCH_LIBDIR "install libraries to Debian's lib/<multiarch> (CMAKE_INSTALL_LIBDIR)" ON)
if(MCUSIM_MULTIARCH_LIBDIR AND CMAKE_LIBRARY_ARCHITECTURE AND EXISTS /etc/debian_version)
  if(NOT DEFINED CMAKE_INSTALL_LIBDIR OR CMAKE_INSTALL_LIBDIR STREQUAL "lib")
    set(CMAKE_INSTALL_LIBDIR "lib/${CMAKE_LIBRARY_ARCHITECTURE}" CACHE PATH "Object code libraries (LIBDIR)" FORCE)
  endif()
endif()
include(GNUInstallDirs)

# The engine and everything it links, compiled once more as position-independent objects (the static libraries the
# binaries use stay non-PIC: the run loop's speed). Sources are taken from the targets, so a file added to one of
# them is in the installed library too.
set(mcusim_dist_sources)
foreach(t mcusim_lib mcusim_elf mcusim_devices mcusim_probes mcusim_memory mcusim_profiles mcusim_isa mcusim_tflite
          mcusim_common)
  get_target_property(dir ${t} SOURCE_DIR)
  get_target_property(srcs ${t} SOURCES)
  foreach(s ${srcs})
    if(IS_ABSOLUTE "${s}")
      list(APPEND mcusim_dist_sources "${s}")
    else()
      list(APPEND mcusim_dist_sources "${dir}/${s}")
    endif()
  endforeach()
endforeach()
# sim/ finds these two for itself (directory-scoped imported targets)
pkg_check_modules(NETTLE REQUIRED IMPORTED_TARGET nettle)
pkg_check_modules(LIBDW REQUIRED IMPORTED_TARGET libdw)
add_library(mcusim_dist_objects OBJECT ${mcusim_dist_sources})
set_target_properties(mcusim_dist_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)
target_include_directories(mcusim_dist_objects PRIVATE ${CMAKE_SOURCE_DIR})
target_link_libraries(mcusim_dist_objects PRIVATE PkgConfig::UNICORN PkgConfig::CAPSTONE PkgConfig::CJSON
                                                  PkgConfig::LIBELF PkgConfig::NETTLE PkgConfig::LIBDW)
set(mcusim_dist_dir ${CMAKE_BINARY_DIR}/dist)
add_library(mcusim_shared SHARED $<TARGET_OBJECTS:mcusim_dist_objects>)
set_target_properties(mcusim_shared PROPERTIES OUTPUT_NAME mcusim VERSION ${PROJECT_VERSION}
                      SOVERSION ${PROJECT_VERSION_MAJOR} LIBRARY_OUTPUT_DIRECTORY ${mcusim_dist_dir}
                      LINK_DEPENDS ${CMAKE_SOURCE_DIR}/cmake/libmcusim.map)
target_link_options(mcusim_shared PRIVATE -Wl,--version-script=${CMAKE_SOURCE_DIR}/cmake/libmcusim.map
                    -Wl,--no-undefined)
target_link_libraries(mcusim_shared PRIVATE PkgConfig::UNICORN PkgConfig::CAPSTONE PkgConfig::CJSON
                                            PkgConfig::LIBELF PkgConfig::NETTLE PkgConfig::LIBDW iberty m)
add_library(mcusim_static STATIC $<TARGET_OBJECTS:mcusim_dist_objects>)
set_target_properties(mcusim_static PROPERTIES OUTPUT_NAME mcusim ARCHIVE_OUTPUT_DIRECTORY ${mcusim_dist_dir})

install(TARGETS mcusim mcusim-gen RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS mcusim_shared mcusim_static LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# the public API and the headers it includes, at the paths it includes them by: #include "sim/mcusim.h"
foreach(h sim/mcusim.h memory/mem.h profiles/prof.h sim/probes/fp_view.h sim/devices/periph.h sim/devices/dev.h)
  get_filename_component(d ${h} DIRECTORY)
  install(FILES ${CMAKE_SOURCE_DIR}/${h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mcusim/${d})
endforeach()
# prefix relative to the .pc file itself, so that --prefix, DESTDIR and the .deb all give a right file
file(RELATIVE_PATH mcusim_pc_to_prefix /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
configure_file(${CMAKE_SOURCE_DIR}/cmake/mcusim.pc.in ${CMAKE_BINARY_DIR}/mcusim.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/mcusim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# data: share/mcusim/{profiles,annotations,workloads/...} (the layout of the source tree, so MCUSIM_ROOT may be it)
set(mcusim_share ${CMAKE_INSTALL_DATADIR}/mcusim)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/profiles/ DESTINATION ${mcusim_share}/profiles FILES_MATCHING PATTERN "*.json")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/annotations/ DESTINATION ${mcusim_share}/annotations
        FILES_MATCHING PATTERN "*.json")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/workloads/runtime ${CMAKE_SOURCE_DIR}/workloads/support
                  ${CMAKE_SOURCE_DIR}/workloads/models DESTINATION ${mcusim_share}/workloads)
install(FILES ${CMAKE_SOURCE_DIR}/workloads/mcusim_trace.h DESTINATION ${mcusim_share}/workloads)
install(FILES ${CMAKE_SOURCE_DIR}/workloads/firmware/main.c DESTINATION ${mcusim_share}/workloads/firmware)
install(FILES ${CMAKE_SOURCE_DIR}/docs/report.schema.json ${CMAKE_SOURCE_DIR}/docs/profiles.schema.json
              ${CMAKE_SOURCE_DIR}/docs/plan.schema.json ${CMAKE_SOURCE_DIR}/docs/check.schema.json
              ${CMAKE_SOURCE_DIR}/docs/search.schema.json DESTINATION ${mcusim_share}/schemas)

# man pages from --help (Debian help2man; scripts/setup.sh installs it); skipped with a message when missing
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(mcusim_man_pages)
  # command and its one-line NAME (as the usage table in sim/cli/main.c says it)
  set(mcusim_man_names
      "run|simulate a Cortex-M firmware ELF: cycles, instructions, memory, JSON report"
      "profiles|list the bundled MCU profiles" "bench|speed of full accounting against bare Unicorn"
      "compare|two reports side by side" "plan|analytic memory and MAC plan of a model JSON"
      "check|regression gate: a report against a baseline" "export|render reports: HTML, Perfetto, massif, CSV"
      "search|schedule search: Pareto front and chosen schedule" "sweep|models x schedules x profiles, shardable"
      "merge|join the reports of sweep shards into one table"
      "rerun|repeat the run a report records")
  foreach(entry ${mcusim_man_names})
    string(REPLACE "|" ";" parts "${entry}")
    list(GET parts 0 cmd)
    list(GET parts 1 summary)
    set(page ${CMAKE_BINARY_DIR}/man/mcusim-${cmd}.1)
    add_custom_command(OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
              "--name=${summary}" --help-option=--help -o ${page} "$<TARGET_FILE:mcusim> ${cmd}"
      DEPENDS mcusim VERBATIM)
    list(APPEND mcusim_man_pages ${page})
  endforeach()
  set(mcusim_man_name_mcusim "Cortex-M inference firmware simulator")
  set(mcusim_man_name_mcusim-gen "model JSON and schedule to generated C and weights")
  foreach(bin mcusim mcusim-gen)
    set(page ${CMAKE_BINARY_DIR}/man/${bin}.1)
    add_custom_command(OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --no-discard-stderr --version-string=${PROJECT_VERSION}
              "--name=${mcusim_man_name_${bin}}" -o ${page} $<TARGET_FILE:${bin}>
      DEPENDS ${bin} VERBATIM)
    list(APPEND mcusim_man_pages ${page})
  endforeach()
  add_custom_target(mcusim_man ALL DEPENDS ${mcusim_man_pages})
  install(FILES ${mcusim_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: no man pages (scripts/setup.sh installs help2man)")
endif()
install(FILES ${CMAKE_SOURCE_DIR}/scripts/mcusim.bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME mcusim)

# the Python package (python/mcusim, over the CLI's JSON; docs/python.md) into Debian's path for the prefix
set(MCUSIM_PYTHON_DIR lib/python3/dist-packages CACHE STRING "where cmake --install puts the Python package, relative to the prefix")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/python/mcusim DESTINATION ${MCUSIM_PYTHON_DIR}
        PATTERN "__pycache__" EXCLUDE)

# the .deb: cpack -G DEB in the build folder
set(CPACK_PACKAGE_NAME mcusim)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "mcusim maintainers <mcusim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Cortex-M inference firmware simulator: cycles, SRAM per layer, JSON reports")
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "gcc-arm-none-eabi, libnewlib-arm-none-eabi, python3")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
include(CPack)
