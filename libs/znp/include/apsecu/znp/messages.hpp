// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Every typed ZNP message apsecu uses.

#include "apsecu/znp/msg_af.hpp"
#include "apsecu/znp/msg_common.hpp"
#include "apsecu/znp/msg_sys.hpp"
#include "apsecu/znp/msg_util.hpp"
#include "apsecu/znp/msg_zb.hpp"
#include "apsecu/znp/msg_zdo.hpp"
