#include "xgboost_api.hpp"

#include <dlfcn.h>

#include <optional>
#include <string>
#include <type_traits>

#include "physec/core/error.hpp"

namespace physec::auth {

namespace {

xgboost_api load() {
  // RTLD_LOCAL: its symbols (and those of libdmlc, libgomp it brings) stay out of the global namespace.
  void* lib = ::dlopen(PHYSEC_XGBOOST_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = ::dlerror();
    throw error(std::string("XGBoost could not be loaded: ") + (why ? why : "unknown reason"),
                {"", "xgboost", std::nullopt}, PHYSEC_XGBOOST_SONAME, "not loadable");
  }
  xgboost_api api;
  const auto bind = [lib](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(::dlsym(lib, name));
    if (!fn)
      throw error(std::string("XGBoost lacks ") + name, {"", "xgboost", std::nullopt},
                  "the C API of XGBoost 1.6 or later", PHYSEC_XGBOOST_SONAME);
  };
  bind(api.XGBGetLastError, "XGBGetLastError");
  bind(api.XGDMatrixCreateFromMat, "XGDMatrixCreateFromMat");
  bind(api.XGDMatrixFree, "XGDMatrixFree");
  bind(api.XGBoosterCreate, "XGBoosterCreate");
  bind(api.XGBoosterFree, "XGBoosterFree");
  bind(api.XGBoosterSetParam, "XGBoosterSetParam");
  bind(api.XGBoosterBoostOneIter, "XGBoosterBoostOneIter");
  bind(api.XGBoosterPredictFromDMatrix, "XGBoosterPredictFromDMatrix");
  return api;  // the library stays loaded for the life of the process
}

}  // namespace

const xgboost_api& xgb() {
  static const xgboost_api api = load();
  return api;
}

}  // namespace physec::auth
