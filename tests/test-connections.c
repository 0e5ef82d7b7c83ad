/* test-connections.c: the client's connections under timing races and load
 *
 * libsoup 3.2.3 loses a request that takes a kept-alive connection just as
 * the session's idle-timeout closes that connection: the request never
 * completes, not even when it is cancelled (here the server never saw it;
 * elsewhere it was seen answered). The first test reproduces this on bare
 * SoupSessions with a 1 s idle-timeout, each request sent within a few ms
 * of that second after the reply before; the others check that the
 * client's sessions cannot meet it, and that a server closing idle
 * connections at those moments loses nothing either. One more, opt-in,
 * shows what a session of the application's with an idle-timeout gets.
 *
 * The last ones hold 1,000 getToken requests at once against the sandbox:
 * each comes back when its task is solved, whatever the client's
 * max-connections, while solves on the same client keep their pace.
 *
 * Figures are printed with g_test_message(); the only time bounds asserted
 * are generous deadlines that prove nothing hangs or starves.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "mock-server.h"

/* The idle-timeout of the race, in whole seconds as libsoup counts it. */
#define RACE_IDLE_TIMEOUT_S 1

/* --- A raw HTTP/1.1 server that counts requests ------------------------------
 *
 * Each connection runs in a thread of its own and is kept alive; with
 * @keepalive_ms, one idle that long is closed, as a real server does.
 */

#define RAW_REPLY "{\"errorId\":0,\"balance\":1.5,\"status\":\"processing\"}"

typedef struct {
  GThread                *thread;
  GMainContext           *context;
  GMainLoop              *loop;
  GSocketService         *service;
  guint16                 port;
  guint                   keepalive_ms;
  gint                    requests;      /* atomic */
  gint                    connections;   /* atomic */
  gint                    handlers;      /* atomic: connections being served */
  gint                    stopping;      /* atomic */
  GMutex                  lock;
  GCond                   cond;
  gboolean                started;
} RawServer;

/* The length of the request at the start of @buffer, or 0 while it is
 * incomplete. */
static gsize
raw_complete_request (GByteArray *buffer)
{
  const char *data = (const char *) buffer->data;
  const char *end = buffer->len > 0 ? g_strstr_len (data, buffer->len, "\r\n\r\n") : NULL;
  g_autofree char *headers = NULL;
  const char *length;
  gsize header_size;
  guint64 body_size = 0;

  if (end == NULL)
    return 0;
  header_size = end + 4 - data;
  headers = g_ascii_strdown (data, header_size);
  length = strstr (headers, "\r\ncontent-length:");
  if (length != NULL)
    body_size = g_ascii_strtoull (length + strlen ("\r\ncontent-length:"), NULL, 10);
  return buffer->len >= header_size + body_size ? header_size + body_size : 0;
}

static gboolean
raw_send_all (GSocket    *socket,
              const char *data,
              gsize       size)
{
  while (size > 0)
    {
      gssize n = g_socket_send (socket, data, size, NULL, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      size -= n;
    }
  return TRUE;
}

static gboolean
raw_connection_cb (GThreadedSocketService *service,
                   GSocketConnection      *connection,
                   GObject                *source_object,
                   gpointer                user_data)
{
  RawServer *self = user_data;
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  g_autofree char *reply = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                                            "Content-Type: application/json\r\n"
                                            "Content-Length: %zu\r\n\r\n%s",
                                            strlen (RAW_REPLY), RAW_REPLY);
  gint64 idle_since = g_get_monotonic_time ();

  g_atomic_int_inc (&self->connections);
  while (!g_atomic_int_get (&self->stopping))
    {
      gsize size = raw_complete_request (buffer);
      gint64 now = g_get_monotonic_time ();
      gint64 wait = 100000;
      char chunk[4096];
      gssize n;

      if (size > 0)
        {
          g_byte_array_remove_range (buffer, 0, size);
          g_atomic_int_inc (&self->requests);
          if (!raw_send_all (socket, reply, strlen (reply)))
            break;
          idle_since = g_get_monotonic_time ();
          continue;
        }
      if (self->keepalive_ms > 0 && buffer->len == 0)
        {
          gint64 left = idle_since + (gint64) self->keepalive_ms * 1000 - now;

          if (left <= 0)
            break;
          wait = MIN (wait, left);
        }
      if (!g_socket_condition_timed_wait (socket, G_IO_IN, wait, NULL, NULL))
        continue;
      n = g_socket_receive (socket, chunk, sizeof chunk, NULL, NULL);
      if (n <= 0)
        break;
      g_byte_array_append (buffer, (const guint8 *) chunk, n);
    }
  g_socket_close (socket, NULL);
  g_atomic_int_dec_and_test (&self->handlers);
  return TRUE;
}

static gboolean
raw_incoming_cb (GSocketService    *service,
                 GSocketConnection *connection,
                 GObject           *source_object,
                 gpointer           user_data)
{
  RawServer *self = user_data;

  /* counted before its thread runs, so that stopping waits for it */
  g_atomic_int_inc (&self->handlers);
  return FALSE;
}

