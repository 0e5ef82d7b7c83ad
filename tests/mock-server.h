/* mock-server.h: a scripted CapSolver server for the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "cs-private.h"

G_BEGIN_DECLS

/* STUB: written with the client tests (issue 2). */

G_END_DECLS
