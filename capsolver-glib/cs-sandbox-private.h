/* cs-sandbox-private.h: the parts of CsSandbox, shared between its sources
 *
 * cs-sandbox.c is the HTTP side (the GObject, faults, counters);
 * cs-sandbox-server.c runs a SoupServer in a thread of its own;
 * cs-sandbox-service.c is the service (keys, balances, tasks, the
 * protocol's methods); cs-sandbox-answers.c checks images and makes the
 * deterministic solutions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "cs-private.h"

G_BEGIN_DECLS

/* Requests larger than this are refused with ERROR_BAD_REQUEST. */
#define CS_SANDBOX_MAX_REQUEST_SIZE (8 * 1024 * 1024)

/* The price of a solved task, in millionths of a USD. */
#define CS_SANDBOX_TOKEN_PRICE       800   /* 0.0008 USD */
#define CS_SANDBOX_RECOGNITION_PRICE 400   /* 0.0004 USD */

/* --- A SoupServer on 127.0.0.1 in a thread of its own ---------------------- */

typedef struct _CsServerThread CsServerThread;

CsServerThread   *_cs_server_thread_start        (guint               port,
                                                  SoupServerCallback  early_handler,
                                                  SoupServerCallback  handler,
                                                  gpointer            user_data,
                                                  GError            **error);
guint             _cs_server_thread_get_port     (CsServerThread     *thread);
GMainContext     *_cs_server_thread_get_context  (CsServerThread     *thread);
void              _cs_server_thread_set_timeouts (CsServerThread     *thread,
                                                  guint               header_timeout,
                                                  guint               idle_timeout);
void              _cs_server_thread_get_connections (CsServerThread  *thread,
                                                  guint              *accepted,
                                                  guint              *open);
void              _cs_server_thread_stop         (CsServerThread     *thread);
/* For handlers of such a server. */
void              _cs_server_delay_message       (SoupServer         *server,
                                                  SoupServerMessage  *message,
                                                  guint               delay_ms);
void              _cs_server_drop_connection     (SoupServerMessage  *message);

/* --- The service ---------------------------------------------------------
 *
 * Not thread-safe: CsSandbox holds its lock around every call.
 */

typedef struct _CsSandboxService CsSandboxService;

struct _CsSandboxService
{
  GHashTable *balances;          /* API key → gint64 *, millionths of a USD */
  GHashTable *tasks;             /* task id → SandboxTask */
  GQueue      scripted_failures; /* error codes (char *) for the next tasks */
  guint       polls_until_ready;
  guint       ready_delay;       /* ms */
  guint       task_lifetime;     /* s */
};

CsSandboxService *_cs_sandbox_service_new        (void);
void              _cs_sandbox_service_free       (CsSandboxService *service);
void              _cs_sandbox_service_set_balance (CsSandboxService *service,
                                                  const char       *api_key,
                                                  double            balance);
double            _cs_sandbox_service_get_balance (CsSandboxService *service,
                                                  const char       *api_key);
void              _cs_sandbox_service_fail_next  (CsSandboxService *service,
                                                  const char       *error_code);
gint64            _cs_sandbox_service_get_price  (const char       *type_name);

/* The API method a request path names ("/createTask/" → "createTask"), as
 * a static string, or NULL for a path the service does not have. */
const char       *_cs_sandbox_service_lookup_method (const char    *path);

/* Answers one request of @method; returns the HTTP status and sets
 * @reply to the body. */
guint             _cs_sandbox_service_call       (CsSandboxService *service,
                                                  const char       *method,
                                                  JsonObject       *request,
                                                  JsonObject      **reply);

/* An error envelope; returns its HTTP status (401 for key errors, 400
 * otherwise). */
guint             _cs_sandbox_error_reply        (const char       *code,
                                                  const char       *description,
                                                  JsonObject      **reply);

/* --- Answers ---------------------------------------------------------------
 *
 * Errors are in CS_ERROR; their message is the errorDescription to send.
 */

gboolean          _cs_sandbox_check_images       (const CsTaskFamily *family,
                                                  JsonObject         *task,
                                                  GError            **error);
JsonObject       *_cs_sandbox_answer             (const CsTaskFamily *family,
                                                  JsonObject         *task,
                                                  gint64              created_ms,
                                                  GError            **error);

G_END_DECLS