static gpointer
raw_server_thread (gpointer user_data)
{
  RawServer *self = user_data;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);
  self->service = g_threaded_socket_service_new (512);
  /* GLib's backlog of 10 drops the SYNs of lanes reconnecting together on
   * a busy machine: their connects then wait a second for the resend */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->service), 1024);
  g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (self->service, "incoming", G_CALLBACK (raw_incoming_cb), self);
  g_signal_connect (self->service, "run", G_CALLBACK (raw_connection_cb), self);
  g_socket_service_start (self->service);

  g_mutex_lock (&self->lock);
  self->started = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static RawServer *
raw_server_new (guint keepalive_ms)
{
  RawServer *self = g_new0 (RawServer, 1);

  self->keepalive_ms = keepalive_ms;
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("raw-server", raw_server_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  return self;
}

static char *
raw_server_dup_url (RawServer *self)
{
  return g_strdup_printf ("http://127.0.0.1:%u", self->port);
}

/* After the clients are gone: waits for every connection's thread. */
static void
raw_server_free (RawServer *self)
{
  g_atomic_int_set (&self->stopping, TRUE);
  while (g_atomic_int_get (&self->handlers) > 0)
    g_usleep (10000);
  g_main_loop_quit (self->loop);
  g_thread_join (self->thread);
  g_clear_object (&self->service);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

/* --- Lanes of requests timed near a deadline ---------------------------------
 *
 * Each lane sends a request, and once its reply is read sends the next one
 * after the race's second plus an offset of its own, scanned across lanes
 * and rounds over [offset_min, offset_max) µs. A request that has not
 * completed @stuck_after µs after it was sent is counted stuck and
 * cancelled; one that does not complete @stuck_after µs after that is lost
 * (the lane goes on without it).
 */

typedef struct _Race Race;

/* A lane's own session or client, so that its connection is idle exactly
 * as long as the lane waits. */
typedef GObject *(*LaneNew) (Race *race);

struct _Race {
  /* set by the test */
  LaneNew      lane_new;         /* a SoupSession or a CsClient */
  gpointer     server;
  char        *url;
  guint        n_lanes;
  guint        rounds;
  gint64       offset_min;
  gint64       offset_max;
  gint64       offset_step;
  gint64       stuck_after;

  /* counts */
  guint        sent;
  guint        completed;
  guint        failed;
  guint        timed_out;        /* failed with G_IO_ERROR_TIMED_OUT */
  guint        stuck;
  guint        lost;
  guint        lanes_left;
  GHashTable  *errors;           /* message → count */
};

typedef struct {
  Race        *race;
  guint        index;
  guint        round;
  GObject     *owner;            /* its SoupSession or CsClient */
} Lane;

typedef struct {
  Lane          *lane;           /* NULL once the lane went on without it */
  Race          *race;
  GCancellable  *cancellable;
  SoupMessage   *message;
  GSource       *watchdog;
  gboolean       cancelled;
} Request;

static void lane_send (Lane *lane);

static gboolean
lane_send_cb (gpointer user_data)
{
  lane_send (user_data);
  return G_SOURCE_REMOVE;
}

static void
lane_next (Lane *lane)
{
  Race *race = lane->race;
  gint64 steps = MAX (1, (race->offset_max - race->offset_min) / race->offset_step);
  gint64 offset = race->offset_min +
                  ((lane->index * 7 + lane->round * 13) % steps) * race->offset_step;
  g_autoptr(GSource) source = NULL;

  if (++lane->round >= race->rounds)
    {
      race->lanes_left--;
      return;
    }
  source = g_timeout_source_new (0);
  g_source_set_ready_time (source, g_get_monotonic_time () +
                                   RACE_IDLE_TIMEOUT_S * G_USEC_PER_SEC + offset);
  g_source_set_callback (source, lane_send_cb, lane, NULL);
  g_source_attach (source, NULL);
}

static void
request_free (Request *request)
{
  if (request->watchdog != NULL)
    {
      g_source_destroy (request->watchdog);
      g_source_unref (request->watchdog);
    }
  g_clear_object (&request->cancellable);
  g_clear_object (&request->message);
  g_free (request);
}

/* Counts how a request ended; the lane goes on unless it already did. */
static void
request_done (Request      *request,
              const GError *error)
{
  Race *race = request->race;
  Lane *lane = request->lane;

  if (lane == NULL)
    {
      /* came back after all, once the session was aborted */
      request_free (request);
      return;
    }
  if (error == NULL)
    race->completed++;
  else
    {
      g_autofree char *key = g_strdup_printf ("%s %d: %s", g_quark_to_string (error->domain),
                                              error->code, error->message);

      race->failed++;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        race->timed_out++;
      g_hash_table_insert (race->errors, g_steal_pointer (&key),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (
                             g_hash_table_lookup (race->errors, key)) + 1));
    }
  request_free (request);
  lane_next (lane);
}

static gboolean
request_watchdog_cb (gpointer user_data)
{
  Request *request = user_data;
  Race *race = request->race;
  Lane *lane = request->lane;

  if (!request->cancelled)
    {
      /* stuck: cancelling should end it */
      race->stuck++;
      request->cancelled = TRUE;
      g_cancellable_cancel (request->cancellable);
      g_source_set_ready_time (request->watchdog, g_get_monotonic_time () + race->stuck_after);
      return G_SOURCE_CONTINUE;
    }
  /* lost: not even cancelling ended it */
  race->lost++;
  request->lane = NULL;
  g_clear_pointer (&request->watchdog, g_source_unref);
  lane_next (lane);
  return G_SOURCE_REMOVE;
}

static void
request_start_watchdog (Request *request)
{
  request->watchdog = g_timeout_source_new (0);
  g_source_set_ready_time (request->watchdog,
                           g_get_monotonic_time () + request->race->stuck_after);
  g_source_set_callback (request->watchdog, request_watchdog_cb, request, NULL);
  g_source_attach (request->watchdog, NULL);
}

static void
bare_sent_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  request_done (request, error);
}

