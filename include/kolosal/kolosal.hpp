// SPDX-License-Identifier: MIT
// Umbrella header for applications: everything kolosal offers. Never included by the library or
// its tests, which include only what they use. Regenerate with scripts/update_umbrella.sh.
#pragma once

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/config.hpp"
#include "kolosal/core/context.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/core/function_ref.hpp"
#include "kolosal/core/log.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/core/simd.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/data/datetime.hpp"
#include "kolosal/data/eigen.hpp"
#include "kolosal/data/frame.hpp"
#include "kolosal/data/split.hpp"
#include "kolosal/data/task.hpp"
#include "kolosal/metrics/classification.hpp"
#include "kolosal/metrics/registry.hpp"
#include "kolosal/metrics/regression.hpp"
#include "kolosal/training/dummy.hpp"
#include "kolosal/training/registry.hpp"
#include "kolosal/version.hpp"
