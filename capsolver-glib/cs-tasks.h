/* cs-tasks.h: typed tasks, one class per CapSolver task family
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include "cs-task.h"

G_BEGIN_DECLS

/* STUB: the typed tasks are declared here (issue 4). */

G_END_DECLS
