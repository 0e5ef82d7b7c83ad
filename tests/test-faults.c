/* test-faults.c: every operation against every fault a server can commit
 *
 * One cell per operation (createTask, a solve whose first poll meets the
 * fault, getBalance, feedbackTask) and fault. Each cell runs against a
 * raw HTTP server of its own that serves one connection at a time in a
 * thread per connection, so that it can also misbehave below HTTP: close
 * before or after reading the request, stop halfway through a body, or
 * never answer. Each cell checks the outcome docs/errors.md gives for it,
 * and that the server saw createTask at most once.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "cs-sandbox-private.h"
#include "mock-server.h"

#define REQUEST_TIMEOUT_MS 200   /* the client's; slow replies take longer */
#define SLOW_REPLY_MS      600
#define HUGE_BODY_SIZE     (64 * 1024 * 1024)
#define DEEP_NESTING       200000

typedef enum {
  FAULT_NONE,
  FAULT_500,
  FAULT_502_HTML,
  FAULT_503_HTML,
  FAULT_BAD_JSON,
  FAULT_TRUNCATED,
  FAULT_HUGE,
  FAULT_DEEP,
  FAULT_CLOSE_BEFORE_READ,
  FAULT_CLOSE_AFTER_READ,
  FAULT_SLOW,
  FAULT_SILENT,
  FAULT_UNKNOWN_HTTP_STATUS,
  FAULT_UNKNOWN_TASK_STATUS,
  FAULT_MISSING_FIELDS,
  FAULT_WRONG_TYPES,
  FAULT_INTEGER_TASK_ID,
  FAULT_ERROR_ID_STRING,
  FAULT_429,
  FAULT_429_RETRY_AFTER,
  FAULT_REDIRECT,
  N_FAULTS
} Fault;

static const char * const fault_names[N_FAULTS] = {
  "none", "500", "502-html", "503-html", "malformed-json", "truncated-body", "64-mib-body",
  "deep-json", "close-before-read", "close-after-read", "slower-than-timeout", "never-answers",
  "unknown-http-status", "unknown-task-status", "missing-fields", "wrong-field-types",
  "integer-task-id", "error-id-string", "429", "429-retry-after", "3xx",
};

typedef enum {
  OP_CREATE,
  OP_POLL,
  OP_BALANCE,
  OP_FEEDBACK,
  N_OPS
} Operation;

static const char * const op_names[N_OPS] = {
  "createTask", "solve-polling", "getBalance", "feedbackTask",
};

/* What a cell must end in. */
typedef enum {
  OUT_OK,                    /* success, retried if need be */
  OUT_PROTOCOL,              /* CS_ERROR_PROTOCOL */
  OUT_IO,                    /* G_IO_ERROR, the connection failed */
  OUT_TIMED_OUT,             /* G_IO_ERROR_TIMED_OUT */
  OUT_SERVICE_UNAVAILABLE,   /* CS_ERROR_SERVICE_UNAVAILABLE */
  OUT_RATE_LIMIT,            /* CS_ERROR_RATE_LIMIT */
} Outcome;

/* --- A raw HTTP server ----------------------------------------------------- */

typedef struct {
  GMutex             lock;
  GCond              cond;
  GSocketListener   *listener;
  GCancellable      *cancellable;
  GThread           *accept_thread;
  guint16            port;
  /* under the lock */
  Fault              faults[4];   /* for connections 0..3, then none */
  guint              n_connections;
  guint              n_active;
  GHashTable        *counts;      /* method → count, GUINT_TO_POINTER */
} FaultServer;

typedef struct {
  FaultServer       *server;
  GSocketConnection *connection;
  Fault              fault;
} Connection;

static void
write_all (GOutputStream *out,
           const void    *data,
           gsize          size)
{
  g_output_stream_write_all (out, data, size, NULL, NULL, NULL);
}

static void
write_head (GOutputStream *out,
            guint          status,
            const char    *reason,
            const char    *content_type,
            gsize          length,
            const char    *extra_headers)
{
  g_autofree char *head = g_strdup_printf ("HTTP/1.1 %u %s\r\n"
                                           "Content-Type: %s\r\n"
                                           "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                                           "%s"
                                           "Connection: close\r\n\r\n",
                                           status, reason, content_type, length,
                                           extra_headers != NULL ? extra_headers : "");

  write_all (out, head, strlen (head));
}

static void
write_reply (GOutputStream *out,
             guint          status,
             const char    *content_type,
             const char    *body,
             const char    *extra_headers)
{
  write_head (out, status, status == 200 ? "OK" : "Fault", content_type, strlen (body),
              extra_headers);
  write_all (out, body, strlen (body));
}

/* The reply of @method when nothing goes wrong. */
static const char *
normal_body (const char *method)
{
  if (g_strcmp0 (method, "createTask") == 0)
    return "{\"errorId\":0,\"taskId\":\"t-1\"}";
  if (g_strcmp0 (method, "getTaskResult") == 0)
    return "{\"errorId\":0,\"status\":\"ready\",\"solution\":{\"gRecaptchaResponse\":\"tok\"}}";
  if (g_strcmp0 (method, "getBalance") == 0)
    return "{\"errorId\":0,\"balance\":1.5}";
  return "{\"errorId\":0}";
}

static void
write_huge (GOutputStream *out)
{
  g_autofree char *chunk = g_malloc (1024 * 1024);

  memset (chunk, ' ', 1024 * 1024);
  write_head (out, 200, "OK", "application/json", HUGE_BODY_SIZE, NULL);
  /* until the client hangs up, which it does after its own limit */
  for (guint i = 0; i < HUGE_BODY_SIZE / (1024 * 1024); i++)
    if (!g_output_stream_write_all (out, chunk, 1024 * 1024, NULL, NULL, NULL))
      break;
}

static void
write_deep (GOutputStream *out)
{
  g_autofree char *body = g_malloc (2 * DEEP_NESTING + 1);

  memset (body, '[', DEEP_NESTING);
  memset (body + DEEP_NESTING, ']', DEEP_NESTING);
  body[2 * DEEP_NESTING] = '\0';
  write_reply (out, 200, "application/json", body, NULL);
}

/* The faults that are one fixed reply. */
static const struct {
  Fault       fault;
  guint       status;
  const char *content_type;
  const char *body;
  const char *headers;
} canned[] = {
  { FAULT_500, 500, "text/plain", "Internal Server Error", NULL },
  { FAULT_502_HTML, 502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>", NULL },
  { FAULT_503_HTML, 503, "text/html", "<html><body><h1>503 Service Unavailable</h1></body></html>",
    NULL },
  { FAULT_BAD_JSON, 200, "application/json", "{\"errorId\":0,\"taskId\":", NULL },
  { FAULT_UNKNOWN_HTTP_STATUS, 599, "application/json", "{\"errorId\":0}", NULL },
  { FAULT_UNKNOWN_TASK_STATUS, 200, "application/json",
    "{\"errorId\":0,\"taskId\":\"t-1\",\"status\":\"frobnicating\",\"balance\":1}", NULL },
  { FAULT_MISSING_FIELDS, 200, "application/json", "{\"errorId\":0}", NULL },
  { FAULT_WRONG_TYPES, 200, "application/json",
    "{\"errorId\":{},\"taskId\":{},\"status\":7,\"solution\":\"x\",\"balance\":\"1\"}", NULL },
  { FAULT_INTEGER_TASK_ID, 200, "application/json",
    "{\"errorId\":0,\"taskId\":4242,\"balance\":1,\"status\":\"ready\","
    "\"solution\":{\"gRecaptchaResponse\":\"tok\"}}", NULL },
  { FAULT_ERROR_ID_STRING, 200, "application/json",
    "{\"errorId\":\"1\",\"errorCode\":\"ERROR_SERVICE_UNAVALIABLE\","
    "\"errorDescription\":\"busy\"}", NULL },
  { FAULT_429, 429, "text/plain", "Too Many Requests", NULL },
  { FAULT_429_RETRY_AFTER, 429, "text/plain", "Too Many Requests", "Retry-After: 7\r\n" },
};

static void
answer (Connection *self,
        const char *method)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));

  for (gsize i = 0; i < G_N_ELEMENTS (canned); i++)
    if (canned[i].fault == self->fault)
      {
        write_reply (out, canned[i].status, canned[i].content_type, canned[i].body,
                     canned[i].headers);
        return;
      }

  switch (self->fault)
    {
    case FAULT_TRUNCATED:
      write_head (out, 200, "OK", "application/json", 100, NULL);
      write_all (out, "{\"errorId\":0,", 13);
      break;
    case FAULT_HUGE:
      write_huge (out);
      break;
    case FAULT_DEEP:
      write_deep (out);
      break;
    case FAULT_CLOSE_AFTER_READ:
      break;
    case FAULT_SLOW:
      g_usleep (SLOW_REPLY_MS * 1000);
      write_reply (out, 200, "application/json", normal_body (method), NULL);
      break;
    case FAULT_SILENT:
      {
        char byte;

        /* until the client gives up and closes */
        g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)),
                             &byte, 1, NULL, NULL);
      }
      break;
    case FAULT_REDIRECT:
      {
        g_autofree char *location = g_strdup_printf ("Location: /%s\r\n", method);

        /* a client that follows it asks again with GET, and takes the
         * answer of whatever the target is */
        write_reply (out, 302, "text/plain", "elsewhere", location);
      }
      break;
    case FAULT_NONE:
    case FAULT_CLOSE_BEFORE_READ:
    default:
      write_reply (out, 200, "application/json", normal_body (method), NULL);
      break;
    }
}

