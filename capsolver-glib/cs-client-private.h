/* cs-client-private.h: the parts of CsClient shared between its sources
 *
 * cs-client.c is the object and the protocol's methods; cs-client-call.c
 * one HTTP exchange and the cooldown pause; cs-client-solve.c the
 * scheduler that creates and polls; cs-client-sync.c the blocking forms.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "cs-private.h"

G_BEGIN_DECLS

#define DEFAULT_FIRST_POLL_DELAY 2000   /* ms; token tasks are never ready sooner */
#define DEFAULT_POLL_INTERVAL    3000   /* ms; what the service asks for */
#define DEFAULT_DEADLINE         150000 /* ms; the service gives up at 120 s */
#define DEFAULT_MAX_POLLS        120    /* the service answers no more per task */
#define DEFAULT_REQUEST_TIMEOUT  60000  /* ms for one whole HTTP exchange */
#define SESSION_IO_TIMEOUT       60     /* s, per socket operation */
/* Polls are idempotent: a transient failure of one does not end the solve,
 * unless it happens this many times in a row. */
#define MAX_TRANSIENT_POLL_ERRORS 3

struct _CsClient
{
  GObject      parent_instance;

  char        *api_key;
  char        *base_url;
  char        *app_id;
  guint        first_poll_delay;
  guint        poll_interval;
  guint        deadline;
  guint        max_polls;
  guint        request_timeout;
  gboolean     pause_on_cooldown;
  gboolean     allow_insecure_http;
  SoupSession *session;
  GTlsDatabase *tls_database;   /* NULL: the session's own */

  /* after a cooldown error: no request before paused_until (monotonic µs) */
  GMutex       pause_lock;
  gint64       paused_until;
  CsError      paused_by;
};


/* cs-client-call.c */
void        _cs_client_call_async      (CsClient            *self,
                                        const char          *method,
                                        JsonObject          *body,
                                        gboolean             idempotent,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
gboolean    _cs_client_call_finish     (CsClient            *self,
                                        GAsyncResult        *result,
                                        CsReply             *reply,
                                        GError             **error);

/* cs-client.c */
gboolean    _cs_client_check_api_key   (CsClient            *self,
                                        GError             **error);
/* G_IO_ERROR_INVALID_ARGUMENT unless the base URL is one requests may be
 * sent to: http or https with a host, and https unless the host is this
 * machine or CsClient:allow-insecure-http is set. */
gboolean    _cs_client_check_base_url  (CsClient            *self,
                                        GError             **error);

G_END_DECLS
