/* fuzz-sandbox.c: any request body, to any method of the sandbox
 *
 * The first byte picks the method: 'c' createTask, 'r' getTaskResult,
 * 'b' getBalance, 'f' feedbackTask (any other byte, by its value); a
 * lower-case letter puts the sandbox's key in the body, so that the
 * request gets past authorization. The rest is the JSON body. A task the
 * sandbox creates is polled once.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-sandbox-private.h"
#include "fuzz-target.h"

#define FUZZ_KEY "CAP-FUZZ0123456789ABCDEF0123456789ABCDEF"

static const char *
pick_method (guchar selector)
{
  static const char * const methods[] = {
    "createTask", "getTaskResult", "getBalance", "feedbackTask",
  };

  switch (g_ascii_tolower (selector))
    {
    case 'c':
      return methods[0];
    case 'r':
      return methods[1];
    case 'b':
      return methods[2];
    case 'f':
      return methods[3];
    default:
      return methods[selector % G_N_ELEMENTS (methods)];
    }
}

static void
poll_created (CsSandboxService *service,
              JsonObject       *created)
{
  const char *task_id = _cs_json_get_string (created, "taskId");
  g_autoptr(JsonObject) request = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *held = NULL;
  guint delay_ms = 0;

  if (task_id == NULL)
    return;
  request = json_object_new ();
  json_object_set_string_member (request, "clientKey", FUZZ_KEY);
  json_object_set_string_member (request, "taskId", task_id);
  _cs_sandbox_service_call (service, "getTaskResult", request, &reply, &delay_ms, &held);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  CsSandboxService *service;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autofree char *path = NULL;
  g_autofree char *held = NULL;
  const char *method;
  guint delay_ms = 0;
  guint status;

  if (size == 0)
    return 0;
  path = g_strndup ((const char *) data + 1, size - 1);
  (void) _cs_sandbox_service_lookup_method (path);

  method = pick_method (data[0]);
  body = _cs_json_parse ((const char *) data + 1, size - 1, NULL);
  if (body == NULL || !JSON_NODE_HOLDS_OBJECT (body))
    return 0;
  if (g_ascii_islower (data[0]))
    json_object_set_string_member (json_node_get_object (body), "clientKey", FUZZ_KEY);

  service = _cs_sandbox_service_new ();
  _cs_sandbox_service_set_balance (service, FUZZ_KEY, 100.0);
  service->polls_until_ready = 0;
  status = _cs_sandbox_service_call (service, method, json_node_get_object (body), &reply,
                                     &delay_ms, &held);
  /* a getToken of a task not solved yet is held, with no reply */
  g_assert_true (status == 0 ? reply == NULL && held != NULL : reply != NULL && status >= 200);
  if (status == 200 && strcmp (method, "createTask") == 0)
    poll_created (service, reply);
  _cs_sandbox_service_free (service);
  return 0;
}