/* Reads one request; returns its method ("createTask"), or NULL. */
static char *
read_request (Connection *self)
{
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *request_line = NULL;
  g_auto(GStrv) words = NULL;
  gsize content_length = 0;
  g_autofree char *body = NULL;

  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (self->connection)));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (in), FALSE);
  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  request_line = g_data_input_stream_read_line (in, NULL, NULL, NULL);
  if (request_line == NULL)
    return NULL;
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (in, NULL, NULL, NULL);

      if (line == NULL)
        return NULL;
      if (*line == '\0')
        break;
      if (g_ascii_strncasecmp (line, "Content-Length:", 15) == 0)
        content_length = g_ascii_strtoull (line + 15, NULL, 10);
    }
  body = g_malloc (content_length + 1);
  if (!g_input_stream_read_all (G_INPUT_STREAM (in), body, content_length, NULL, NULL, NULL))
    return NULL;

  words = g_strsplit (request_line, " ", 3);
  if (g_strv_length (words) < 2 || words[1][0] != '/')
    return NULL;
  return g_strdup (words[1] + 1);
}

static gpointer
connection_thread (gpointer user_data)
{
  Connection *self = user_data;
  FaultServer *server = self->server;

  if (self->fault != FAULT_CLOSE_BEFORE_READ)
    {
      g_autofree char *method = read_request (self);

      if (method != NULL)
        {
          g_mutex_lock (&server->lock);
          g_hash_table_insert (server->counts, g_strdup (method),
                               GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (server->counts,
                                                                                        method)) + 1));
          g_mutex_unlock (&server->lock);
          answer (self, method);
        }
    }
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_object_unref (self->connection);
  g_free (self);

  g_mutex_lock (&server->lock);
  server->n_active--;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  return NULL;
}

static gpointer
accept_thread (gpointer user_data)
{
  FaultServer *self = user_data;

  for (;;)
    {
      GSocketConnection *connection = g_socket_listener_accept (self->listener, NULL,
                                                                self->cancellable, NULL);
      Connection *handler;

      if (connection == NULL)
        break;
      handler = g_new0 (Connection, 1);
      handler->server = self;
      handler->connection = connection;
      g_mutex_lock (&self->lock);
      if (self->n_connections < G_N_ELEMENTS (self->faults))
        handler->fault = self->faults[self->n_connections];
      self->n_connections++;
      self->n_active++;
      g_mutex_unlock (&self->lock);
      g_thread_unref (g_thread_new ("fault-connection", connection_thread, handler));
    }
  return NULL;
}

static FaultServer *
fault_server_new (void)
{
  FaultServer *self = g_new0 (FaultServer, 1);
  g_autoptr(GError) error = NULL;

  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->listener = g_socket_listener_new ();
  /* not GLib's 10: dropped SYNs cost a second each */
  g_socket_listener_set_backlog (self->listener, 1024);
  {
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_socket_listener_add_address (self->listener, address, G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
    g_assert_no_error (error);
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  }
  return self;
}

static void
fault_server_start (FaultServer *self)
{
  self->accept_thread = g_thread_new ("fault-accept", accept_thread, self);
}

/* After the client is gone, so that no connection waits on it. */
static void
fault_server_free (FaultServer *self)
{
  g_cancellable_cancel (self->cancellable);
  g_thread_join (self->accept_thread);
  g_socket_listener_close (self->listener);
  g_mutex_lock (&self->lock);
  while (self->n_active > 0)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  g_object_unref (self->listener);
  g_object_unref (self->cancellable);
  g_hash_table_unref (self->counts);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

static guint
fault_server_count (FaultServer *self,
                    const char  *method)
{
  guint count;

  g_mutex_lock (&self->lock);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->counts, method));
  g_mutex_unlock (&self->lock);
  return count;
}

/* --- The matrix ---------------------------------------------------------------
 *
 * The documented outcome of each cell; docs/errors.md has the same table.
 * A poll that meets an outage (a lost connection, a time-out, a 5xx,
 * ERROR_SERVICE_UNAVALIABLE) is sent again until the deadline, one that
 * meets another transient fault up to three failures in a row, so a solve
 * survives every fault but the cooldown errors. getBalance and
 * feedbackTask are sent again after an outage, a few times; createTask
 * never is.
 */

typedef struct {
  Fault    fault;
  Outcome  outcomes[N_OPS];   /* createTask, solve, getBalance, feedbackTask */
} FaultRow;

static const FaultRow matrix[] = {
  { FAULT_500,                 { OUT_TIMED_OUT, OUT_OK, OUT_OK, OUT_OK } },
  { FAULT_502_HTML,            { OUT_TIMED_OUT, OUT_OK, OUT_OK, OUT_OK } },
  { FAULT_503_HTML,            { OUT_PROTOCOL, OUT_OK, OUT_OK, OUT_OK } },
  { FAULT_BAD_JSON,            { OUT_PROTOCOL, OUT_OK, OUT_PROTOCOL, OUT_PROTOCOL } },
  /* libsoup 3.2 ends a body cut short at the close without an error: the
   * client compares what came with Content-Length */
  { FAULT_TRUNCATED,           { OUT_PROTOCOL, OUT_OK, OUT_PROTOCOL, OUT_PROTOCOL } },
  { FAULT_HUGE,                { OUT_PROTOCOL, OUT_OK, OUT_PROTOCOL, OUT_PROTOCOL } },
  { FAULT_DEEP,                { OUT_PROTOCOL, OUT_OK, OUT_PROTOCOL, OUT_PROTOCOL } },
  { FAULT_CLOSE_BEFORE_READ,   { OUT_IO, OUT_OK, OUT_OK, OUT_OK } },
  { FAULT_CLOSE_AFTER_READ,    { OUT_IO, OUT_OK, OUT_OK, OUT_OK } },
  { FAULT_SLOW,                { OUT_TIMED_OUT, OUT_OK, OUT_OK, OUT_OK } },
  { FAULT_SILENT,              { OUT_TIMED_OUT, OUT_OK, OUT_OK, OUT_OK } },
  { FAULT_UNKNOWN_HTTP_STATUS, { OUT_TIMED_OUT, OUT_OK, OUT_OK, OUT_OK } },
  /* an unknown task status is a task still pending */
  { FAULT_UNKNOWN_TASK_STATUS, { OUT_OK, OUT_OK, OUT_OK, OUT_OK } },
  /* feedbackTask's reply carries nothing to miss */
  { FAULT_MISSING_FIELDS,      { OUT_PROTOCOL, OUT_OK, OUT_PROTOCOL, OUT_OK } },
  { FAULT_WRONG_TYPES,         { OUT_PROTOCOL, OUT_OK, OUT_PROTOCOL, OUT_PROTOCOL } },
  { FAULT_INTEGER_TASK_ID,     { OUT_OK, OUT_OK, OUT_OK, OUT_OK } },
  { FAULT_ERROR_ID_STRING,     { OUT_SERVICE_UNAVAILABLE, OUT_OK, OUT_OK, OUT_OK } },
  { FAULT_429,                 { OUT_RATE_LIMIT, OUT_RATE_LIMIT, OUT_RATE_LIMIT, OUT_RATE_LIMIT } },
  { FAULT_429_RETRY_AFTER,     { OUT_RATE_LIMIT, OUT_RATE_LIMIT, OUT_RATE_LIMIT, OUT_RATE_LIMIT } },
  /* never followed: the reply of another origin is not trusted */
  { FAULT_REDIRECT,            { OUT_PROTOCOL, OUT_OK, OUT_PROTOCOL, OUT_PROTOCOL } },
};

typedef struct {
  const FaultRow *row;
  Operation       op;
} Cell;

