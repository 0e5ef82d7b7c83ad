/* cs-task-type.h: the task types the library knows, as read-only data
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
#include "cs-task.h"

G_BEGIN_DECLS

/**
 * CsProxyRequirement:
 * @CS_PROXY_REQUIREMENT_NONE: the type never takes a proxy
 * @CS_PROXY_REQUIREMENT_OPTIONAL: the type is solved through the
 *   service's own proxies or through yours, under two type names
 * @CS_PROXY_REQUIREMENT_REQUIRED: the type is solved through your proxy
 *   only: a task without one is refused
 *
 * Whether a task type is solved through a proxy (see
 * [method@Task.set_proxy]).
 *
 * Since: 1.0
 */
typedef enum {
  CS_PROXY_REQUIREMENT_NONE,
  CS_PROXY_REQUIREMENT_OPTIONAL,
  CS_PROXY_REQUIREMENT_REQUIRED,
} CsProxyRequirement;

/**
 * CsTaskFieldKind:
 * @CS_TASK_FIELD_KIND_STRING: a JSON string; a `gchararray` property
 * @CS_TASK_FIELD_KIND_BOOLEAN: a JSON boolean; a `gboolean` property
 * @CS_TASK_FIELD_KIND_INT: a JSON integer; a `gint64` property
 * @CS_TASK_FIELD_KIND_DOUBLE: a JSON number; a `gdouble` property
 * @CS_TASK_FIELD_KIND_STRV: a JSON array of strings; a `GStrv` property
 * @CS_TASK_FIELD_KIND_OBJECT: a JSON object; a `JsonObject` property
 * @CS_TASK_FIELD_KIND_COOKIES: cookies: a `GStrv` property of
 *   `name=value` strings, sent as an array of `{"name": …, "value": …}`
 *   objects; the service also reads one `"a=b; c=d"` string
 *
 * What a field of a task type holds, in JSON and as the property of its
 * typed task.
 *
 * Since: 1.0
 */
typedef enum {
  CS_TASK_FIELD_KIND_STRING,
  CS_TASK_FIELD_KIND_BOOLEAN,
  CS_TASK_FIELD_KIND_INT,
  CS_TASK_FIELD_KIND_DOUBLE,
  CS_TASK_FIELD_KIND_STRV,
  CS_TASK_FIELD_KIND_OBJECT,
  CS_TASK_FIELD_KIND_COOKIES,
} CsTaskFieldKind;

typedef struct _CsTaskType CsTaskType;
typedef struct _CsTaskField CsTaskField;

#define CS_TYPE_TASK_TYPE (cs_task_type_get_type ())
#define CS_TYPE_TASK_FIELD (cs_task_field_get_type ())

CS_AVAILABLE_IN_ALL
GType                     cs_task_type_get_type              (void) G_GNUC_CONST;
CS_AVAILABLE_IN_ALL
GType                     cs_task_field_get_type             (void) G_GNUC_CONST;

CS_AVAILABLE_IN_ALL
const CsTaskType * const *cs_task_type_get_all               (guint             *n_types);
CS_AVAILABLE_IN_ALL
const CsTaskType         *cs_task_type_find                  (const char        *name);
CS_AVAILABLE_IN_ALL
const CsTaskType         *cs_task_type_lookup                (const char        *wire_name);
CS_AVAILABLE_IN_ALL
const CsTaskType         *cs_task_get_task_type              (CsTask            *task);

CS_AVAILABLE_IN_ALL
const char               *cs_task_type_get_name              (const CsTaskType  *type);
CS_AVAILABLE_IN_ALL
const char               *cs_task_type_get_wire_name         (const CsTaskType  *type,
                                                              gboolean           with_proxy,
                                                              gboolean           enterprise);
CS_AVAILABLE_IN_ALL
char                    **cs_task_type_dup_wire_names        (const CsTaskType  *type);
CS_AVAILABLE_IN_ALL
CsProxyRequirement        cs_task_type_get_proxy_requirement (const CsTaskType  *type);
CS_AVAILABLE_IN_ALL
GType                     cs_task_type_get_task_gtype        (const CsTaskType  *type);
CS_AVAILABLE_IN_ALL
CsTask                   *cs_task_type_new_task              (const CsTaskType  *type);
CS_AVAILABLE_IN_ALL
const CsTaskField * const *cs_task_type_get_fields           (const CsTaskType  *type,
                                                              guint             *n_fields);
CS_AVAILABLE_IN_ALL
const CsTaskField        *cs_task_type_lookup_field          (const CsTaskType  *type,
                                                              const char        *name);

CS_AVAILABLE_IN_ALL
const char               *cs_task_field_get_member           (const CsTaskField *field);
CS_AVAILABLE_IN_ALL
const char               *cs_task_field_get_property_name    (const CsTaskField *field);
CS_AVAILABLE_IN_ALL
CsTaskFieldKind           cs_task_field_get_kind             (const CsTaskField *field);
CS_AVAILABLE_IN_ALL
gboolean                  cs_task_field_is_required          (const CsTaskField *field);
CS_AVAILABLE_IN_ALL
const char               *cs_task_field_get_required_unless  (const CsTaskField *field);
CS_AVAILABLE_IN_ALL
gboolean                  cs_task_field_is_image             (const CsTaskField *field);
CS_AVAILABLE_IN_ALL
const char               *cs_task_field_get_example          (const CsTaskField *field);

CS_AVAILABLE_IN_ALL
char                     *cs_suggest_name                    (const char         *word,
                                                              const char * const *candidates);

G_END_DECLS
