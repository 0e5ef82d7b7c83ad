/* cs-package.h: a call package on the account
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include "cs-version.h"

G_BEGIN_DECLS

#define CS_TYPE_PACKAGE (cs_package_get_type ())

CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsPackage, cs_package, CS, PACKAGE, GObject)

CS_AVAILABLE_IN_ALL
const char *cs_package_get_id              (CsPackage *package);
CS_AVAILABLE_IN_ALL
gint64      cs_package_get_package_type    (CsPackage *package);
CS_AVAILABLE_IN_ALL
const char *cs_package_get_title           (CsPackage *package);
CS_AVAILABLE_IN_ALL
gint64      cs_package_get_number_of_calls (CsPackage *package);
CS_AVAILABLE_IN_ALL
gint64      cs_package_get_status          (CsPackage *package);
CS_AVAILABLE_IN_ALL
gint64      cs_package_get_expire_time     (CsPackage *package);
CS_AVAILABLE_IN_ALL
const char *cs_package_get_token           (CsPackage *package);

G_END_DECLS