static gboolean
outcome_matches (Outcome       expected,
                 const GError *error)
{
  switch (expected)
    {
    case OUT_OK:
      return error == NULL;
    case OUT_PROTOCOL:
      return g_error_matches (error, CS_ERROR, CS_ERROR_PROTOCOL);
    case OUT_IO:
      return error != NULL && error->domain == G_IO_ERROR &&
             error->code != G_IO_ERROR_TIMED_OUT && error->code != G_IO_ERROR_CANCELLED &&
             cs_error_get_retry_class (error) == CS_RETRY_CLASS_TRANSIENT;
    case OUT_TIMED_OUT:
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
    case OUT_SERVICE_UNAVAILABLE:
      return g_error_matches (error, CS_ERROR, CS_ERROR_SERVICE_UNAVAILABLE);
    case OUT_RATE_LIMIT:
      return g_error_matches (error, CS_ERROR, CS_ERROR_RATE_LIMIT);
    default:
      g_assert_not_reached ();
    }
}

static void
run_operation (CsClient  *client,
               Operation  op,
               GError   **error)
{
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsBalance) balance = NULL;

  switch (op)
    {
    case OP_CREATE:
      cs_client_create_task (client, task, NULL, error);
      break;
    case OP_POLL:
      solution = cs_client_solve (client, task, NULL, error);
      g_assert_true ((solution != NULL) == (*error == NULL));
      break;
    case OP_BALANCE:
      balance = cs_client_get_balance (client, NULL, error);
      g_assert_true ((balance != NULL) == (*error == NULL));
      break;
    case OP_FEEDBACK:
      _cs_task_set_task_id (task, "t-1");
      cs_client_feedback_task (client, task, FALSE, 0, NULL, NULL, error);
      break;
    case N_OPS:
    default:
      g_assert_not_reached ();
    }
}

static void
test_cell (gconstpointer data)
{
  const Cell *cell = data;
  Outcome expected = cell->row->outcomes[cell->op];
  FaultServer *server = fault_server_new ();
  g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  g_autoptr(GError) error = NULL;
  guint creates;
  gboolean matches;

  /* the solve's first connection is createTask: its first poll meets
   * the fault */
  server->faults[cell->op == OP_POLL ? 1 : 0] = cell->row->fault;
  fault_server_start (server);

  cs_client_set_base_url (client, url);
  /* reading the first 8 MiB of the huge body may take longer */
  cs_client_set_request_timeout (client, cell->row->fault == FAULT_HUGE ? 20000 : REQUEST_TIMEOUT_MS);
  cs_client_set_first_poll_delay (client, 5);
  cs_client_set_poll_interval (client, 5);
  cs_client_set_deadline (client, 10000);
  cs_client_set_pause_on_cooldown (client, FALSE);
  client->outage_backoff = 5;

  run_operation (client, cell->op, &error);
  g_clear_object (&client);
  creates = fault_server_count (server, "createTask");
  fault_server_free (server);

  /* a redirect's error names its status and its target */
  matches = outcome_matches (expected, error) && creates <= 1 &&
            (cell->row->fault != FAULT_REDIRECT || error == NULL ||
             (strstr (error->message, "302") != NULL && strstr (error->message, "/") != NULL &&
              strstr (error->message, op_names[cell->op]) != NULL));
  if (error != NULL)
    g_test_message ("%s", error->message);
  if (expected == OUT_OK)
    g_assert_no_error (error);
  g_assert_true (outcome_matches (expected, error));
  g_assert_cmpuint (creates, <=, 1);
  g_assert_true (matches);
  if (cell->op == OP_CREATE || cell->op == OP_POLL)
    g_assert_cmpuint (creates, ==, cell->row->fault == FAULT_CLOSE_BEFORE_READ &&
                                   cell->op == OP_CREATE ? 0 : 1);
}

/* --- 429 pauses the client ----------------------------------------------------------- */

/* HTTP 429 pauses every request like ERROR_RATE_LIMIT: for Retry-After
 * seconds when the reply says, for the error's cooldown otherwise. */
static void
test_429_pauses (void)
{
  static const struct {
    Fault fault;
    guint pause;   /* s */
  } cases[] = {
    { FAULT_429_RETRY_AFTER, 7 },
    { FAULT_429, 30 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      FaultServer *server = fault_server_new ();
      g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
      g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", server->port);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) paused_error = NULL;
      guint paused_for;
      guint connections;

      server->faults[0] = cases[i].fault;
      fault_server_start (server);
      cs_client_set_base_url (client, url);
      run_operation (client, OP_BALANCE, &error);
      paused_for = cs_client_get_paused_for (client);
      run_operation (client, OP_BALANCE, &paused_error);
      g_clear_object (&client);
      g_mutex_lock (&server->lock);
      connections = server->n_connections;
      g_mutex_unlock (&server->lock);
      fault_server_free (server);

      g_assert_error (error, CS_ERROR, CS_ERROR_RATE_LIMIT);
      g_assert_cmpuint (paused_for, <=, cases[i].pause);
      g_assert_cmpuint (paused_for, >=, cases[i].pause - 1);
      g_assert_error (paused_error, CS_ERROR, CS_ERROR_RATE_LIMIT);
      g_assert_cmpuint (connections, ==, 1);
    }
}

/* --- The poll budget --------------------------------------------------------------- */

/* When a task has had all its polls, the error says so and is not
 * transient: solving the task again sends nothing and fails the same
 * way, so a generic retry loop does not spin on it. */
static void
test_poll_budget_spent (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsSolution) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) again_error = NULL;
  guint polls;

  cs_client_set_max_polls (client, 2);
  mock_server_add_reply (server, "createTask", 200, "{\"errorId\":0,\"taskId\":\"t-1\"}");
  mock_server_set_fallback (server, "getTaskResult", 200,
                            "{\"errorId\":0,\"status\":\"processing\"}");
  solution = cs_client_solve (client, task, NULL, &error);
  polls = mock_server_count_requests (server, "getTaskResult");
  again = cs_client_solve (client, task, NULL, &again_error);

  g_assert_null (solution);
  g_assert_null (again);
  g_assert_nonnull (error);
  g_assert_cmpuint (polls, ==, 2);
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 1);
  g_assert_cmpuint (mock_server_count_requests (server, "getTaskResult"), ==, 2);
  g_assert_error (error, CS_ERROR, CS_ERROR_POLLS_EXHAUSTED);
  g_assert_cmpint (cs_error_get_retry_class (error), !=, CS_RETRY_CLASS_TRANSIENT);
  g_assert_null (strstr (error->message, "solve it again"));
  g_assert_cmpint (cs_error_get_retry_class (again_error), !=, CS_RETRY_CLASS_TRANSIENT);
  g_assert_true (again_error->domain == error->domain && again_error->code == error->code);
}

/* --- Base URLs libsoup cannot send to -------------------------------------------- */

/* An empty host fails at call time, without a critical (fatal here). */
static void
test_empty_host (void)
{
  static const char * const urls[] = { "http:///x", "file:///x" };

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    for (Operation op = OP_CREATE; op < N_OPS; op++)
      {
        g_autoptr(CsClient) client = cs_client_new (MOCK_API_KEY);
        g_autoptr(GError) error = NULL;

        cs_client_set_base_url (client, urls[i]);
        run_operation (client, op, &error);
        g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      }
}

/* --- An outage while 1,000 solves poll -------------------------------------------
 *
 * A server whose getTaskResult answers 5xx pages, 5xx JSON errors of a
 * gateway and reset connections for 5 s, in the middle of a run of 1,000
 * solves on one client (100 under valgrind): the outage begins 1 s after
 * the last task was created, and the tasks become ready from 0.5 s before
 * it began to 3 s after, so that nearly every solve is in flight when it
 * hits, whatever the speed of the machine. All solves must succeed, each
 * task created once, no task ever "failed". The run prints what riding the
 * outage out cost in requests, and how the polls came back after it.
 */

#define OUTAGE_SOLVES      1000
#define OUTAGE_SOLVES_SLOW 100
#define OUTAGE_START_MS    1000   /* after the last createTask */
#define OUTAGE_LENGTH_MS   5000
#define OUTAGE_BUCKET_MS   100    /* polls after the outage, counted per bucket */
#define OUTAGE_BUCKETS     100

typedef struct {
  GMutex          lock;
  CsServerThread *thread;
  guint           expected;       /* tasks */
  /* under the lock */
  gint64          outage_from;    /* monotonic µs; 0 until every task is created */
  gint64          outage_until;
  GHashTable     *urls;           /* websiteURL → createTask count */
  guint           creates;
  GHashTable     *hit;            /* task ids a failed poll of which met the outage */
  guint           polls;
  guint           polls_before;   /* polls answered before the outage */
  guint           polls_failed;   /* during it */
  guint           polls_after;
  guint           buckets[OUTAGE_BUCKETS];
} OutageServer;

/* When task @index is ready, from the start of the outage. */
static gint64
outage_ready_offset_ms (guint64 index)
{
  return -500 + (gint64) ((index * 7919) % 3500);
}