static void
client_call_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Request *request = user_data;
  g_auto(CsReply) reply = { 0, };
  g_autoptr(GError) error = NULL;

  _cs_client_call_finish (CS_CLIENT (source), result, &reply, &error);
  request_done (request, error);
}

static void
lane_send (Lane *lane)
{
  Race *race = lane->race;
  Request *request = g_new0 (Request, 1);
  g_autoptr(GBytes) body = NULL;

  request->lane = lane;
  request->race = race;
  request->cancellable = g_cancellable_new ();
  race->sent++;
  request_start_watchdog (request);
  if (CS_IS_CLIENT (lane->owner))
    {
      g_autoptr(JsonObject) json = json_object_new ();

      /* a poll's exchange: kept-alive connections, one resend on a stale one */
      json_object_set_string_member (json, "clientKey", MOCK_API_KEY);
      _cs_client_call_async (CS_CLIENT (lane->owner), "getBalance", json,
                             MOCK_SECRETS (MOCK_API_KEY), CS_CALL_IDEMPOTENT,
                             request->cancellable, NULL, client_call_cb, request);
      return;
    }
  /* what the client's polls are: a POST flagged to reuse a connection */
  body = g_bytes_new_static ("{}", 2);
  request->message = soup_message_new (SOUP_METHOD_POST, race->url);
  soup_message_add_flags (request->message, SOUP_MESSAGE_IDEMPOTENT);
  soup_message_set_request_body_from_bytes (request->message, "application/json", body);
  soup_session_send_and_read_async (SOUP_SESSION (lane->owner), request->message,
                                    G_PRIORITY_DEFAULT, request->cancellable, bare_sent_cb,
                                    request);
}

static void
race_init (Race *race)
{
  memset (race, 0, sizeof *race);
  race->errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  race->stuck_after = 3 * G_USEC_PER_SEC;
}

/* Lets callbacks that an abort brings run. */
static void
drain_context (void)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 5;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* Runs the lanes to their end: a deadline well past their rounds proves
 * that none hangs. */
static void
race_run (Race *race)
{
  g_autofree Lane *lanes = g_new0 (Lane, race->n_lanes);
  gint64 give_up = g_get_monotonic_time () +
                   (gint64) race->rounds * (RACE_IDLE_TIMEOUT_S + 1) * G_USEC_PER_SEC +
                   4 * race->stuck_after + 60 * G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer key, value;

  race->lanes_left = race->n_lanes;
  for (guint i = 0; i < race->n_lanes; i++)
    {
      lanes[i].race = race;
      lanes[i].index = i;
      lanes[i].owner = race->lane_new (race);
    }
  for (guint i = 0; i < race->n_lanes; i++)
    lane_send (&lanes[i]);
  while (race->lanes_left > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up);
      g_main_context_iteration (NULL, TRUE);
    }
  g_hash_table_iter_init (&iter, race->errors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_printerr ("  %u× %s\n", GPOINTER_TO_UINT (value), (const char *) key);

  /* requests still pending in libsoup come back (or not) as they go */
  for (guint i = 0; i < race->n_lanes; i++)
    {
      if (SOUP_IS_SESSION (lanes[i].owner))
        soup_session_abort (SOUP_SESSION (lanes[i].owner));
      g_object_unref (lanes[i].owner);
    }
  drain_context ();
}

static void
race_clear (Race *race)
{
  g_clear_pointer (&race->errors, g_hash_table_unref);
  g_clear_pointer (&race->url, g_free);
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? (guint) g_ascii_strtoull (value, NULL, 10) : fallback;
}

/* --- The race on a bare session ------------------------------------------------ */

static GObject *
bare_lane_new (Race *race)
{
  return G_OBJECT (soup_session_new_with_options ("idle-timeout", RACE_IDLE_TIMEOUT_S, NULL));
}

/* libsoup 3.2.3 with a nonzero idle-timeout: requests sent within a few ms
 * of a kept-alive connection's idle deadline. Some are lost: the server
 * counts them, the client never completes them. Reported, not asserted:
 * whether a run meets the race depends on the machine's timing. */
static void
test_bare_session_race (void)
{
  RawServer *server = raw_server_new (0);
  Race race;
  guint received;

  race_init (&race);
  race.url = g_strdup_printf ("http://127.0.0.1:%u/getBalance", server->port);
  race.n_lanes = env_uint ("CS_RACE_LANES", 32);
  race.rounds = env_uint ("CS_RACE_ROUNDS", 30);
  race.offset_min = -3000;
  race.offset_max = 1000;
  race.offset_step = 100;
  race.lane_new = bare_lane_new;
  race_run (&race);
  received = g_atomic_int_get (&server->requests);
  raw_server_free (server);

  g_test_message ("bare session, idle-timeout %u s: %u sent, %u completed, %u failed, "
                  "%u stuck, %u lost even after cancel; the server received %u",
                  RACE_IDLE_TIMEOUT_S, race.sent, race.completed, race.failed, race.stuck,
                  race.lost, received);
  g_assert_cmpuint (race.completed + race.failed + race.lost, ==, race.sent);
  if (race.lost == 0)
    g_test_incomplete ("the race was not met in this run");
  race_clear (&race);
}

