# Helpers shared by every layer: warnings on our code only, test and benchmark registration.

function(physec_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  if(PHYSEC_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# physec_add_library(name SOURCES ... DEPS ...): library physec_<name> with headers in <name>/include.
function(physec_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(physec_${name} STATIC ${ARG_SOURCES})
  add_library(physec::${name} ALIAS physec_${name})
  target_include_directories(physec_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(physec_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  physec_warnings(physec_${name})
endfunction()

# physec_add_test(name LABEL unit|statistical|regression|gpu SOURCES ... DEPS ... [TIMEOUT s])
# One GoogleTest executable; each TEST becomes a ctest entry with the label.
function(physec_add_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/common)
  target_compile_definitions(${name} PRIVATE
    PHYSEC_SOURCE_DIR="${PROJECT_SOURCE_DIR}" PHYSEC_BINARY_DIR="${PROJECT_BINARY_DIR}")
  physec_warnings(${name})
  gtest_discover_tests(${name}
    PROPERTIES LABELS ${ARG_LABEL} TIMEOUT ${ARG_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()

# physec_add_bench(name SOURCES ... DEPS ...): a Google Benchmark program, also run once by ctest (label bench).
function(physec_add_bench name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;ARGS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  physec_warnings(${name})
  if(PHYSEC_BUILD_TESTS)
    add_test(NAME ${name} COMMAND ${name} --benchmark_min_time=0.01 --benchmark_repetitions=1 ${ARG_ARGS})
    set_tests_properties(${name} PROPERTIES LABELS bench TIMEOUT 300)
  endif()
endfunction()

# physec_use_torch_pch(target): reuse the nn library's precompiled <torch/torch.h> (one PCH for the whole tree).
# Executables get -fPIC so that their flags match the library's (GCC refuses a PCH built with another -fpic/-fpie).
function(physec_use_torch_pch target)
  target_precompile_headers(${target} REUSE_FROM physec_nn)
  get_target_property(kind ${target} TYPE)
  if(kind STREQUAL "EXECUTABLE")
    target_compile_options(${target} PRIVATE -fPIC)
  endif()
endfunction()
