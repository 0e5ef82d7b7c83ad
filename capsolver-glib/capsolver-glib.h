/* capsolver-glib.h: the only header applications include
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#define __CAPSOLVER_GLIB_INSIDE__

#include "cs-version.h"
#include "cs-enum-types.h"
#include "cs-error.h"
#include "cs-account-state.h"
#include "cs-proxy.h"
#include "cs-provider.h"
#include "cs-solution.h"
#include "cs-package.h"
#include "cs-balance.h"
#include "cs-usage.h"
#include "cs-task.h"
#include "cs-task-type.h"
#include "cs-typed-tasks.h"
#include "cs-client.h"
#include "cs-keyring.h"
#include "cs-sandbox.h"

#undef __CAPSOLVER_GLIB_INSIDE__