/* --- The client's sessions --------------------------------------------------- */

/* The client's own sessions never close an idle connection themselves; a
 * session of the application's keeps its own setting. */
static void
test_client_idle_timeouts (void)
{
  g_autoptr(CsClient) own = cs_client_new (MOCK_API_KEY);
  g_autoptr(SoupSession) app_session = soup_session_new_with_options ("idle-timeout", 5, NULL);
  g_autoptr(CsClient) shared = g_object_new (CS_TYPE_CLIENT, "api-key", MOCK_API_KEY,
                                             "session", app_session, NULL);

  g_assert_cmpuint (soup_session_get_idle_timeout (own->session), ==, 0);
  g_assert_cmpuint (soup_session_get_idle_timeout (own->blocking_session), ==, 0);
  g_assert_cmpuint (soup_session_get_idle_timeout (own->blocking_held_session), ==, 0);
  g_assert_cmpuint (soup_session_get_idle_timeout (g_ptr_array_index (own->held_sessions, 0)),
                    ==, 0);

  g_assert_true (cs_client_get_session (shared) == app_session);
  g_assert_cmpuint (soup_session_get_idle_timeout (app_session), ==, 5);
  g_assert_cmpuint (soup_session_get_idle_timeout (shared->blocking_session), ==, 0);
  g_assert_cmpuint (soup_session_get_idle_timeout (g_ptr_array_index (shared->held_sessions, 0)),
                    ==, 0);
  /* and stay so when the application changes its own */
  soup_session_set_idle_timeout (app_session, 7);
  g_assert_cmpuint (soup_session_get_idle_timeout (shared->blocking_session), ==, 0);
}

/* A client of one connection, whose requests time out after 2 s. */
static GObject *
client_lane_new (Race *race)
{
  return g_object_new (CS_TYPE_CLIENT, "api-key", MOCK_API_KEY, "base-url", race->url,
                       "max-connections", 1, "request-timeout", 2000, NULL);
}

/* The same, its session given a 1 s idle-timeout: the test-only setting,
 * what libsoup's default of 60 s does, sooner (or a session of the
 * application's that keeps an idle-timeout). */
static GObject *
client_idle_timeout_lane_new (Race *race)
{
  GObject *client = client_lane_new (race);

  soup_session_set_idle_timeout (cs_client_get_session (CS_CLIENT (client)),
                                 RACE_IDLE_TIMEOUT_S);
  return client;
}

/* A default client, its requests timed around the moment the server
 * closes their idle connection: a request that meets the close is sent
 * again on a new connection, none is lost, none fails. */
static void
test_client_server_closes (void)
{
  RawServer *server = raw_server_new (RACE_IDLE_TIMEOUT_S * 1000);
  Race race;
  guint received;
  guint connections;

  race_init (&race);
  race.n_lanes = env_uint ("CS_RACE_LANES", 32);
  race.rounds = env_uint ("CS_RACE_ROUNDS", 64);
  race.offset_min = -20000;
  race.offset_max = 20000;
  race.offset_step = 500;
  race.url = raw_server_dup_url (server);
  race.lane_new = client_lane_new;
  race_run (&race);
  received = g_atomic_int_get (&server->requests);
  connections = g_atomic_int_get (&server->connections);
  raw_server_free (server);

  g_test_message ("client, server closing idle connections after %u ms: %u sent, %u "
                  "completed, %u failed, %u stuck, %u lost; the server received %u on %u "
                  "connections", RACE_IDLE_TIMEOUT_S * 1000, race.sent, race.completed,
                  race.failed, race.stuck, race.lost, received, connections);
  g_assert_cmpuint (race.sent, ==, race.n_lanes * race.rounds);
  g_assert_cmpuint (race.lost, ==, 0);
  g_assert_cmpuint (race.stuck, ==, 0);
  g_assert_cmpuint (race.failed, ==, 0);
  g_assert_cmpuint (race.completed, ==, race.sent);
  /* each at least once; a resend only after a connection failed */
  g_assert_cmpuint (received, >=, race.sent);
  race_clear (&race);
}

/* The same lanes on the client's session given a 1 s idle-timeout, as on a
 * session of the application's that keeps one: a request the race loses
 * is ended by the client's request timeout with G_IO_ERROR_TIMED_OUT, on
 * the library's own clock; none hangs. Only with CS_TEST_LIBSOUP_RACE=1:
 * in 2 of 3 runs of 256 requests, libsoup 3.2.3 itself then crashes
 * (a use after free in soup-session.c's send_async_spliced(), with the
 * client's cancellation or without it), which is why the client's own
 * sessions never close idle connections. */