static void
outage_reply (SoupServerMessage *message,
              guint              status,
              const char        *content_type,
              const char        *body)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, content_type, SOUP_MEMORY_COPY, body,
                                    strlen (body));
}

static void
outage_create (OutageServer      *self,
               SoupServerMessage *message,
               JsonObject        *request)
{
  JsonObject *task = _cs_json_get_object (request, "task");
  const char *url = task != NULL ? _cs_json_get_string (task, "websiteURL") : NULL;
  g_autofree char *reply = NULL;
  guint index;

  g_mutex_lock (&self->lock);
  index = self->creates++;
  if (url != NULL)
    g_hash_table_insert (self->urls, g_strdup (url),
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->urls,
                                                                                  url)) + 1));
  if (self->creates == self->expected)
    {
      self->outage_from = g_get_monotonic_time () + OUTAGE_START_MS * 1000;
      self->outage_until = self->outage_from + OUTAGE_LENGTH_MS * 1000;
    }
  g_mutex_unlock (&self->lock);

  reply = g_strdup_printf ("{\"errorId\":0,\"taskId\":\"t-%u\",\"status\":\"idle\"}", index);
  outage_reply (message, 200, "application/json", reply);
}

static void
outage_poll (OutageServer      *self,
             SoupServerMessage *message,
             JsonObject        *request)
{
  const char *task_id = _cs_json_get_string (request, "taskId");
  gint64 now = g_get_monotonic_time ();
  guint64 index = G_MAXUINT;
  gboolean in_outage;
  gboolean ready;
  guint n;

  if (task_id != NULL && g_str_has_prefix (task_id, "t-"))
    g_ascii_string_to_unsigned (task_id + 2, 10, 0, G_MAXUINT, &index, NULL);
  g_mutex_lock (&self->lock);
  n = self->polls++;
  in_outage = self->outage_from != 0 && now >= self->outage_from && now < self->outage_until;
  ready = self->outage_from != 0 && now >= self->outage_from + outage_ready_offset_ms (index) * 1000;
  if (in_outage)
    {
      self->polls_failed++;
      g_hash_table_add (self->hit, GUINT_TO_POINTER ((guint) index));
    }
  else if (self->outage_from == 0 || now < self->outage_from)
    self->polls_before++;
  else
    {
      guint bucket = (now - self->outage_until) / (OUTAGE_BUCKET_MS * 1000);

      self->polls_after++;
      if (bucket < OUTAGE_BUCKETS)
        self->buckets[bucket]++;
    }
  g_mutex_unlock (&self->lock);

  if (in_outage)
    {
      /* a load balancer restarting, and the service behind it gone */
      switch (n % 3)
        {
        case 0:
          outage_reply (message, 503, "text/html",
                        "<html><body><h1>503 Service Unavailable</h1></body></html>");
          break;
        case 1:
          outage_reply (message, 502, "application/json",
                        "{\"errorId\":1,\"errorCode\":\"ERROR_UPSTREAM\","
                        "\"errorDescription\":\"no healthy upstream\"}");
          break;
        default:
          _cs_server_drop_connection (message);
          break;
        }
      return;
    }
  if (index == G_MAXUINT)
    outage_reply (message, 400, "application/json",
                  "{\"errorId\":1,\"errorCode\":\"ERROR_TASKID_INVALID\"}");
  else if (ready)
    outage_reply (message, 200, "application/json",
                  "{\"errorId\":0,\"status\":\"ready\","
                  "\"solution\":{\"gRecaptchaResponse\":\"tok\"}}");
  else
    outage_reply (message, 200, "application/json", "{\"errorId\":0,\"status\":\"processing\"}");
}

/* In the server's thread. */
static void
outage_handle (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  OutageServer *self = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  g_autoptr(JsonNode) root = _cs_json_parse (g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), NULL);
  JsonObject *request = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                        ? json_node_get_object (root) : NULL;

  if (request != NULL && g_strcmp0 (path, "/createTask") == 0)
    outage_create (self, message, request);
  else if (request != NULL && g_strcmp0 (path, "/getTaskResult") == 0)
    outage_poll (self, message, request);
  else
    outage_reply (message, 404, "text/plain", "no such method");
}

typedef struct {
  guint  total;
  guint  finished;
  guint  failed;
  guint  ever_failed;     /* tasks whose status was ever "failed" */
  gint64 last_finished;   /* monotonic µs */
} OutageRun;

static void
outage_solve_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  OutageRun *run = user_data;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  solution = cs_client_solve_finish (CS_CLIENT (source), result, &error);
  if (solution == NULL && run->failed++ < 5)
    g_test_message ("a solve failed: %s", error->message);
  run->finished++;
  run->last_finished = g_get_monotonic_time ();
}

static void
outage_status_cb (CsTask     *task,
                  GParamSpec *pspec,
                  OutageRun  *run)
{
  if (cs_task_get_status (task) == CS_TASK_STATUS_FAILED)
    run->ever_failed++;
}

static void
test_outage_while_solves_poll (void)
{
  const char *factor = g_getenv ("CS_TEST_TIME_FACTOR");
  OutageServer server = { 0, };
  OutageRun run = { 0, };
  g_autoptr(CsClient) client = NULL;
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  guint busiest = 0;
  guint hit;

  run.total = factor != NULL && g_ascii_strtoll (factor, NULL, 10) > 1 ? OUTAGE_SOLVES_SLOW
                                                                         : OUTAGE_SOLVES;
  g_mutex_init (&server.lock);
  server.expected = run.total;
  server.urls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  server.hit = g_hash_table_new (NULL, NULL);
  server.thread = _cs_server_thread_start (0, NULL, outage_handle, &server, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", _cs_server_thread_get_port (server.thread));

  /* a default client but for its schedule: a poll every 0.5 s, the
   * adaptive plan's pace where most tasks become ready */
  client = g_object_new (CS_TYPE_CLIENT,
                         "api-key", MOCK_API_KEY,
                         "base-url", url,
                         "first-poll-delay", 250,
                         "poll-interval", 500,
                         NULL);
  for (guint i = 0; i < run.total; i++)
    {
      CsTask *task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
      g_autofree char *page = g_strdup_printf ("https://example.com/%u", i);

      cs_task_set_string (task, "websiteURL", page);
      g_signal_connect (task, "notify::status", G_CALLBACK (outage_status_cb), &run);
      g_ptr_array_add (tasks, task);
      cs_client_solve_async (client, task, NULL, outage_solve_cb, &run);
    }
  while (run.finished < run.total)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&client);
  _cs_server_thread_stop (server.thread);

  hit = g_hash_table_size (server.hit);
  for (guint i = 0; i < OUTAGE_BUCKETS; i++)
    busiest = MAX (busiest, server.buckets[i]);
  g_test_message ("%u solves, %u failed, %u createTask; the outage hit %u solves",
                  run.total, run.failed, server.creates, hit);
  g_test_message ("getTaskResult: %u before the outage, %u met it (the extra requests: %.1f "
                  "per solve hit, %.0f/s), %u after it", server.polls_before,
                  server.polls_failed, (double) server.polls_failed / MAX (1, hit),
                  server.polls_failed / (OUTAGE_LENGTH_MS / 1000.0), server.polls_after);
  g_test_message ("after the outage: the last solve ended %.1f s later; at most %u polls in "
                  "one %u ms", (run.last_finished - server.outage_until) / 1e6, busiest,
                  OUTAGE_BUCKET_MS);

  g_assert_cmpuint (run.failed, ==, 0);
  g_assert_cmpuint (run.ever_failed, ==, 0);
  /* the outage hit most solves while in flight */
  g_assert_cmpuint (hit, >=, run.total / 2);
  /* each task created once: as many createTask as tasks, all different */
  g_assert_cmpuint (server.creates, ==, run.total);
  g_assert_cmpuint (g_hash_table_size (server.urls), ==, run.total);
  for (guint i = 0; i < run.total; i++)
    {
      CsTask *task = g_ptr_array_index (tasks, i);

      g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_READY);
      g_assert_nonnull (cs_task_get_task_id (task));
    }

  g_hash_table_unref (server.urls);
  g_hash_table_unref (server.hit);
  g_mutex_clear (&server.lock);
}

/* --- Raw replies ---------------------------------------------------------------------
 *
 * A FaultServer whose first connections get a reply that a function of the
 * test writes, byte for byte (headers of its choice, compressed bodies);
 * the connections after them get the normal reply.
 */

typedef void (*RawWriter) (GOutputStream *out,
                           const char    *method,
                           gconstpointer  data);

typedef struct {
  FaultServer   *server;
  RawWriter      writer;
  gconstpointer  data;
  guint          first;     /* the first connection that gets the raw reply */
  guint          n_raw;     /* how many do */
} RawServer;

