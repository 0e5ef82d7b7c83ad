/* cs-task.h: one captcha job, its request fields and its lifecycle
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
#include "cs-proxy.h"
#include "cs-solution.h"

G_BEGIN_DECLS

/**
 * CsTaskStatus:
 * @CS_TASK_STATUS_NEW: not sent yet
 * @CS_TASK_STATUS_IDLE: created, waiting for a worker
 * @CS_TASK_STATUS_PROCESSING: being solved
 * @CS_TASK_STATUS_READY: solved; the task has its solution
 * @CS_TASK_STATUS_FAILED: the service gave up on it, or the client did:
 *   it used all the polls [property@Client:max-polls] allows
 *   (%CS_ERROR_POLLS_EXHAUSTED), after which the service answers no more
 *   for the task
 *
 * Where a task is in its life, as the service last reported it. A poll
 * that fails without an answer of the service (an outage) leaves it as
 * it was.
 *
 * Since: 1.0
 */
typedef enum {
  CS_TASK_STATUS_NEW,
  CS_TASK_STATUS_IDLE,
  CS_TASK_STATUS_PROCESSING,
  CS_TASK_STATUS_READY,
  CS_TASK_STATUS_FAILED,
} CsTaskStatus;

#define CS_TYPE_TASK (cs_task_get_type ())

CS_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (CsTask, cs_task, CS, TASK, GObject)

/**
 * CsTaskClass:
 * @parent_class: the parent class
 * @get_type_name: returns the `task.type` to send when none was set with
 *   [method@Task.set_type_name]; typed tasks choose it from their properties
 *
 * The class of [class@Task]. The typed tasks in this library fill in their
 * behaviour from a table of task families; the virtual function is there for
 * task types defined outside the library.
 *
 * Since: 1.0
 */
struct _CsTaskClass
{
  GObjectClass parent_class;

  const char *(*get_type_name) (CsTask *task);

  /*< private >*/
  gpointer padding[12];
};

CS_AVAILABLE_IN_ALL
CsTask       *cs_task_new              (const char   *type_name);
CS_AVAILABLE_IN_ALL
CsTask       *cs_task_new_for_id       (const char   *task_id);

CS_AVAILABLE_IN_ALL
const char   *cs_task_get_type_name    (CsTask       *task);
CS_AVAILABLE_IN_ALL
void          cs_task_set_type_name    (CsTask       *task,
                                        const char   *type_name);

CS_AVAILABLE_IN_ALL
void          cs_task_set_string       (CsTask       *task,
                                        const char   *field,
                                        const char   *value);
CS_AVAILABLE_IN_ALL
void          cs_task_set_int          (CsTask       *task,
                                        const char   *field,
                                        gint64        value);
CS_AVAILABLE_IN_ALL
void          cs_task_set_double       (CsTask       *task,
                                        const char   *field,
                                        double        value);
CS_AVAILABLE_IN_ALL
void          cs_task_set_boolean      (CsTask       *task,
                                        const char   *field,
                                        gboolean      value);
CS_AVAILABLE_IN_ALL
void          cs_task_set_json         (CsTask       *task,
                                        const char   *field,
                                        JsonNode     *value);
CS_AVAILABLE_IN_ALL
gboolean      cs_task_set_image        (CsTask       *task,
                                        const char   *field,
                                        GBytes       *image,
                                        GError      **error);
CS_AVAILABLE_IN_ALL
void          cs_task_remove_field     (CsTask       *task,
                                        const char   *field);
CS_AVAILABLE_IN_ALL
JsonNode     *cs_task_get_field        (CsTask       *task,
                                        const char   *field);

CS_AVAILABLE_IN_ALL
CsProxy      *cs_task_get_proxy        (CsTask       *task);
CS_AVAILABLE_IN_ALL
void          cs_task_set_proxy        (CsTask       *task,
                                        CsProxy      *proxy);
CS_AVAILABLE_IN_ALL
CsProxyFormat cs_task_get_proxy_format (CsTask       *task);
CS_AVAILABLE_IN_ALL
void          cs_task_set_proxy_format (CsTask       *task,
                                        CsProxyFormat format);

CS_AVAILABLE_IN_ALL
const char   *cs_task_get_callback_url (CsTask       *task);
CS_AVAILABLE_IN_ALL
void          cs_task_set_callback_url (CsTask       *task,
                                        const char   *callback_url);

CS_AVAILABLE_IN_ALL
JsonObject   *cs_task_to_json          (CsTask       *task);
CS_AVAILABLE_IN_ALL
gboolean      cs_task_validate         (CsTask       *task,
                                        GError      **error);

CS_AVAILABLE_IN_ALL
const char   *cs_task_get_task_id      (CsTask       *task);
CS_AVAILABLE_IN_ALL
CsTaskStatus  cs_task_get_status       (CsTask       *task);
CS_AVAILABLE_IN_ALL
CsSolution   *cs_task_get_solution     (CsTask       *task);
CS_AVAILABLE_IN_ALL
guint         cs_task_get_poll_count   (CsTask       *task);

G_END_DECLS
