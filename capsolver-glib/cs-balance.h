/* cs-balance.h: the account balance and packages
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "cs-version.h"

G_BEGIN_DECLS

#define CS_TYPE_BALANCE (cs_balance_get_type ())

CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsBalance, cs_balance, CS, BALANCE, GObject)

CS_AVAILABLE_IN_ALL
double      cs_balance_get_amount   (CsBalance *balance);
CS_AVAILABLE_IN_ALL
GListModel *cs_balance_get_packages (CsBalance *balance);

G_END_DECLS