typedef struct {
  RawServer         *raw;
  GSocketConnection *connection;
  guint              index;
} RawConnection;

static gpointer
raw_connection_thread (gpointer user_data)
{
  RawConnection *self = user_data;
  FaultServer *server = self->raw->server;
  Connection reader = { server, self->connection, FAULT_NONE };
  g_autofree char *method = read_request (&reader);

  if (method != NULL)
    {
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));

      g_mutex_lock (&server->lock);
      g_hash_table_insert (server->counts, g_strdup (method),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (server->counts,
                                                                                    method)) + 1));
      g_mutex_unlock (&server->lock);
      if (self->index >= self->raw->first && self->index - self->raw->first < self->raw->n_raw)
        self->raw->writer (out, method, self->raw->data);
      else
        write_reply (out, 200, "application/json", normal_body (method), NULL);
    }
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_object_unref (self->connection);
  g_free (self);

  g_mutex_lock (&server->lock);
  server->n_active--;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  return NULL;
}

static gpointer
raw_accept_thread (gpointer user_data)
{
  RawServer *self = user_data;
  FaultServer *server = self->server;

  for (;;)
    {
      GSocketConnection *connection = g_socket_listener_accept (server->listener, NULL,
                                                                server->cancellable, NULL);
      RawConnection *handler;

      if (connection == NULL)
        break;
      handler = g_new0 (RawConnection, 1);
      handler->raw = self;
      handler->connection = connection;
      g_mutex_lock (&server->lock);
      handler->index = server->n_connections++;
      server->n_active++;
      g_mutex_unlock (&server->lock);
      g_thread_unref (g_thread_new ("raw-connection", raw_connection_thread, handler));
    }
  return NULL;
}

/* Connections @first to @first + @n_raw - 1 get @writer's reply. Free
 * with raw_server_free(), after the clients. */
static RawServer *
raw_server_new (RawWriter     writer,
                gconstpointer data,
                guint         first,
                guint         n_raw)
{
  RawServer *self = g_new0 (RawServer, 1);

  self->server = fault_server_new ();
  self->writer = writer;
  self->data = data;
  self->first = first;
  self->n_raw = n_raw;
  self->server->accept_thread = g_thread_new ("raw-accept", raw_accept_thread, self);
  return self;
}

static void
raw_server_free (RawServer *self)
{
  fault_server_free (self->server);
  g_free (self);
}

static char *
raw_server_dup_url (RawServer *self)
{
  return g_strdup_printf ("http://127.0.0.1:%u", self->server->port);
}

static guint
raw_server_count_connections (RawServer *self)
{
  guint count;

  g_mutex_lock (&self->server->lock);
  count = self->server->n_connections;
  g_mutex_unlock (&self->server->lock);
  return count;
}

/* A client of @raw that does not wait long for anything. */
static CsClient *
raw_client_new (RawServer *raw)
{
  CsClient *client = cs_client_new (MOCK_API_KEY);
  g_autofree char *url = raw_server_dup_url (raw);

  cs_client_set_base_url (client, url);
  cs_client_set_request_timeout (client, 5000);
  cs_client_set_first_poll_delay (client, 5);
  cs_client_set_poll_interval (client, 5);
  return client;
}

/* --- Retry-After is bounded -----------------------------------------------------------
 *
 * A 429's Retry-After pauses the client for at most CS_MAX_PAUSE (30
 * minutes), "0" or a date past not at all, and a pause ends with the key
 * or the service it was about.
 */

static void
write_429_retry_after (GOutputStream *out,
                       const char    *method,
                       gconstpointer  data)
{
  g_autofree char *header = g_strdup_printf ("Retry-After: %s\r\n", (const char *) data);

  write_reply (out, 429, "text/plain", "Too Many Requests", header);
}

/* Sends getBalance to a server whose first reply is a 429 with
 * Retry-After: @value; returns how long the client paused, and in
 * @second the outcome of a getBalance right after it. */
static guint
pause_after_retry_after (const char  *value,
                         guint       *connections,
                         GError     **second)
{
  RawServer *raw = raw_server_new (write_429_retry_after, value, 0, 1);
  g_autoptr(CsClient) client = raw_client_new (raw);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  guint paused_for;

  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_null (balance);
  g_assert_error (error, CS_ERROR, CS_ERROR_RATE_LIMIT);
  g_assert_null (strstr (error->message, "without Retry-After"));
  paused_for = cs_client_get_paused_for (client);
  balance = cs_client_get_balance (client, NULL, second);
  g_clear_object (&client);
  *connections = raw_server_count_connections (raw);
  raw_server_free (raw);
  return paused_for;
}

static void
test_retry_after_huge (void)
{
  static const char * const values[] = {
    "4294967295", "4294967296", "18446744073709551616", "99999999999999999999999999",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GError) second = NULL;
      guint connections;
      guint paused_for = pause_after_retry_after (values[i], &connections, &second);

      g_test_message ("Retry-After: %s paused %u s", values[i], paused_for);
      g_assert_cmpuint (paused_for, <=, 30 * 60);
      g_assert_cmpuint (paused_for, >=, 30 * 60 - 1);
      g_assert_error (second, CS_ERROR, CS_ERROR_RATE_LIMIT);
      g_assert_cmpuint (connections, ==, 1);
    }
}

static void
test_retry_after_zero (void)
{
  static const char * const values[] = {
    "0", "000",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GError) second = NULL;
      guint connections;
      guint paused_for = pause_after_retry_after (values[i], &connections, &second);

      g_test_message ("Retry-After: %s paused %u s", values[i], paused_for);
      g_assert_cmpuint (paused_for, ==, 0);
      g_assert_no_error (second);
      g_assert_cmpuint (connections, ==, 2);
    }
}

/* A Retry-After that is no number nor date: the default cooldown, and a
 * message that says the header was there but unreadable. */
static void
test_retry_after_unreadable (void)
{
  static const char * const values[] = { "garbage", "-5", "1.5" };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      RawServer *raw = raw_server_new (write_429_retry_after, values[i], 0, 1);
      g_autoptr(CsClient) client = raw_client_new (raw);
      g_autoptr(CsBalance) balance = NULL;
      g_autoptr(GError) error = NULL;

      balance = cs_client_get_balance (client, NULL, &error);
      g_assert_error (error, CS_ERROR, CS_ERROR_RATE_LIMIT);
      g_assert_nonnull (strstr (error->message, "Retry-After that is no number"));
      g_assert_cmpuint (cs_client_get_paused_for (client), >, 0);
      g_clear_object (&client);
      raw_server_free (raw);
    }
}

/* An HTTP date pauses until then, within the bound; a date past, not at
 * all. */
static void
test_retry_after_date (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 60);
  g_autofree char *in_a_minute = soup_date_time_to_string (later, SOUP_DATE_HTTP);
  const struct {
    const char *value;
    guint       min, max;   /* s */
  } cases[] = {
    { in_a_minute, 55, 61 },
    { "Thu, 01 Jan 2099 00:00:00 GMT", 30 * 60 - 1, 30 * 60 },
    { "Thu, 01 Jan 1970 00:00:00 GMT", 0, 0 },
    { "Sun, 06 Nov 1994 08:49:37 GMT", 0, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) second = NULL;
      guint connections;
      guint paused_for = pause_after_retry_after (cases[i].value, &connections, &second);

      g_test_message ("Retry-After: %s paused %u s", cases[i].value, paused_for);
      g_assert_cmpuint (paused_for, >=, cases[i].min);
      g_assert_cmpuint (paused_for, <=, cases[i].max);
      if (cases[i].max == 0)
        {
          g_assert_no_error (second);
          g_assert_cmpuint (connections, ==, 2);
        }
      else
        {
          g_assert_error (second, CS_ERROR, CS_ERROR_RATE_LIMIT);
          g_assert_cmpuint (connections, ==, 1);
        }
    }
}

/* A pause is about one key at one service: a new key or base URL ends
 * it, the same one set again does not. */