static void
test_client_session_idle_timeout (void)
{
  RawServer *server;
  Race race;
  guint received;

  if (g_strcmp0 (g_getenv ("CS_TEST_LIBSOUP_RACE"), "1") != 0)
    {
      g_test_skip ("libsoup 3.2.3 may crash here: set CS_TEST_LIBSOUP_RACE=1 to run it");
      return;
    }
  server = raw_server_new (0);

  race_init (&race);
  race.n_lanes = env_uint ("CS_RACE_LANES", 32);
  race.rounds = env_uint ("CS_RACE_ROUNDS", 30);
  race.offset_min = -3000;
  race.offset_max = 1000;
  race.offset_step = 100;
  race.url = raw_server_dup_url (server);
  race.lane_new = client_idle_timeout_lane_new;
  race_run (&race);
  received = g_atomic_int_get (&server->requests);
  raw_server_free (server);

  g_test_message ("client, its session's idle-timeout %u s: %u sent, %u completed, %u "
                  "failed (%u timed out), %u stuck, %u lost; the server received %u",
                  RACE_IDLE_TIMEOUT_S, race.sent, race.completed, race.failed, race.timed_out,
                  race.stuck, race.lost, received);
  g_assert_cmpuint (race.lost, ==, 0);
  g_assert_cmpuint (race.stuck, ==, 0);
  g_assert_cmpuint (race.failed, ==, race.timed_out);
  g_assert_cmpuint (race.completed + race.failed, ==, race.sent);
  race_clear (&race);
}

/* --- A message waiting for a connection ------------------------------------ */

static void
quit_when_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GError **error = user_data;
  g_auto(CsReply) reply = { 0, };

  _cs_client_call_finish (CS_CLIENT (source), result, &reply, error);
  if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

static void
app_request_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GInputStream) stream = NULL;
  gboolean *ended = user_data;

  stream = soup_session_send_finish (SOUP_SESSION (source), result, NULL);
  *ended = TRUE;
}

/* On the application's session, of one connection, that its own request
 * to a server that never answers holds for 1.5 s: the client's call waits
 * for that connection, is taken back and sent again as it waits (libsoup
 * 3.2.3 can leave such a message waiting for good), and reaches the
 * server once, when the connection is free. */
static void
test_waiting_message_sent_once (void)
{
  RawServer *server = raw_server_new (0);
  g_autoptr(GSocketListener) silent = g_socket_listener_new ();
  g_autoptr(SoupSession) app_session = soup_session_new_with_options ("max-conns", 1,
                                                                      "max-conns-per-host", 1,
                                                                      NULL);
  g_autofree char *url = raw_server_dup_url (server);
  g_autofree char *silent_url = NULL;
  g_autoptr(CsClient) client = NULL;
  g_autoptr(SoupMessage) app_message = NULL;
  g_autoptr(GCancellable) app_cancellable = g_cancellable_new ();
  g_autoptr(JsonObject) json = json_object_new ();
  g_autoptr(GError) error = NULL;
  gboolean app_ended = FALSE;
  guint16 silent_port;
  gint64 free_at;

  silent_port = g_socket_listener_add_any_inet_port (silent, NULL, &error);
  g_assert_no_error (error);
  silent_url = g_strdup_printf ("http://127.0.0.1:%u/", silent_port);
  app_message = soup_message_new (SOUP_METHOD_GET, silent_url);
  soup_session_send_async (app_session, app_message, G_PRIORITY_DEFAULT, app_cancellable,
                           app_request_cb, &app_ended);
  while (soup_message_get_connection_id (app_message) == 0)
    g_main_context_iteration (NULL, TRUE);

  client = g_object_new (CS_TYPE_CLIENT, "api-key", MOCK_API_KEY, "base-url", url,
                         "session", app_session, NULL);
  json_object_set_string_member (json, "clientKey", MOCK_API_KEY);
  _cs_client_call_async (client, "getBalance", json, MOCK_SECRETS (MOCK_API_KEY),
                         CS_CALL_IDEMPOTENT, NULL, NULL, quit_when_done_cb, &error);
  free_at = g_get_monotonic_time () + 3 * G_USEC_PER_SEC / 2;
  while (g_get_monotonic_time () < free_at)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (error);
  g_assert_cmpint (g_atomic_int_get (&server->requests), ==, 0);

  g_cancellable_cancel (app_cancellable);
  while (error == NULL || !app_ended)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  /* let any message taken back that libsoup still held go */
  drain_context ();
  g_assert_cmpint (g_atomic_int_get (&server->requests), ==, 1);
  g_clear_object (&client);
  raw_server_free (server);
}

/* --- Threads of their own ------------------------------------------------------ */

typedef struct {
  CsClient *client;
  GMutex    lock;
  GCond     cond;
  gboolean  go;
  guint     done;
  guint     failed;
} ThreadRun;

static void
thread_call_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  gboolean *finished = user_data;
  g_auto(CsReply) reply = { 0, };
  g_autoptr(GError) error = NULL;

  _cs_client_call_finish (CS_CLIENT (source), result, &reply, &error);
  finished[0] = TRUE;
  finished[1] = error != NULL;
}

/* One call on a context of its own, iterated until the call returns and
 * never again, as a worker thread does. */
static gpointer
thread_call (gpointer user_data)
{
  ThreadRun *run = user_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JsonObject) json = json_object_new ();
  gboolean finished[2] = { FALSE, FALSE };

  g_main_context_push_thread_default (context);
  g_mutex_lock (&run->lock);
  while (!run->go)
    g_cond_wait (&run->cond, &run->lock);
  g_mutex_unlock (&run->lock);
  json_object_set_string_member (json, "clientKey", MOCK_API_KEY);
  _cs_client_call_async (run->client, "getBalance", json, MOCK_SECRETS (MOCK_API_KEY),
                         CS_CALL_IDEMPOTENT, NULL, NULL, thread_call_cb, finished);
  while (!finished[0])
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  g_mutex_lock (&run->lock);
  run->done++;
  run->failed += finished[1];
  g_cond_signal (&run->cond);
  g_mutex_unlock (&run->lock);
  return NULL;
}

