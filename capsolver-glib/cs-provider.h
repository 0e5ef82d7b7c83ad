/* cs-provider.h: the services that speak the createTask protocol
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
#include "cs-task-type.h"

G_BEGIN_DECLS

/**
 * CsProvider:
 * @CS_PROVIDER_CAPSOLVER: CapSolver (`api.capsolver.com`, then
 *   `api-stable.capsolver.com`), the default
 * @CS_PROVIDER_ANTI_CAPTCHA: Anti-Captcha (`api.anti-captcha.com`)
 * @CS_PROVIDER_TWOCAPTCHA: 2Captcha's API v2 (`api.2captcha.com`, and
 *   `api.rucaptcha.com` for rucaptcha accounts); its name is `2captcha`
 * @CS_PROVIDER_CAPMONSTER: CapMonster Cloud (`api.capmonster.cloud`)
 * @CS_PROVIDER_COMPATIBLE: a service at a base URL of your choice that
 *   speaks CapSolver's dialect, as many do
 *
 * The services whose `createTask` / `getTaskResult` protocol the library
 * knows. They share the protocol but differ in their type names, proxy
 * fields, task ids, error codes, reports and limits: the differences
 * are described in the "Providers" guide page. A [class@Client] speaks
 * the dialect of its [property@Client:provider], and a [class@Sandbox]
 * each of them (see [property@Sandbox:dialect]).
 *
 * [func@Provider.get_name] gives the names to write on a command line or
 * in a configuration file (`capsolver`, `anti-captcha`, `2captcha`,
 * `capmonster`, `compatible`) and [func@Provider.from_name] reads them.
 * They are the nicknames of the values but for 2Captcha's, `twocaptcha`:
 * a name that starts with a digit is no identifier in the bindings.
 *
 * Since: 1.0
 */
typedef enum {
  CS_PROVIDER_CAPSOLVER,
  CS_PROVIDER_ANTI_CAPTCHA,
  CS_PROVIDER_TWOCAPTCHA,
  CS_PROVIDER_CAPMONSTER,
  CS_PROVIDER_COMPATIBLE,
} CsProvider;

CS_AVAILABLE_IN_ALL
const char         *cs_provider_get_name            (CsProvider        provider);
CS_AVAILABLE_IN_ALL
gboolean            cs_provider_from_name           (const char       *name,
                                                     CsProvider       *provider);
CS_AVAILABLE_IN_ALL
const char         *cs_provider_get_display_name    (CsProvider        provider);
CS_AVAILABLE_IN_ALL
const char * const *cs_provider_get_base_urls       (CsProvider        provider);
CS_AVAILABLE_IN_ALL
char              **cs_task_type_dup_provider_names (const CsTaskType *type,
                                                     CsProvider        provider);

/* Here rather than beside the other methods of CsTask and CsSolution,
 * whose headers come before this one. */
CS_AVAILABLE_IN_ALL
CsProvider          cs_task_get_provider            (CsTask           *task);
CS_AVAILABLE_IN_ALL
void                cs_task_set_provider            (CsTask           *task,
                                                     CsProvider        provider);
CS_AVAILABLE_IN_ALL
CsProvider          cs_solution_get_provider        (CsSolution       *solution);

G_END_DECLS
