#pragma once
/// @file XGBoost's C API as physec uses it, loaded on first use with dlopen (issue #17): `physec` commands that run
/// no boosted baseline neither map libxgboost nor run its static initialisers. Private to physec_auth.

#include <xgboost/c_api.h>

namespace physec::auth {

/// The C API entry points physec calls, with the types of <xgboost/c_api.h>.
struct xgboost_api {
  decltype(&::XGBGetLastError) XGBGetLastError = nullptr;
  decltype(&::XGDMatrixCreateFromMat) XGDMatrixCreateFromMat = nullptr;
  decltype(&::XGDMatrixFree) XGDMatrixFree = nullptr;
  decltype(&::XGBoosterCreate) XGBoosterCreate = nullptr;
  decltype(&::XGBoosterFree) XGBoosterFree = nullptr;
  decltype(&::XGBoosterSetParam) XGBoosterSetParam = nullptr;
  decltype(&::XGBoosterBoostOneIter) XGBoosterBoostOneIter = nullptr;
  decltype(&::XGBoosterPredictFromDMatrix) XGBoosterPredictFromDMatrix = nullptr;
};

/// Loads libxgboost (its SONAME, found at build time) once per process and returns its entry points. Throws
/// physec::error, one line with dlerror()'s reason, when the library or a symbol is missing.
const xgboost_api& xgb();

}  // namespace physec::auth
