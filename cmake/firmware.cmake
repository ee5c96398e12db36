# Helpers for firmware sub-builds (included by projects configured with cmake/arm-none-eabi.cmake).
#
#   mcusim_add_firmware(NAME SOURCES a.c b.S PROFILE path/to/profile.json
#                       [DEFINES X=1 ...] [INCLUDES dir ...] [OPTIONS -O2 ...] [SEMIHOSTING rdimon|none])
#
# builds NAME.elf for the profile's core, with its flash/SRAM map written into a generated MEMORY block, the
# startup and linker script from workloads/support, and newlib (librdimon for semihosting printf by default).

set(MCUSIM_SUPPORT_DIR ${CMAKE_CURRENT_LIST_DIR}/../workloads/support)

# Compiler flags for a core name as the profiles spell it.
function(mcusim_core_flags core out)
  if(core STREQUAL "m0plus")
    set(flags -mcpu=cortex-m0plus -mthumb -mfloat-abi=soft)
  elseif(core STREQUAL "m3")
    set(flags -mcpu=cortex-m3 -mthumb -mfloat-abi=soft)
  elseif(core STREQUAL "m4")
    set(flags -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
  elseif(core STREQUAL "m7")
    set(flags -mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16)
  else()
    message(FATAL_ERROR "unknown core '${core}' (m0plus, m3, m4, m7)")
  endif()
  set(${out} ${flags} PARENT_SCOPE)
endfunction()

# Read a number that the profile may write as a JSON number or a "0x..." string.
function(mcusim_json_number json out)
  string(JSON value GET "${json}" ${ARGN})
  if(value MATCHES "^0[xX]")
    math(EXPR value "${value}" OUTPUT_FORMAT DECIMAL)
  endif()
  set(${out} ${value} PARENT_SCOPE)
endfunction()

# Write a linker MEMORY block for the profile's flash and first SRAM region; return the core name.
function(mcusim_profile_memory profile_path out_ld out_core)
  file(READ ${profile_path} json)
  string(JSON core GET "${json}" core)
  mcusim_json_number("${json}" flash_base flash base)
  mcusim_json_number("${json}" flash_size flash size)
  mcusim_json_number("${json}" sram_base sram 0 base)
  mcusim_json_number("${json}" sram_size sram 0 size)
  file(CONFIGURE OUTPUT ${out_ld} CONTENT
"/* generated from ${profile_path} */
MEMORY
{
  FLASH (rx) : ORIGIN = ${flash_base}, LENGTH = ${flash_size}
  SRAM (rwx) : ORIGIN = ${sram_base}, LENGTH = ${sram_size}
}
")
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