static void
test_retry_after_new_key_or_url (void)
{
  for (guint what = 0; what < 2; what++)
    {
      RawServer *raw = raw_server_new (write_429_retry_after, "4294967295", 0, 1);
      g_autoptr(CsClient) client = raw_client_new (raw);
      g_autofree char *url = raw_server_dup_url (raw);
      g_autofree char *other_url = g_strdup_printf ("http://localhost:%u", raw->server->port);
      g_autoptr(CsBalance) balance = NULL;
      g_autoptr(GError) error = NULL;

      balance = cs_client_get_balance (client, NULL, &error);
      g_assert_error (error, CS_ERROR, CS_ERROR_RATE_LIMIT);
      g_clear_error (&error);
      g_assert_cmpuint (cs_client_get_paused_for (client), >, 60);

      /* the same again changes nothing */
      cs_client_set_api_key (client, MOCK_API_KEY);
      cs_client_set_base_url (client, url);
      g_assert_cmpuint (cs_client_get_paused_for (client), >, 60);

      if (what == 0)
        cs_client_set_api_key (client, MOCK_API_KEY "0");
      else
        cs_client_set_base_url (client, other_url);
      g_assert_cmpuint (cs_client_get_paused_for (client), ==, 0);
      balance = cs_client_get_balance (client, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (balance);

      g_clear_object (&client);
      g_assert_cmpuint (raw_server_count_connections (raw), ==, 2);
      raw_server_free (raw);
    }
}

/* --- Compressed replies ----------------------------------------------------------------
 *
 * The client's session asks for gzip and deflate (libsoup's content
 * decoder), and hands the body over decoded while Content-Length counts
 * the bytes before decoding. Every form reads right or fails with its own
 * message: announced or chunked, empty, cut short, corrupt, or a bomb
 * that decodes past the 8 MiB limit.
 */

#define BOMB_SIZE (32 * 1024 * 1024)

typedef enum {
  BODY_WHOLE,        /* the method's normal reply, compressed */
  BODY_BARE,         /* the same as a bare deflate stream, without zlib's header */
  BODY_EMPTY,        /* a compressed stream of nothing */
  BODY_NONE,         /* no byte at all, though the reply says compressed */
  BODY_TRUNCATED,    /* the first half, then the connection closes */
  BODY_CORRUPT,      /* the whole, with a wrong checksum */
  BODY_BOMB,         /* 32 MiB of spaces */
} BodyForm;

typedef struct {
  const char *name;
  const char *coding;     /* Content-Encoding */
  gboolean    chunked;    /* else Content-Length, of the compressed bytes */
  BodyForm    form;
  const char *error;      /* a regex of the whole message, or NULL for success */
} CompressedCase;

#define EMPTY_REPLY "(same as a plain empty reply)"

static const CompressedCase compressed_cases[] = {
  { "gzip-with-length", "gzip", FALSE, BODY_WHOLE, NULL },
  { "deflate-with-length", "deflate", FALSE, BODY_WHOLE, NULL },
  { "x-gzip-with-length", "x-gzip", FALSE, BODY_WHOLE, NULL },
  { "bare-deflate-with-length", "deflate", FALSE, BODY_BARE, NULL },
  { "chunked-gzip", "gzip", TRUE, BODY_WHOLE, NULL },
  { "chunked-deflate", "deflate", TRUE, BODY_WHOLE, NULL },
  { "empty-compressed-body", "gzip", FALSE, BODY_EMPTY, EMPTY_REPLY },
  { "empty-compressed-body-chunked", "deflate", TRUE, BODY_EMPTY, EMPTY_REPLY },
  { "no-body-said-compressed", "gzip", FALSE, BODY_NONE, EMPTY_REPLY },
  { "truncated-compressed-body", "gzip", FALSE, BODY_TRUNCATED,
    "^HTTP 200: reply cut short after [0-9]+ of [0-9]+ bytes$" },
  { "truncated-compressed-body-chunked", "gzip", TRUE, BODY_TRUNCATED,
    "^HTTP 200: gzip reply cut short: its [0-9]+ bytes end before the compressed data does$" },
  { "corrupt-compressed-body", "gzip", FALSE, BODY_CORRUPT,
    "^HTTP 200: gzip reply is not valid gzip data$" },
  { "gzip-bomb", "gzip", FALSE, BODY_BOMB,
    "^HTTP 200: reply is larger than 8388608 bytes once decoded \\(gzip\\)$" },
  { "gzip-bomb-chunked", "gzip", TRUE, BODY_BOMB,
    "^HTTP 200: reply is larger than 8388608 bytes once decoded \\(gzip\\)$" },
  { "deflate-bomb", "deflate", FALSE, BODY_BOMB,
    "^HTTP 200: reply is larger than 8388608 bytes once decoded \\(deflate\\)$" },
  { "unknown-coding", "br", FALSE, BODY_WHOLE,
    "^HTTP 200: reply in a content coding the client does not read$" },
};

static GBytes *
compress_bytes (GBytes                *plain,
                GZlibCompressorFormat  format,
                int                    level)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (format, level);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory,
                                                                G_CONVERTER (compressor));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (out, g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

static GBytes *
compressed_body (const CompressedCase *c,
                 const char           *method)
{
  g_autoptr(GBytes) plain = NULL;
  GZlibCompressorFormat format;
  GBytes *compressed;

  switch (c->form)
    {
    case BODY_NONE:
      return g_bytes_new (NULL, 0);
    case BODY_EMPTY:
      plain = g_bytes_new (NULL, 0);
      break;
    case BODY_BOMB:
      {
        char *spaces = g_malloc (BOMB_SIZE);

        memset (spaces, ' ', BOMB_SIZE);
        plain = g_bytes_new_take (spaces, BOMB_SIZE);
      }
      break;
    case BODY_WHOLE:
    case BODY_BARE:
    case BODY_TRUNCATED:
    case BODY_CORRUPT:
    default:
      plain = g_bytes_new_static (normal_body (method), strlen (normal_body (method)));
      break;
    }
  if (c->form == BODY_BARE)
    format = G_ZLIB_COMPRESSOR_FORMAT_RAW;
  else if (g_str_equal (c->coding, "deflate"))
    format = G_ZLIB_COMPRESSOR_FORMAT_ZLIB;
  else
    format = G_ZLIB_COMPRESSOR_FORMAT_GZIP;
  /* the bomb at zlib's fastest level: the test is about reading it */
  compressed = compress_bytes (plain, format, c->form == BODY_BOMB ? 1 : -1);
  if (c->form == BODY_CORRUPT)
    {
      gsize size;
      guint8 *bytes = g_bytes_unref_to_data (compressed, &size);

      /* the gzip trailer: CRC-32, then the size */
      bytes[size - 8] ^= 0xff;
      compressed = g_bytes_new_take (bytes, size);
    }
  return compressed;
}

static void
write_compressed (GOutputStream *out,
                  const char    *method,
                  gconstpointer  data)
{
  const CompressedCase *c = data;
  g_autoptr(GBytes) body = compressed_body (c, method);
  gsize size = g_bytes_get_size (body);
  gsize sent = c->form == BODY_TRUNCATED ? size / 2 : size;
  g_autofree char *head = NULL;

  if (c->chunked)
    head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Encoding: %s\r\nTransfer-Encoding: chunked\r\n"
                            "Connection: close\r\n\r\n", c->coding);
  else
    head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Encoding: %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n"
                            "Connection: close\r\n\r\n", c->coding, size);
  write_all (out, head, strlen (head));
  if (!c->chunked)
    {
      write_all (out, g_bytes_get_data (body, NULL), sent);
      return;
    }
  /* in chunks of at most 4 KiB; a body cut short has no last chunk */
  for (gsize offset = 0; offset < sent; offset += 4096)
    {
      gsize length = MIN (4096, sent - offset);
      g_autofree char *chunk_head = g_strdup_printf ("%" G_GSIZE_MODIFIER "x\r\n", length);

      write_all (out, chunk_head, strlen (chunk_head));
      if (!g_output_stream_write_all (out, (const char *) g_bytes_get_data (body, NULL) + offset,
                                      length, NULL, NULL, NULL))
        return;
      write_all (out, "\r\n", 2);
    }
  if (c->form != BODY_TRUNCATED)
    write_all (out, "0\r\n\r\n", 5);
}

static void
write_empty (GOutputStream *out,
             const char    *method,
             gconstpointer  data)
{
  write_reply (out, 200, "application/json", "", NULL);
}

/* Runs @op against a server whose first reply to it (a solve's first
 * poll) is @writer's; returns the error, if any, and in @creates the
 * number of createTask received. */
static GError *
run_against_raw (RawWriter      writer,
                 gconstpointer  data,
                 Operation      op,
                 guint         *creates)
{
  RawServer *raw = raw_server_new (writer, data, op == OP_POLL ? 1 : 0, 1);
  g_autoptr(CsClient) client = raw_client_new (raw);
  GError *error = NULL;

  cs_client_set_pause_on_cooldown (client, FALSE);
  run_operation (client, op, &error);
  g_clear_object (&client);
  *creates = fault_server_count (raw->server, "createTask");
  raw_server_free (raw);
  return error;
}

