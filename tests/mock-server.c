/* mock-server.c: a scripted CapSolver server for the C tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mock-server.h"

/* STUB: written with the client tests (issue 2). */
