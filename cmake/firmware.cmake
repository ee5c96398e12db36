# Helpers for firmware sub-builds (included by projects configured with cmake/arm-none-eabi.cmake).
#
#   mcusim_add_firmware(NAME SOURCES a.c b.S PROFILE path/to/profile.json
#                       [DEFINES X=1 ...] [INCLUDES dir ...] [OPTIONS -O2 ...] [SEMIHOSTING rdimon|none])
#
# builds NAME.elf for the profile's core, with its flash/SRAM map written into a generated MEMORY block, the
# startup and linker script from workloads/support, and newlib (librdimon for semihosting printf by default).

set(MCUSIM_SUPPORT_DIR ${CMAKE_CURRENT_LIST_DIR}/../workloads/support)

# Compiler flags for a core name as the profiles spell it: its line of workloads/support/cores.txt, which the
# firmware builder of search and sweep (workloads/explore/fwsupport.c) reads too.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${MCUSIM_SUPPORT_DIR}/cores.txt)
function(mcusim_core_flags core out)
  file(STRINGS ${MCUSIM_SUPPORT_DIR}/cores.txt lines REGEX "^[^#]")
  set(known)
  foreach(line IN LISTS lines)
    string(STRIP "${line}" line)
    string(REGEX REPLACE "[ \t]+" ";" fields "${line}")
    list(POP_FRONT fields name)
    if(name STREQUAL core)
      set(${out} ${fields} PARENT_SCOPE)
      return()
    endif()
    list(APPEND known ${name})
  endforeach()
  list(JOIN known ", " known)
  message(FATAL_ERROR "unknown core '${core}' (${known})")
endfunction()

# Read a number that the profile may write as a JSON number or a "0x..." string.
function(mcusim_json_number json out)
  string(JSON value GET "${json}" ${ARGN})
  if(value MATCHES "^0[xX]")
    math(EXPR value "${value}" OUTPUT_FORMAT DECIMAL)
  endif()
  set(${out} ${value} PARENT_SCOPE)
endfunction()

# Write a linker MEMORY block for the profile's flash and first SRAM region (workloads/support/memory.ld.in, the
# template the firmware builder of search and sweep fills too); return the core name.
function(mcusim_profile_memory profile_path out_ld out_core)
  file(READ ${profile_path} json)
  string(JSON core GET "${json}" core)
  mcusim_json_number("${json}" MCUSIM_FLASH_BASE flash base)
  mcusim_json_number("${json}" MCUSIM_FLASH_SIZE flash size)
  mcusim_json_number("${json}" MCUSIM_SRAM_BASE sram 0 base)
  mcusim_json_number("${json}" MCUSIM_SRAM_SIZE sram 0 size)
  set(MCUSIM_MEMORY_FROM ${profile_path})
  configure_file(${MCUSIM_SUPPORT_DIR}/memory.ld.in ${out_ld} @ONLY)
  set(${out_core} ${core} PARENT_SCOPE)
endfunction()

function(mcusim_add_firmware name)
  cmake_parse_arguments(FW "" "PROFILE;SEMIHOSTING" "SOURCES;DEFINES;INCLUDES;OPTIONS" ${ARGN})
  if(NOT FW_SEMIHOSTING)
    set(FW_SEMIHOSTING rdimon)
  endif()
  set(memory_ld ${CMAKE_CURRENT_BINARY_DIR}/${name}.memory.ld)
  mcusim_profile_memory(${FW_PROFILE} ${memory_ld} core)
  mcusim_core_flags(${core} core_flags)
  add_executable(${name} ${FW_SOURCES} ${MCUSIM_SUPPORT_DIR}/startup.c)
  set_target_properties(${name} PROPERTIES SUFFIX ".elf")
  target_include_directories(${name} PRIVATE ${MCUSIM_SUPPORT_DIR} ${MCUSIM_SUPPORT_DIR}/.. ${FW_INCLUDES})
  target_compile_definitions(${name} PRIVATE ${FW_DEFINES})
  if(NOT FW_OPTIONS)
    set(FW_OPTIONS -O2)
  endif()
  target_compile_options(${name} PRIVATE ${core_flags} ${FW_OPTIONS} -g -ffunction-sections -fdata-sections
                         -Wall -Wextra)
  # C++ as TFLM builds it: no exceptions, no RTTI, no guard calls (no libstdc++ linked: C's driver links)
  target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>)
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE C)
  set(libs -lc -lm)
  if(FW_SEMIHOSTING STREQUAL "rdimon")
    list(APPEND libs -lrdimon)
  else()
    list(APPEND libs -lnosys)
  endif()
  target_link_options(${name} PRIVATE ${core_flags} -nostartfiles -Wl,--gc-sections
                      -L${CMAKE_CURRENT_BINARY_DIR} -T${memory_ld} -T${MCUSIM_SUPPORT_DIR}/cortex-m.ld
                      -Wl,-Map=${CMAKE_CURRENT_BINARY_DIR}/${name}.map)
  target_link_libraries(${name} PRIVATE -Wl,--start-group ${libs} -lgcc -Wl,--end-group)
  set_target_properties(${name} PROPERTIES LINK_DEPENDS "${MCUSIM_SUPPORT_DIR}/cortex-m.ld;${memory_ld}")
endfunction()