static void
test_compressed (gconstpointer data)
{
  const CompressedCase *c = data;

  for (Operation op = OP_CREATE; op < N_OPS; op++)
    {
      guint creates;
      g_autoptr(GError) error = run_against_raw (write_compressed, c, op, &creates);

      g_test_message ("%s: %s", op_names[op], error != NULL ? error->message : "ok");
      g_assert_cmpuint (creates, ==, op == OP_CREATE || op == OP_POLL ? 1 : 0);
      /* a solve sends its failed poll again, and the next reply is plain */
      if (c->error == NULL || op == OP_POLL)
        g_assert_no_error (error);
      else if (g_str_equal (c->error, EMPTY_REPLY))
        {
          g_autoptr(GError) plain = run_against_raw (write_empty, NULL, op, &creates);

          g_assert_nonnull (plain);
          g_assert_error (error, plain->domain, plain->code);
          g_assert_cmpstr (error->message, ==, plain->message);
        }
      else
        {
          g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
          g_assert_true (g_regex_match_simple (c->error, error->message, 0, 0));
        }
    }
}

/* A 429 or a redirect whose compressed body does not decode is still
 * what its status says. */
static void
write_status_bad_gzip (GOutputStream *out,
                       const char    *method,
                       gconstpointer  data)
{
  guint status = GPOINTER_TO_UINT (data);
  g_autofree char *head =
    g_strdup_printf ("HTTP/1.1 %u Fault\r\nContent-Type: application/json\r\n"
                     "Content-Encoding: gzip\r\nContent-Length: 9\r\n%s"
                     "Connection: close\r\n\r\nnot gzip!",
                     status, status == 429 ? "Retry-After: 120\r\n" : "Location: /x\r\n");

  write_all (out, head, strlen (head));
}

static void
test_compressed_status (void)
{
  RawServer *raw = raw_server_new (write_status_bad_gzip, GUINT_TO_POINTER (429), 0, 1);
  g_autoptr(CsClient) client = raw_client_new (raw);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  guint paused_for;
  guint creates;

  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_RATE_LIMIT);
  paused_for = cs_client_get_paused_for (client);
  g_assert_cmpuint (paused_for, <=, 120);
  g_assert_cmpuint (paused_for, >=, 119);
  g_clear_object (&client);
  raw_server_free (raw);

  g_clear_error (&error);
  error = run_against_raw (write_status_bad_gzip, GUINT_TO_POINTER (302), OP_BALANCE, &creates);
  g_assert_error (error, CS_ERROR, CS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "302"));
  g_assert_nonnull (strstr (error->message, "not followed"));
}

/* --- Blocking calls beside a session of the application's ---------------------------
 *
 * libsoup gives a connection back on the main context of the call that
 * used it. Asynchronous calls whose loop has stopped (finished, still on
 * their way, cancelled) hold their connections until that context runs
 * again; a blocking call made then must not wait for one, whatever the
 * session the client was given and however many clients share it.
 */

#define SESSION_REPLY_BALANCE "{\"errorId\":0,\"balance\":1.5}"
#define SESSION_REPLY_ID      "{\"errorId\":0,\"taskId\":\"t-1\"}"
#define SESSION_REPLY_READY   "{\"errorId\":0,\"status\":\"ready\"," \
                              "\"solution\":{\"gRecaptchaResponse\":\"tok\"}}"
/* the blocking calls' limit here: far longer than any of them takes */
#define SESSION_REQUEST_TIMEOUT_MS 8000
#define IN_FLIGHT_DELAY_MS         600

typedef enum {
  PATTERN_FINISHED,   /* solves that ended, their loop quit in the last callback */
  PATTERN_IN_FLIGHT,  /* requests on their way, their context never iterated */
  PATTERN_CANCELLED,  /* requests on their way, then cancelled */
  N_PATTERNS
} AsyncPattern;

static const char * const pattern_names[N_PATTERNS] = { "finished", "in-flight", "cancelled" };

typedef struct {
  gboolean      done;
  GError       *error;
  GMainLoop    *loop;     /* quit when *left reaches 0 */
  guint        *left;
} AsyncCall;

static void
async_call_done (AsyncCall *call)
{
  call->done = TRUE;
  if (call->loop != NULL && --*call->left == 0)
    g_main_loop_quit (call->loop);
}

static void
async_solve_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncCall *call = user_data;
  g_autoptr(CsSolution) solution = cs_client_solve_finish (CS_CLIENT (source), result,
                                                           &call->error);

  async_call_done (call);
}

static void
async_balance_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AsyncCall *call = user_data;
  g_autoptr(CsBalance) balance = cs_client_get_balance_finish (CS_CLIENT (source), result,
                                                               &call->error);

  async_call_done (call);
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Lets the calls the test left behind end, so that nothing leaks. */
static void
drain_calls (AsyncCall *calls,
             guint      n_calls)
{
  gint64 deadline = g_get_monotonic_time () + MOCK_WAIT_TIMEOUT * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, wake_cb, NULL);

  for (guint i = 0; i < n_calls; i++)
    {
      while (!calls[i].done)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_main_context_iteration (NULL, TRUE);
        }
      g_clear_error (&calls[i].error);
    }
  g_source_remove (wake);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static CsClient *
session_client_new (MockServer  *server,
                    SoupSession *session)
{
  CsClient *client = g_object_new (CS_TYPE_CLIENT,
                                   "api-key", MOCK_API_KEY,
                                   "base-url", mock_server_get_url (server),
                                   "session", session,
                                   "request-timeout", SESSION_REQUEST_TIMEOUT_MS,
                                   "pause-on-cooldown", FALSE,
                                   "balance-cache-time", 0,
                                   NULL);

  cs_client_set_first_poll_delay (client, 5);
  cs_client_set_poll_interval (client, 5);
  return client;
}

/* Leaves @n_calls asynchronous calls of @client in @pattern on the
 * default context, which the test then stops iterating. */
static void
leave_async_calls (CsClient     *client,
                   AsyncPattern  pattern,
                   AsyncCall    *calls,
                   guint         n_calls)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint left = n_calls;

  for (guint i = 0; i < n_calls; i++)
    {
      if (pattern == PATTERN_FINISHED)
        {
          g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");

          calls[i].loop = loop;
          calls[i].left = &left;
          cs_client_solve_async (client, task, NULL, async_solve_cb, &calls[i]);
        }
      else
        {
          cs_client_get_balance_async (client, cancellable, async_balance_cb, &calls[i]);
        }
    }
  if (pattern == PATTERN_FINISHED)
    {
      g_main_loop_run (loop);
      for (guint i = 0; i < n_calls; i++)
        {
          g_assert_no_error (calls[i].error);
          calls[i].loop = NULL;
        }
    }
  else
    {
      /* long enough for libsoup to have sent them, on the default context */
      gint64 until = g_get_monotonic_time () + 200 * 1000;

      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE);
      if (pattern == PATTERN_CANCELLED)
        g_cancellable_cancel (cancellable);
    }
}

static void
script_server (MockServer *server)
{
  mock_server_set_fallback (server, "createTask", 200, SESSION_REPLY_ID);
  mock_server_set_fallback (server, "getTaskResult", 200, SESSION_REPLY_READY);
  mock_server_set_fallback (server, "getBalance", 200, SESSION_REPLY_BALANCE);
  /* the asynchronous calls' replies come late */
  for (guint i = 0; i < 32; i++)
    mock_server_add_delayed_reply (server, "getBalance", IN_FLIGHT_DELAY_MS, 200,
                                   SESSION_REPLY_BALANCE);
}

/* A blocking solve of @client, which must succeed; returns how long it took, in ms. */
static gint64
blocking_solve (CsClient *client)
{
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cs_solution_get_token (solution), ==, "tok");
  return (g_get_monotonic_time () - start) / 1000;
}

/* A plain soup_session_new(): 2 connections per host. */
static void
test_app_session_blocking_after_async (void)
{
  for (AsyncPattern pattern = 0; pattern < N_PATTERNS; pattern++)
    {
      g_autoptr(MockServer) server = mock_server_new ();
      g_autoptr(SoupSession) session = soup_session_new ();
      g_autoptr(CsClient) client = session_client_new (server, session);
      AsyncCall calls[2] = { { 0, }, };
      gint64 took;

      script_server (server);
      leave_async_calls (client, pattern, calls, G_N_ELEMENTS (calls));
      took = blocking_solve (client);
      g_test_message ("after %s calls: %" G_GINT64_FORMAT " ms", pattern_names[pattern], took);
      drain_calls (calls, G_N_ELEMENTS (calls));
    }
}

/* Two clients on one session: what one leaves on the default context
 * does not hold up the other's blocking call, whatever the session's
 * limits (2 per host, or 16 shared by clients of 16 each). */
