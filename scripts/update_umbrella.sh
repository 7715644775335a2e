#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerates include/kolosal/kolosal.hpp from the public headers (detail/ folders excluded).
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo '// SPDX-License-Identifier: MIT'
  echo '// Umbrella header for applications: everything kolosal offers. Never included by the library or'
  echo '// its tests, which include only what they use. Regenerate with scripts/update_umbrella.sh.'
  echo '#pragma once'
  echo
  (cd include && find kolosal -name '*.hpp' -not -path '*/detail/*' -not -name kolosal.hpp; echo kolosal/version.hpp) |
    LC_ALL=C sort | sed 's/.*/#include "&"/'
} > include/kolosal/kolosal.hpp