/* Calls from more threads than the client has connections, each thread
 * leaving its context once its call returned: a call returns once libsoup
 * has given its connection back, so none is left in use for good and the
 * last calls do not wait for ever (they did: 16 of 30 returned). */
static void
test_threads_past_max_connections (void)
{
  RawServer *server = raw_server_new (0);
  g_autofree char *url = raw_server_dup_url (server);
  ThreadRun run = { 0, };
  GThread *threads[24];
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  run.client = g_object_new (CS_TYPE_CLIENT, "api-key", MOCK_API_KEY, "base-url", url,
                             "max-connections", 4, NULL);
  g_mutex_init (&run.lock);
  g_cond_init (&run.cond);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("caller", thread_call, &run);
  g_mutex_lock (&run.lock);
  run.go = TRUE;
  g_cond_broadcast (&run.cond);
  while (run.done < G_N_ELEMENTS (threads))
    if (!g_cond_wait_until (&run.cond, &run.lock, deadline))
      break;
  g_mutex_unlock (&run.lock);
  g_test_message ("%u threads, max-connections 4: %u calls returned, %u failed; the server "
                  "received %d", (guint) G_N_ELEMENTS (threads), run.done, run.failed,
                  g_atomic_int_get (&server->requests));
  g_assert_cmpuint (run.done, ==, G_N_ELEMENTS (threads));
  g_assert_cmpuint (run.failed, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_clear_object (&run.client);
  g_mutex_clear (&run.lock);
  g_cond_clear (&run.cond);
  raw_server_free (server);
}

/* --- Held requests: getToken -------------------------------------------------
 *
 * The sandbox holds each getToken until its task is solved: reCAPTCHA v2
 * takes 5 to 15 s there, 0.5 to 1.5 s at the time scale used here. Each
 * call's lag is its time less its task's solve time (the sandbox's record).
 */

#define HELD_TIME_SCALE 0.1
/* a lag past this is a call that waited for a connection: generous */
#define HELD_MAX_LAG_S  15.0

typedef struct {
  guint        pending;
} HeldRun;

typedef struct {
  HeldRun     *run;
  CsTask      *task;
  gint64       started;
  gint64       ended;
  GError      *error;
} HeldCall;

static void
held_call_clear (HeldCall *call)
{
  g_clear_object (&call->task);
  g_clear_error (&call->error);
}

static void
get_token_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HeldCall *call = user_data;
  g_autoptr(CsSolution) solution = NULL;

  solution = cs_client_get_token_finish (CS_CLIENT (source), result, &call->error);
  call->ended = g_get_monotonic_time ();
  call->run->pending--;
}

static void
solve_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  HeldCall *call = user_data;
  g_autoptr(CsSolution) solution = NULL;

  solution = cs_client_solve_finish (CS_CLIENT (source), result, &call->error);
  call->ended = g_get_monotonic_time ();
  call->run->pending--;
}

static void
balance_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  HeldCall *call = user_data;
  g_autoptr(CsBalance) balance = NULL;

  balance = cs_client_get_balance_finish (CS_CLIENT (source), result, &call->error);
  call->ended = g_get_monotonic_time ();
  call->run->pending--;
}

static CsTask *
held_task_new (const char *kind,
               guint       index)
{
  g_autofree char *url = g_strdup_printf ("https://%s.example/%u", kind, index);

  return cs_recaptcha_v2_task_new (url, "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-");
}

static void
held_wait (HeldRun *run,
           gint64   seconds)
{
  gint64 give_up = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (run->pending > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, give_up);
      g_main_context_iteration (NULL, TRUE);
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Seconds of each call, and of each call's lag behind its task. */
static void
held_figures (CsSandbox  *sandbox,
              HeldCall   *calls,
              guint       n,
              GArray    **times,
              GArray    **lags)
{
  g_autoptr(JsonNode) timings = cs_sandbox_get_timings (sandbox);
  JsonArray *records = _cs_json_get_array (json_node_get_object (timings), "tasks");
  g_autoptr(GHashTable) solve_s = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_assert_nonnull (records);
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      double created = 0, ready = 0;

      if (_cs_json_get_double (record, "createdMs", &created) &&
          _cs_json_get_double (record, "readyMs", &ready))
        g_hash_table_insert (solve_s, (gpointer) _cs_json_get_string (record, "taskId"),
                             g_memdup2 (&(double) { (ready - created) / 1000.0 },
                                        sizeof (double)));
    }

  *times = g_array_new (FALSE, FALSE, sizeof (double));
  *lags = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < n; i++)
    {
      double time = (calls[i].ended - calls[i].started) / (double) G_USEC_PER_SEC;
      const double *solve;

      g_assert_no_error (calls[i].error);
      solve = g_hash_table_lookup (solve_s, cs_task_get_task_id (calls[i].task));
      g_assert_nonnull (solve);
      g_array_append_val (*times, time);
      time -= *solve;
      g_array_append_val (*lags, time);
    }
  g_array_sort (*times, compare_doubles);
  g_array_sort (*lags, compare_doubles);
}