static void
test_two_clients_one_session (void)
{
  static const struct {
    int    conns;        /* the session's, per host and in all */
    guint  n_calls;      /* left by the first client */
  } sessions[] = {
    { 2, 2 },
    { 16, 16 },
  };

  for (gsize s = 0; s < G_N_ELEMENTS (sessions); s++)
    for (AsyncPattern pattern = 0; pattern < N_PATTERNS; pattern++)
      {
        g_autoptr(MockServer) server = mock_server_new ();
        g_autoptr(SoupSession) session =
          soup_session_new_with_options ("max-conns", sessions[s].conns,
                                         "max-conns-per-host", sessions[s].conns, NULL);
        g_autoptr(CsClient) first = session_client_new (server, session);
        g_autoptr(CsClient) second = session_client_new (server, session);
        g_autofree AsyncCall *calls = g_new0 (AsyncCall, 2 * sessions[s].n_calls);
        gint64 took;

        script_server (server);
        /* both clients leave calls; the second then blocks */
        leave_async_calls (first, pattern, calls, sessions[s].n_calls);
        leave_async_calls (second, pattern, calls + sessions[s].n_calls, sessions[s].n_calls);
        took = blocking_solve (second);
        g_test_message ("%d connections, after %s calls: %" G_GINT64_FORMAT " ms",
                        sessions[s].conns, pattern_names[pattern], took);
        took = blocking_solve (first);
        drain_calls (calls, 2 * sessions[s].n_calls);
      }
}

static void
add_header_cb (SoupSession *session,
               SoupMessage *message,
               gpointer     user_data)
{
  guint *queued = user_data;

  (*queued)++;
  soup_message_headers_replace (soup_message_get_request_headers (message), "X-App-Hook", "1");
}

static void
count_unqueued_cb (SoupSession *session,
                   SoupMessage *message,
                   gpointer     user_data)
{
  guint *unqueued = user_data;

  (*unqueued)++;
}

static char *
blocking_balance_header (CsClient   *client,
                         MockServer *server,
                         const char *header)
{
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  guint index = mock_server_count_requests (server, "getBalance");

  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_no_error (error);
  return mock_server_dup_request_header (server, "getBalance", index, header);
}

/* The blocking calls' session is the application's in all it says: its
 * settings, as they change, and its request-queued handlers. */
static void
test_blocking_session_follows_settings (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(MockServer) proxy = mock_server_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (loopback, 0);
  g_autoptr(SoupSession) session =
    soup_session_new_with_options ("user-agent", "app-agent/1", "accept-language", "eo",
                                   "local-address", local, NULL);
  g_autoptr(CsClient) client = session_client_new (server, session);
  g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (mock_server_get_url (proxy),
                                                                    NULL);
  g_autofree char *ca_path = g_test_build_filename (G_TEST_DIST, "tls", "ca.pem", NULL);
  g_autofree char *ca = g_canonicalize_filename (ca_path, NULL);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GTlsInteraction) interaction = g_object_new (G_TYPE_TLS_INTERACTION, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = NULL;
  SoupSession *beside = client->blocking_session;
  guint queued = 0;
  guint unqueued = 0;
  char *value;

  g_signal_connect (session, "request-queued", G_CALLBACK (add_header_cb), &queued);
  g_signal_connect (session, "request-unqueued", G_CALLBACK (count_unqueued_cb), &unqueued);
  mock_server_set_fallback (server, "getBalance", 200, SESSION_REPLY_BALANCE);
  mock_server_set_fallback (proxy, "getBalance", 200, SESSION_REPLY_BALANCE);

  g_assert_true (beside != session);
  value = blocking_balance_header (client, server, "User-Agent");
  g_assert_cmpstr (value, ==, "app-agent/1");
  g_free (value);
  value = blocking_balance_header (client, server, "Accept-Language");
  g_assert_cmpstr (value, ==, "eo");
  g_free (value);
  value = blocking_balance_header (client, server, "X-App-Hook");
  g_assert_cmpstr (value, ==, "1");
  g_free (value);
  value = blocking_balance_header (client, server, "Accept-Encoding");
  g_assert_cmpstr (value, ==, "gzip, deflate");
  g_free (value);
  g_assert_cmpuint (queued, ==, 4);
  g_assert_cmpuint (unqueued, ==, 4);
  g_assert_true (soup_session_get_local_address (beside) == G_INET_SOCKET_ADDRESS (local));

  /* changed after the client was made */
  soup_session_set_user_agent (session, "app-agent/2");
  value = blocking_balance_header (client, server, "User-Agent");
  g_assert_cmpstr (value, ==, "app-agent/2");
  g_free (value);

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  soup_session_set_tls_database (session, database);
  soup_session_set_tls_interaction (session, interaction);
  soup_session_set_idle_timeout (session, 7);
  soup_session_set_timeout (session, 9);
  g_assert_true (soup_session_get_tls_database (beside) == database);
  g_assert_true (soup_session_get_tls_interaction (beside) == interaction);
  /* not followed: the library's sessions never close idle connections (test-connections) */
  g_assert_cmpuint (soup_session_get_idle_timeout (beside), ==, 0);
  g_assert_cmpuint (soup_session_get_timeout (beside), ==, 9);

  /* a proxy: the service's host does not even resolve without it */
  soup_session_set_proxy_resolver (session, resolver);
  g_assert_true (soup_session_get_proxy_resolver (beside) == resolver);
  cs_client_set_allow_insecure_http (client, TRUE);
  cs_client_set_base_url (client, "http://capsolver.invalid");
  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mock_server_count_requests (proxy, "getBalance"), ==, 1);
}

/* The client's own session is followed the same way: what the
 * application sets on cs_client_get_session() reaches blocking calls. */
static void
test_blocking_session_follows_own_session (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  char *value;

  mock_server_set_fallback (server, "getBalance", 200, SESSION_REPLY_BALANCE);
  value = blocking_balance_header (client, server, "User-Agent");
  g_assert_true (g_str_has_prefix (value, "capsolver-glib/"));
  g_free (value);
  soup_session_set_user_agent (cs_client_get_session (client), "app-agent/3");
  value = blocking_balance_header (client, server, "User-Agent");
  g_assert_cmpstr (value, ==, "app-agent/3");
  g_free (value);
}

/* The session's own time-out, per socket operation, applies to blocking
 * calls too (createTask: a request never sent twice). */
static void
test_blocking_session_io_timeout (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 1, NULL);
  g_autoptr(CsClient) client = session_client_new (server, session);
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new ("https://example.com/", "site-key");
  g_autoptr(GError) error = NULL;

  mock_server_add_delayed_reply (server, "createTask", 4000, 200, SESSION_REPLY_ID);
  g_assert_false (cs_client_create_task (client, task, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  /* libsoup's, not the client's request-timeout */
  g_assert_null (strstr (error->message, "no complete reply within"));
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (matrix); i++)
    for (Operation op = OP_CREATE; op < N_OPS; op++)
      {
        Cell *cell = g_new0 (Cell, 1);
        g_autofree char *path = g_strdup_printf ("/faults/%s/%s", op_names[op],
                                                 fault_names[matrix[i].fault]);

        cell->row = &matrix[i];
        cell->op = op;
        g_ptr_array_add (cells, cell);
        g_test_add_data_func (path, cell, test_cell);
      }
  g_test_add_func ("/faults/empty-host", test_empty_host);
  g_test_add_func ("/faults/429-pauses", test_429_pauses);
  g_test_add_func ("/faults/poll-budget-spent", test_poll_budget_spent);
  g_test_add_func ("/faults/outage-while-1000-solves-poll", test_outage_while_solves_poll);
  for (gsize i = 0; i < G_N_ELEMENTS (compressed_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/faults/compressed/%s", compressed_cases[i].name);

      g_test_add_data_func (path, &compressed_cases[i], test_compressed);
    }
  g_test_add_func ("/faults/compressed/status-over-bad-body", test_compressed_status);
  g_test_add_func ("/faults/session/application-session-2-connections-blocking-after-async",
                   test_app_session_blocking_after_async);
  g_test_add_func ("/faults/session/two-clients-on-one-session", test_two_clients_one_session);
  g_test_add_func ("/faults/session/blocking-session-follows-settings",
                   test_blocking_session_follows_settings);
  g_test_add_func ("/faults/session/blocking-session-follows-own-session",
                   test_blocking_session_follows_own_session);
  g_test_add_func ("/faults/session/blocking-session-io-timeout", test_blocking_session_io_timeout);
  g_test_add_func ("/faults/retry-after/huge", test_retry_after_huge);
  g_test_add_func ("/faults/retry-after/zero", test_retry_after_zero);
  g_test_add_func ("/faults/retry-after/unreadable", test_retry_after_unreadable);
  g_test_add_func ("/faults/retry-after/date", test_retry_after_date);
  g_test_add_func ("/faults/retry-after/new-key-or-base-url", test_retry_after_new_key_or_url);

  return g_test_run ();
}
