/* cs-tasks.c: typed tasks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"

/* STUB: the typed tasks are defined here (issue 4). */