static gboolean
tick_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static guint
sandbox_count_tasks (CsSandbox *sandbox)
{
  g_autoptr(JsonNode) timings = cs_sandbox_get_timings (sandbox);

  return json_array_get_length (_cs_json_get_array (json_node_get_object (timings), "tasks"));
}

static double
median (GArray *values)
{
  return g_array_index (values, double, values->len / 2);
}

static double
longest (GArray *values)
{
  return g_array_index (values, double, values->len - 1);
}

/* @n_solves solves alone, then @n getTokens at once with as many solves
 * started while they are held, on one default client. */
static void
test_held_get_tokens (gconstpointer data)
{
  guint n = GPOINTER_TO_UINT (data);
  const guint n_solves = 20;
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(CsClient) client = NULL;
  g_autofree HeldCall *tokens = g_new0 (HeldCall, n);
  g_autofree HeldCall *alone = g_new0 (HeldCall, n_solves);
  g_autofree HeldCall *beside = g_new0 (HeldCall, n_solves);
  g_autoptr(GArray) times = NULL, lags = NULL, alone_times = NULL, alone_lags = NULL;
  g_autoptr(GArray) beside_times = NULL, beside_lags = NULL;
  g_autoptr(GError) error = NULL;
  HeldRun run = { 0, };
  gint64 started;

  cs_sandbox_add_key (sandbox, CS_SANDBOX_DEFAULT_KEY, 1e6);
  cs_sandbox_set_time_scale (sandbox, HELD_TIME_SCALE);
  g_assert_true (cs_sandbox_start (sandbox, 0, &error));
  /* the default max-connections; solves poll every 200 ms, since the
   * adaptive plan's priors know nothing of the time scale */
  client = g_object_new (CS_TYPE_CLIENT, "api-key", CS_SANDBOX_DEFAULT_KEY,
                         "base-url", cs_sandbox_get_base_url (sandbox),
                         "first-poll-delay", 200, "poll-interval", 200, NULL);

  for (guint i = 0; i < n_solves; i++)
    {
      alone[i] = (HeldCall) { &run, held_task_new ("alone", i), g_get_monotonic_time (), };
      run.pending++;
      cs_client_solve_async (client, alone[i].task, NULL, solve_cb, &alone[i]);
    }
  held_wait (&run, 60);

  started = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      tokens[i] = (HeldCall) { &run, held_task_new ("token", i), g_get_monotonic_time (), };
      run.pending++;
      cs_client_get_token_async (client, tokens[i].task, NULL, get_token_cb, &tokens[i]);
    }
  /* the solves start once the sandbox holds every getToken (or after 2 s:
   * all it ever held at once was max-connections of them) */
  while (g_get_monotonic_time () < started + 2 * G_USEC_PER_SEC &&
         sandbox_count_tasks (sandbox) < n_solves + n)
    {
      gboolean ticked = FALSE;

      g_timeout_add (50, tick_cb, &ticked);
      while (!ticked)
        g_main_context_iteration (NULL, TRUE);
    }
  g_test_message ("solves start %.2f s after the getTokens",
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  for (guint i = 0; i < n_solves; i++)
    {
      beside[i] = (HeldCall) { &run, held_task_new ("beside", i), g_get_monotonic_time (), };
      run.pending++;
      cs_client_solve_async (client, beside[i].task, NULL, solve_cb, &beside[i]);
    }
  held_wait (&run, 600);

  held_figures (sandbox, tokens, n, &times, &lags);
  held_figures (sandbox, alone, n_solves, &alone_times, &alone_lags);
  held_figures (sandbox, beside, n_solves, &beside_times, &beside_lags);
  g_test_message ("%u getTokens at once, max-connections %u: call median %.2f s, longest %.2f s; "
                  "lag behind the solve median %.2f s, longest %.2f s; all done after %.2f s",
                  n, client->max_connections, median (times), longest (times),
                  median (lags), longest (lags),
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  g_test_message ("%u solves alone: lag median %.2f s, longest %.2f s; beside the getTokens: "
                  "lag median %.2f s, longest %.2f s", n_solves, median (alone_lags),
                  longest (alone_lags), median (beside_lags), longest (beside_lags));
  g_assert_cmpfloat (longest (lags), <, HELD_MAX_LAG_S);
  g_assert_cmpfloat (longest (beside_lags), <, HELD_MAX_LAG_S);

  for (guint i = 0; i < n; i++)
    held_call_clear (&tokens[i]);
  for (guint i = 0; i < n_solves; i++)
    {
      held_call_clear (&alone[i]);
      held_call_clear (&beside[i]);
    }
  g_clear_object (&client);
  cs_sandbox_stop (sandbox);
}

/* A getToken, asynchronous or blocking, outlasts the I/O timeout of the
 * application's session: the service holds it while it solves, and
 * token-request-timeout bounds it. */
static void
test_held_outlasts_io_timeout (void)
{
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 1, NULL);
  g_autoptr(CsClient) client = NULL;
  g_autoptr(GError) error = NULL;
  HeldRun run = { 1, };
  HeldCall call = { &run, held_task_new ("io", 0), g_get_monotonic_time (), };
  g_autoptr(CsSolution) solution = NULL;

  cs_sandbox_add_key (sandbox, CS_SANDBOX_DEFAULT_KEY, 1e6);
  /* 5 to 15 s: 1.5 to 4.5 s here */
  cs_sandbox_set_time_scale (sandbox, 0.3);
  g_assert_true (cs_sandbox_start (sandbox, 0, &error));
  client = g_object_new (CS_TYPE_CLIENT, "api-key", CS_SANDBOX_DEFAULT_KEY,
                         "base-url", cs_sandbox_get_base_url (sandbox), "session", session, NULL);
  cs_client_get_token_async (client, call.task, NULL, get_token_cb, &call);
  held_wait (&run, 60);
  g_assert_no_error (call.error);
  g_assert_cmpint (call.ended - call.started, >=, G_USEC_PER_SEC);
  held_call_clear (&call);

  /* the blocking form too */
  call.task = held_task_new ("io-blocking", 0);
  call.started = g_get_monotonic_time ();
  solution = cs_client_get_token (client, call.task, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (solution);
  g_assert_cmpint (g_get_monotonic_time () - call.started, >=, G_USEC_PER_SEC);
  held_call_clear (&call);
  g_clear_object (&client);
  cs_sandbox_stop (sandbox);
}

/* Past the allowance, getTokens wait in the client's queue, from where
 * cancelling one takes it out unsent; polls are not held up meanwhile. */
static void
test_held_past_allowance (void)
{
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(CsClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  HeldCall calls[4] = { { 0, }, };
  HeldRun run = { 0, };
  HeldCall balance_call = { &run, };

  cs_sandbox_add_key (sandbox, CS_SANDBOX_DEFAULT_KEY, 1e6);
  /* reCAPTCHA v2 in 2.5 to 7.5 s */
  cs_sandbox_set_time_scale (sandbox, 0.5);
  g_assert_true (cs_sandbox_start (sandbox, 0, &error));
  client = g_object_new (CS_TYPE_CLIENT, "api-key", CS_SANDBOX_DEFAULT_KEY,
                         "base-url", cs_sandbox_get_base_url (sandbox),
                         "max-connections", 1, NULL);
  /* the test-only setting: an allowance of 2 */
  client->max_held = 2;
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      calls[i] = (HeldCall) { &run, held_task_new ("past", i), g_get_monotonic_time (), };
      run.pending++;
      cs_client_get_token_async (client, calls[i].task, i == 3 ? cancellable : NULL,
                                 get_token_cb, &calls[i]);
    }
  g_cancellable_cancel (cancellable);
  /* the one connection of polls and balance reads is free: a balance read
   * returns long before the first task is solved */
  run.pending++;
  cs_client_get_balance_async (client, NULL, balance_cb, &balance_call);
  held_wait (&run, 120);

  g_assert_no_error (balance_call.error);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_no_error (calls[i].error);
      g_assert_cmpint (balance_call.ended, <, calls[i].ended);
    }
  g_assert_error (calls[3].error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cs_task_get_task_id (calls[3].task));
  g_assert_cmpuint (cs_sandbox_get_request_count (sandbox, "getToken"), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    held_call_clear (&calls[i]);
  g_clear_object (&client);
  cs_sandbox_stop (sandbox);
}

/* The held requests' allowance: half the open-file limit, within
 * max-connections and CS_MAX_HELD_REQUESTS. */
static void
test_held_allowance (void)
{
  struct rlimit saved, limit;
  g_autoptr(CsClient) client = NULL;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  if (saved.rlim_max < 20000)
    {
      g_test_skip ("needs a hard open-file limit of 20000");
      return;
    }
  limit = saved;
  limit.rlim_cur = 1024;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  g_assert_cmpuint (_cs_client_held_allowance (16), ==, 512);
  g_assert_cmpuint (_cs_client_held_allowance (1000), ==, 1000);
  client = cs_client_new (MOCK_API_KEY);
  g_assert_cmpuint (client->max_held, ==, 512);
  g_assert_cmpuint (client->max_in_flight, ==, 16);
  limit.rlim_cur = 20000;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  g_assert_cmpuint (_cs_client_held_allowance (16), ==, CS_MAX_HELD_REQUESTS);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
}

/* Room for a thousand held connections and the sandbox's ends of them. */
static void
raise_open_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  raise_open_file_limit ();

  g_test_add_func ("/connections/idle-timer-race/bare-session", test_bare_session_race);
  g_test_add_func ("/connections/idle-timer-race/client-idle-timeouts",
                   test_client_idle_timeouts);
  g_test_add_func ("/connections/idle-timer-race/client-server-closes",
                   test_client_server_closes);
  g_test_add_func ("/connections/idle-timer-race/client-session-idle-timeout",
                   test_client_session_idle_timeout);

  g_test_add_func ("/connections/waiting/sent-once", test_waiting_message_sent_once);
  g_test_add_func ("/connections/threads/past-max-connections",
                   test_threads_past_max_connections);

  g_test_add_func ("/connections/held/allowance", test_held_allowance);
  g_test_add_func ("/connections/held/outlasts-io-timeout", test_held_outlasts_io_timeout);
  g_test_add_func ("/connections/held/past-allowance", test_held_past_allowance);
  g_test_add_data_func ("/connections/held/get-token-300", GUINT_TO_POINTER (300),
                        test_held_get_tokens);
  g_test_add_data_func ("/connections/held/get-token-1000", GUINT_TO_POINTER (1000),
                        test_held_get_tokens);

  return g_test_run ();
}
