/* cs-solution.h: the answer to a solved task
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
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
CS_AVAILABLE_IN_ALL
GStrv         cs_solution_get_answers       (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_sec_ch_ua     (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
GHashTable   *cs_solution_get_cookies       (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_cookie        (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
gint64        cs_solution_get_expire_time   (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
gint64        cs_solution_get_create_time   (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_recaptcha_ca_t (CsSolution *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_recaptcha_ca_e (CsSolution *solution);

/* What the reply said beside the solution (Anti-Captcha, 2Captcha). */
CS_AVAILABLE_IN_ALL
double        cs_solution_get_cost          (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_ip            (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
gint64        cs_solution_get_task_create_time (CsSolution *solution);
CS_AVAILABLE_IN_ALL
gint64        cs_solution_get_task_end_time (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
gint64        cs_solution_get_solve_count   (CsSolution  *solution);

/* Classification and VisionEngine answers. */
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_classification_type (CsSolution *solution);
CS_AVAILABLE_IN_ALL
int          *cs_solution_get_objects       (CsSolution  *solution,
                                             gsize       *n_objects);
CS_AVAILABLE_IN_ALL
gboolean      cs_solution_get_has_object    (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
guint         cs_solution_get_size          (CsSolution  *solution);
CS_AVAILABLE_IN_ALL
double       *cs_solution_get_box           (CsSolution  *solution,
                                             gsize       *n_values);
CS_AVAILABLE_IN_ALL
gboolean      cs_solution_get_distance      (CsSolution  *solution,
                                             double      *distance);
CS_AVAILABLE_IN_ALL
gboolean      cs_solution_get_angle         (CsSolution  *solution,
                                             double      *angle);
CS_AVAILABLE_IN_ALL
double       *cs_solution_get_rects         (CsSolution  *solution,
                                             gsize       *n_values);

/* GeeTest version 3. */
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_geetest_challenge (CsSolution *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_geetest_validate  (CsSolution *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_geetest_seccode   (CsSolution *solution);

/* GeeTest version 4. */
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_geetest_captcha_id     (CsSolution *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_geetest_captcha_output (CsSolution *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_geetest_gen_time       (CsSolution *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_geetest_lot_number     (CsSolution *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_geetest_pass_token     (CsSolution *solution);
CS_AVAILABLE_IN_ALL
const char   *cs_solution_get_geetest_risk_type      (CsSolution *solution);

G_END_DECLS
