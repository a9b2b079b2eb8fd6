# Every dependency is a Debian 12 package installed by scripts/install-deps.sh; nothing is downloaded here.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(HDF5 REQUIRED COMPONENTS C CXX)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(fmt REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Boost 1.74 REQUIRED)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(FFTW3 REQUIRED IMPORTED_TARGET fftw3)

# Debian's xgboost-config.cmake references /usr/bin/xgboost (only in the `xgboost` package): find by hand.
find_path(XGBOOST_INCLUDE_DIR xgboost/c_api.h)
find_library(XGBOOST_LIBRARY NAMES xgboost)
if(XGBOOST_INCLUDE_DIR AND XGBOOST_LIBRARY)
  # Not linked: auth loads it on first use (dlopen, auth/src/xgboost_api.cpp), so that commands without a boosted
  # baseline neither map it nor run its static initialisers (issue #17: ~4 MB and milliseconds per start). The name
  # loaded is the library's SONAME, as the linker would have recorded it.
  execute_process(COMMAND objdump -p ${XGBOOST_LIBRARY} OUTPUT_VARIABLE xgboost_dynamic ERROR_QUIET)
  if(xgboost_dynamic MATCHES "SONAME +([^ \n]+)")
    set(XGBOOST_SONAME ${CMAKE_MATCH_1})
  else()
    get_filename_component(XGBOOST_SONAME ${XGBOOST_LIBRARY} REALPATH)
  endif()
  add_library(physec_xgboost INTERFACE)
  target_include_directories(physec_xgboost SYSTEM INTERFACE ${XGBOOST_INCLUDE_DIR})
  target_compile_definitions(physec_xgboost INTERFACE PHYSEC_XGBOOST_SONAME="${XGBOOST_SONAME}")
  target_link_libraries(physec_xgboost INTERFACE ${CMAKE_DL_LIBS})
endif()

# HDF5 as one imported target (the FindHDF5 variables differ between CMake versions).
add_library(physec_hdf5 INTERFACE)
target_include_directories(physec_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(physec_hdf5 INTERFACE ${HDF5_CXX_LIBRARIES} ${HDF5_LIBRARIES})

if(PHYSEC_WITH_TORCH)
  find_package(Torch REQUIRED)
  # Torch's exported flags carry -D_GLIBCXX_USE_CXX11_ABI; keep them on its own targets only.
  add_library(physec_torch INTERFACE)
  target_link_libraries(physec_torch INTERFACE ${TORCH_LIBRARIES})
  target_include_directories(physec_torch SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
  # Torch's headers alone (e.g. <torch/arg.h> for option structs), for targets that must not link LibTorch.
  add_library(physec_torch_headers INTERFACE)
  target_include_directories(physec_torch_headers SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
endif()

# The Python module: Debian's python3 (numpy, h5py, pytest are its packages) and Debian's pybind11. Another
# interpreter can be named with -DPython3_EXECUTABLE=...; the module is skipped, with a message, when either is missing.
if(PHYSEC_BUILD_PYTHON)
  if(NOT DEFINED Python3_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python3_EXECUTABLE /usr/bin/python3 CACHE FILEPATH "Python interpreter the module is built for")
  endif()
  find_package(Python3 COMPONENTS Interpreter Development.Module)
  if(Python3_FOUND)
    find_package(pybind11 CONFIG)
  endif()
  if(NOT Python3_FOUND OR NOT pybind11_FOUND)
    message(STATUS "physec: Python module not built (needs python3-dev and pybind11-dev: scripts/install-deps.sh)")
    set(PHYSEC_BUILD_PYTHON OFF)
  endif()
endif()

if(PHYSEC_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
if(PHYSEC_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
