/* cs-solution.h: the answer to a solved task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include <json-glib/json-glib.h>
#include "cs-version.h"

G_BEGIN_DECLS

#define CS_TYPE_SOLUTION (cs_solution_get_type ())

CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsSolution, cs_solution, CS, SOLUTION, GObject)

CS_AVAILABLE_IN_ALL
CsSolution   *cs_solution_new               (JsonObject  *object);

CS_AVAILABLE_IN_ALL
JsonObject   *cs_solution_get_json          (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
char         *cs_solution_to_string         (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
gboolean      cs_solution_has_field         (CsSolution  *solution,
                                             const char  *field);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_string        (CsSolution  *solution,
                                             const char  *field);
CS_AVAILABLE_IN_ALL
gboolean      cs_solution_get_int           (CsSolution  *solution,
                                             const char  *field,
                                             gint64      *value);
CS_AVAILABLE_IN_ALL
gboolean      cs_solution_get_double        (CsSolution  *solution,
                                             const char  *field,
                                             double      *value);
CS_AVAILABLE_IN_ALL
gboolean      cs_solution_get_boolean       (CsSolution  *solution,
                                             const char  *field,
                                             gboolean    *value);

/* Typed getters: NULL / FALSE when the field is absent or of another type. */
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_text          (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_token         (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_user_agent    (CsSolution  *solution);
/* TYPED GETTERS (issue 4): answers, sec-ch-ua, cookies map, cookie, expire/create
 * time, classification (type, objects, hasObject, size, box, distance, angle,
 * rects), GeeTest v3/v4 fields, recaptcha-ca-t/-e. */

G_END_DECLS
