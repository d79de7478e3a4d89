// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Builds the coordinator's configuration from the ECU id: the ZNP layer knows nothing of
// APsystems ids, so the IEEE, PAN and normal-operation payload are derived here.

#include "apsecu/aps/ids.hpp"
#include "apsecu/znp/coordinator.hpp"

namespace apsecu::engine {

[[nodiscard]] znp::CoordinatorConfig coordinator_config(const aps::EcuId& ecu);

}  // namespace apsecu::engine
