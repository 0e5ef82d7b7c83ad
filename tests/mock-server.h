/* mock-server.h: a scripted CapSolver server for the C tests
 *
 * A SoupServer on 127.0.0.1 that runs in a thread of its own, so that the
 * blocking calls of the client can be tested as well as the asynchronous
 * ones. Tests script the replies of each method in order, and read back
 * every request the server received.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "capsolver-glib.h"
#include "cs-private.h"

G_BEGIN_DECLS

/* A key of the real shape: "CAP-" and 64 upper-case hex digits. */
#define MOCK_API_KEY "CAP-0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"

/* The secrets of an exchange, as _cs_redact() takes them. */
#define MOCK_SECRETS(...) ((const char * const []) { __VA_ARGS__, NULL })

/* How long a test waits for an operation before it fails, in seconds. */
#define MOCK_WAIT_TIMEOUT 20

typedef struct _MockServer MockServer;

MockServer *mock_server_new                (void);
void        mock_server_free               (MockServer  *server);
const char *mock_server_get_url            (MockServer  *server);
CsClient   *mock_server_new_client         (MockServer  *server,
                                            const char  *api_key);

/* --- Scripting the replies ---------------------------------------------------
 *
 * @method is the API method without a slash ("createTask"). Each method has
 * its own queue of replies, taken in order; when it is empty, the fallback
 * reply set with mock_server_set_fallback() answers, and without one the
 * server answers 500 with a plain-text body.
 */

void        mock_server_add_reply          (MockServer  *server,
                                            const char  *method,
                                            guint        http_status,
                                            const char  *json);
void        mock_server_add_raw_reply      (MockServer  *server,
                                            const char  *method,
                                            guint        http_status,
                                            const char  *content_type,
                                            GBytes      *body);
void        mock_server_add_delayed_reply  (MockServer  *server,
                                            const char  *method,
                                            guint        delay_ms,
                                            guint        http_status,
                                            const char  *json);
void        mock_server_add_drop           (MockServer  *server,
                                            const char  *method);
void        mock_server_set_fallback       (MockServer  *server,
                                            const char  *method,
                                            guint        http_status,
                                            const char  *json);

/* --- What the server received -------------------------------------------- */

guint       mock_server_count_requests     (MockServer  *server,
                                            const char  *method);
char       *mock_server_dup_request_body   (MockServer  *server,
                                            const char  *method,
                                            guint        index);
char       *mock_server_dup_request_header (MockServer  *server,
                                            const char  *method,
                                            guint        index,
                                            const char  *header);
JsonObject *mock_server_dup_request_json   (MockServer  *server,
                                            const char  *method,
                                            guint        index);

/* Asserts that request @index of @method had exactly the body @expected. */
#define mock_assert_request_body(server, method, index, expected)            \
  G_STMT_START {                                                              \
    g_autofree char *mock_body_ = mock_server_dup_request_body ((server),    \
                                                                (method),    \
                                                                (index));    \
    g_assert_cmpstr (mock_body_, ==, (expected));                             \
  } G_STMT_END

/* --- Waiting for an asynchronous call ------------------------------------------
 *
 * Pass mock_store_result as the callback and a GAsyncResult pointer as its
 * data; mock_wait_result() iterates the thread-default context until the
 * result arrives, and fails the test after MOCK_WAIT_TIMEOUT seconds.
 */

void          mock_store_result            (GObject       *source,
                                            GAsyncResult  *result,
                                            gpointer       user_data);
GAsyncResult *mock_wait_result             (GAsyncResult **slot);

/* --- Tasks ---------------------------------------------------------------- */

/* An ImageToTextTask with the image of 2Captcha's documented request
 * (tests/dialects), which every provider takes. */
CsTask       *mock_new_image_task          (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MockServer, mock_server_free)

G_END_DECLS
