/* cs-usage.h: what a client asked of the service, and spent
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
#include "cs-error.h"

G_BEGIN_DECLS

#define CS_TYPE_USAGE (cs_usage_get_type ())

typedef struct _CsUsage CsUsage;

CS_AVAILABLE_IN_ALL
GType       cs_usage_get_type            (void) G_GNUC_CONST;

CS_AVAILABLE_IN_ALL
CsUsage    *cs_usage_ref                 (CsUsage        *usage);
CS_AVAILABLE_IN_ALL
void        cs_usage_unref               (CsUsage        *usage);

CS_AVAILABLE_IN_ALL
guint64     cs_usage_get_submitted       (const CsUsage  *usage);
CS_AVAILABLE_IN_ALL
guint64     cs_usage_get_created         (const CsUsage  *usage);
CS_AVAILABLE_IN_ALL
guint64     cs_usage_get_solved          (const CsUsage  *usage);
CS_AVAILABLE_IN_ALL
guint64     cs_usage_get_failed          (const CsUsage  *usage,
                                          CsRetryClass    retry_class);
CS_AVAILABLE_IN_ALL
guint64     cs_usage_get_cancelled       (const CsUsage  *usage);
CS_AVAILABLE_IN_ALL
guint64     cs_usage_get_failed_total    (const CsUsage  *usage);
CS_AVAILABLE_IN_ALL
guint64     cs_usage_get_not_sent        (const CsUsage  *usage);
CS_AVAILABLE_IN_ALL
guint64     cs_usage_get_feedback_sent   (const CsUsage  *usage);
CS_AVAILABLE_IN_ALL
guint64     cs_usage_get_endpoint_switches (const CsUsage *usage);
CS_AVAILABLE_IN_ALL
double      cs_usage_get_cost            (const CsUsage  *usage);
CS_AVAILABLE_IN_ALL
double      cs_usage_get_estimated_cost  (const CsUsage  *usage);
CS_AVAILABLE_IN_ALL
char       *cs_usage_to_string           (const CsUsage  *usage);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CsUsage, cs_usage_unref)

G_END_DECLS
