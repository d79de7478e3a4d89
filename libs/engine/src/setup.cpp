// SPDX-License-Identifier: GPL-3.0-or-later
#include "apsecu/engine/setup.hpp"

#include "apsecu/aps/requests.hpp"

namespace apsecu::engine {

znp::CoordinatorConfig coordinator_config(const aps::EcuId& ecu) {
  znp::CoordinatorConfig c;
  c.ieee = ecu.ieee();
  c.pan_id = ecu.pan_id();
  c.normal_op_payload = aps::encode_normal_operation(ecu);
  return c;
}

}  // namespace apsecu::engine
