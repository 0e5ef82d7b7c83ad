/* test-keyring.c: the API key in the keyring, and without one
 *
 * One program, run by tests/meson.build once per situation, each a path
 * prefix run in a process of its own (the session bus is a per-process
 * singleton):
 *
 *   /keyring/session/      in a D-Bus session of its own with
 *                          gnome-keyring-daemon, unlocked with a test
 *                          password in a scratch home (keyring-session.py)
 *   /keyring/no-bus/       no session bus at all
 *   /keyring/no-service/   a session bus without a Secret Service
 *                          (keyring-session.py --no-secret-service)
 *   /keyring/silent-bus/   a "bus" that accepts the connection and never
 *                          answers
 *   /keyring/unsupported/  a build without libsecret (this file and
 *                          cs-keyring.c built with CS_KEYRING_WITHOUT_LIBSECRET)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "mock-server.h"

#if defined(HAVE_LIBSECRET) && !defined(CS_KEYRING_WITHOUT_LIBSECRET)
#define WITH_LIBSECRET 1
#include <libsecret/secret.h>
#endif

#define KEY_A "CAP-KEYRING-AAAA0000000000000000000000000000000000000000000000000000"
#define KEY_B "CAP-KEYRING-BBBB0000000000000000000000000000000000000000000000000000"
#define ENV_KEY "CAP-KEYRING-ENV00000000000000000000000000000000000000000000000000000"
#define URL_A "http://127.0.0.1:9/keyring-a"
#define URL_B "http://127.0.0.1:9/keyring-b"
#define TOKEN_TYPE "ReCaptchaV2TaskProxyLess"

/* A keyring call that fails must fail within this many seconds: a
 * deadline proving no hang, far beyond what any of them takes. */
#define NO_HANG_SECONDS 20

/* --- Helpers -------------------------------------------------------------------- */

/* The result of a call started with mock_store_result, left in @slot, whose
 * g_autoptr() frees it. */
static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  *slot = mock_wait_result (slot);
  return *slot;
}

static char *
lookup (const char *base_url)
{
  g_autoptr(GError) error = NULL;
  char *key = cs_keyring_lookup_key (base_url, NULL, &error);

  g_assert_no_error (error);
  return key;
}

static void
store (const char *base_url,
       const char *api_key)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_keyring_store_key (base_url, api_key, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
clear (const char *base_url)
{
  g_autoptr(GError) error = NULL;
  gboolean removed = cs_keyring_clear_key (base_url, NULL, &error);

  g_assert_no_error (error);
  return removed;
}

static CsTask *
token_task (void)
{
  CsTask *task = cs_task_new (TOKEN_TYPE);

  cs_task_set_string (task, "websiteURL", "https://example.com/login");
  cs_task_set_string (task, "websiteKey", "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-");
  return task;
}

/* Solves a token task on @sandbox with @client, which must hold @api_key. */
static void
assert_solves (CsClient   *client,
               const char *api_key)
{
  g_autoptr(CsTask) task = token_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (cs_client_get_api_key (client), ==, api_key);
  cs_client_set_first_poll_delay (client, 2);
  cs_client_set_poll_interval (client, 2);
  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (cs_solution_get_token (solution));
}

static CsSandbox *
start_sandbox (void)
{
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (cs_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  cs_sandbox_add_key (sandbox, KEY_A, 10.0);
  cs_sandbox_add_key (sandbox, ENV_KEY, 10.0);
  return g_steal_pointer (&sandbox);
}

static CsClient *
client_from_environment_async (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cs_client_new_from_environment_async (NULL, mock_store_result, &result);
  return cs_client_new_from_environment_finish (wait_for (&result), error);
}

/* The three calls fail with @domain/@code, a message that names the
 * keyring, and soon: sync and async alike. */
static void
assert_keyring_fails (GQuark domain,
                      int    code)
{
  gint64 start = g_get_monotonic_time ();

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GError) store_error = NULL;
      g_autoptr(GError) lookup_error = NULL;
      g_autoptr(GError) clear_error = NULL;
      g_autofree char *key = NULL;
      gboolean stored, cleared;

      if (round == 0)
        {
          stored = cs_keyring_store_key (URL_A, KEY_A, NULL, &store_error);
          key = cs_keyring_lookup_key (URL_A, NULL, &lookup_error);
          cleared = cs_keyring_clear_key (URL_A, NULL, &clear_error);
        }
      else
        {
          g_autoptr(GAsyncResult) stored_result = NULL;
          g_autoptr(GAsyncResult) lookup_result = NULL;
          g_autoptr(GAsyncResult) cleared_result = NULL;

          cs_keyring_store_key_async (URL_A, KEY_A, NULL, mock_store_result, &stored_result);
          cs_keyring_lookup_key_async (URL_A, NULL, mock_store_result, &lookup_result);
          cs_keyring_clear_key_async (URL_A, NULL, mock_store_result, &cleared_result);
          stored = cs_keyring_store_key_finish (wait_for (&stored_result), &store_error);
          key = cs_keyring_lookup_key_finish (wait_for (&lookup_result), &lookup_error);
          cleared = cs_keyring_clear_key_finish (wait_for (&cleared_result),
                                                 &clear_error);
        }
      g_assert_false (stored);
      g_assert_null (key);
      g_assert_false (cleared);
      g_assert_error (store_error, domain, code);
      g_assert_error (lookup_error, domain, code);
      g_assert_error (clear_error, domain, code);
      g_assert_true (g_str_has_prefix (lookup_error->message, "keyring: "));
      g_assert_null (strstr (store_error->message, KEY_A));
      g_test_message ("%s", lookup_error->message);
    }
  g_assert_cmpint (g_get_monotonic_time () - start, <, NO_HANG_SECONDS * G_USEC_PER_SEC);
}

/* Without a usable keyring CAPSOLVER_API_KEY still works, and without it
 * the client is refused with the reason, sync and async. */
static void
assert_environment_without_keyring (const char *reason)
{
  g_autoptr(CsSandbox) sandbox = start_sandbox ();
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsClient) async_client = NULL;
  g_autoptr(CsClient) missing = NULL;
  g_autoptr(CsClient) async_missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) async_error = NULL;

  g_setenv ("CAPSOLVER_BASE_URL", cs_sandbox_get_base_url (sandbox), TRUE);
  g_setenv ("CAPSOLVER_API_KEY", ENV_KEY, TRUE);
  client = cs_client_new_from_environment (&error);
  g_assert_no_error (error);
  assert_solves (client, ENV_KEY);
  async_client = client_from_environment_async (&error);
  g_assert_no_error (error);
  assert_solves (async_client, ENV_KEY);

  g_unsetenv ("CAPSOLVER_API_KEY");
  missing = cs_client_new_from_environment (&error);
  g_assert_null (missing);
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_nonnull (strstr (error->message, "CAPSOLVER_API_KEY is not set"));
  g_assert_nonnull (strstr (error->message, reason));
  async_missing = client_from_environment_async (&async_error);
  g_assert_null (async_missing);
  g_assert_error (async_error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_cmpstr (async_error->message, ==, error->message);
  g_unsetenv ("CAPSOLVER_BASE_URL");
}

/* --- In a session with a keyring -------------------------------------------------- */

/* Store, read, replace, forget: one key per base URL. */
static void
test_session_store_lookup_clear (void)
{
  g_autofree char *none = NULL;
  g_autofree char *a = NULL;
  g_autofree char *a_slash = NULL;
  g_autofree char *b = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *gone = NULL;

  g_assert_true (cs_keyring_is_supported ());
  clear (URL_A);
  clear (URL_B);
  none = lookup (URL_A);
  g_assert_null (none);

  /* the white space around a key is no part of it */
  store (URL_A, " " KEY_A "\n");
  a = lookup (URL_A);
  g_assert_cmpstr (a, ==, KEY_A);
  /* the same service, written as a client would have it */
  a_slash = lookup (URL_A "//");
  g_assert_cmpstr (a_slash, ==, KEY_A);
  b = lookup (URL_B);
  g_assert_null (b);

  store (URL_A, KEY_B);
  replaced = lookup (URL_A);
  g_assert_cmpstr (replaced, ==, KEY_B);

  g_assert_true (clear (URL_A));
  gone = lookup (URL_A);
  g_assert_null (gone);
  g_assert_false (clear (URL_A));
}

/* NULL and "" are the CapSolver service itself. */
static void
test_session_default_url (void)
{
  g_autofree char *by_null = NULL;
  g_autofree char *by_empty = NULL;
  g_autofree char *by_url = NULL;
  g_autofree char *gone = NULL;

  store (NULL, KEY_A);
  by_null = lookup (NULL);
  by_empty = lookup ("");
  by_url = lookup (CS_DEFAULT_BASE_URL "/");
  g_assert_cmpstr (by_null, ==, KEY_A);
  g_assert_cmpstr (by_empty, ==, KEY_A);
  g_assert_cmpstr (by_url, ==, KEY_A);
  g_assert_true (clear (CS_DEFAULT_BASE_URL));
  gone = lookup (NULL);
  g_assert_null (gone);
}

/* The asynchronous forms, asserted after the loop returned. */
static void
test_session_async (void)
{
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GAsyncResult) cleared = NULL;
  g_autoptr(GAsyncResult) found_after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *key_after = NULL;

  cs_keyring_store_key_async (URL_B, KEY_B, NULL, mock_store_result, &stored);
  g_assert_true (cs_keyring_store_key_finish (wait_for (&stored), &error));
  g_assert_no_error (error);

  cs_keyring_lookup_key_async (URL_B, NULL, mock_store_result, &found);
  key = cs_keyring_lookup_key_finish (wait_for (&found), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key, ==, KEY_B);

  cs_keyring_clear_key_async (URL_B, NULL, mock_store_result, &cleared);
  g_assert_true (cs_keyring_clear_key_finish (wait_for (&cleared), &error));
  g_assert_no_error (error);

  cs_keyring_lookup_key_async (URL_B, NULL, mock_store_result, &found_after);
  key_after = cs_keyring_lookup_key_finish (wait_for (&found_after), &error);
  g_assert_no_error (error);
  g_assert_null (key_after);
}

/* A key is one word: nothing else is stored, and the key is not in the
 * message. */
static void
test_session_invalid_key (void)
{
  static const char * const keys[] = { NULL, "", " \n", "CAP-ONE TWO", "CAP-\x1b[31m", "\xff" };
  g_autofree char *none = NULL;

  clear (URL_A);
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (cs_keyring_store_key (URL_A, keys[i], NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_str_has_prefix (error->message, "keyring: "));
      if (keys[i] != NULL && *keys[i] != '\0' && !g_ascii_isspace (*keys[i]))
        g_assert_null (strstr (error->message, keys[i]));
    }
  none = lookup (URL_A);
  g_assert_null (none);
}

/* A cancelled call returns at once, and changes nothing. */
static void
test_session_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) async_error = NULL;
  g_autofree char *none = NULL;

  clear (URL_A);
  g_cancellable_cancel (cancellable);
  g_assert_false (cs_keyring_store_key (URL_A, KEY_A, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  cs_keyring_lookup_key_async (URL_A, cancellable, mock_store_result, &result);
  g_assert_null (cs_keyring_lookup_key_finish (wait_for (&result), &async_error));
  g_assert_error (async_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  none = lookup (URL_A);
  g_assert_null (none);
}

/* Another program that keeps the key under the documented schema, with a
 * newline as `echo KEY | secret-tool store` leaves: the library finds it. */
static void
test_session_schema (void)
{
#ifdef WITH_LIBSECRET
  static const SecretSchema schema = {
    "com.capsolver.ApiKey", SECRET_SCHEMA_NONE,
    { { "base-url", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *seen = NULL;

  g_assert_cmpstr (CS_KEYRING_SCHEMA_NAME, ==, schema.name);
  g_assert_cmpstr (CS_KEYRING_ATTRIBUTE_BASE_URL, ==, schema.attributes[0].name);
  g_assert_true (secret_password_store_sync (&schema, SECRET_COLLECTION_DEFAULT, "elsewhere",
                                             KEY_B "\n", NULL, &error,
                                             "base-url", URL_B, NULL));
  g_assert_no_error (error);
  key = lookup (URL_B);
  g_assert_cmpstr (key, ==, KEY_B);

  /* and what the library stores, another program reads */
  store (URL_B, KEY_A);
  seen = secret_password_lookup_sync (&schema, NULL, &error, "base-url", URL_B, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (seen, ==, KEY_A);
  g_assert_true (clear (URL_B));
#else
  g_assert_not_reached ();
#endif
}

/* The client from the environment takes the keyring's key for its base URL
 * when CAPSOLVER_API_KEY is unset, and solves on the sandbox with it; the
 * variable wins over the keyring; after the key is forgotten, no client. */
static void
test_session_client (void)
{
  g_autoptr(CsSandbox) sandbox = start_sandbox ();
  const char *url = cs_sandbox_get_base_url (sandbox);
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsClient) async_client = NULL;
  g_autoptr(CsClient) env_client = NULL;
  g_autoptr(CsClient) missing = NULL;
  g_autoptr(GError) error = NULL;

  g_unsetenv ("CAPSOLVER_API_KEY");
  g_setenv ("CAPSOLVER_BASE_URL", url, TRUE);
  store (url, KEY_A);

  client = cs_client_new_from_environment (&error);
  g_assert_no_error (error);
  g_assert_cmpstr (cs_client_get_base_url (client), ==, url);
  assert_solves (client, KEY_A);
  async_client = client_from_environment_async (&error);
  g_assert_no_error (error);
  assert_solves (async_client, KEY_A);

  g_setenv ("CAPSOLVER_API_KEY", ENV_KEY, TRUE);
  env_client = cs_client_new_from_environment (&error);
  g_assert_no_error (error);
  assert_solves (env_client, ENV_KEY);
  g_unsetenv ("CAPSOLVER_API_KEY");

  g_assert_true (clear (url));
  missing = cs_client_new_from_environment (&error);
  g_assert_null (missing);
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_nonnull (strstr (error->message, "the keyring has no key for"));
  g_assert_nonnull (strstr (error->message, url));
  g_unsetenv ("CAPSOLVER_BASE_URL");
}

/* --- The keyring daemon stopped, replaced, locked ---------------------------------- */

#ifdef WITH_LIBSECRET

/* The password keyring-session.py unlocks the login keyring with. */
#define TEST_PASSWORD "capsolver-glib-test-password"
#define SECRETS_NAME "org.freedesktop.secrets"

static GVariant *
bus_call (const char *name,
          const char *path,
          const char *interface,
          const char *method,
          GVariant   *parameters)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  GVariant *reply;

  g_assert_nonnull (bus);
  reply = g_dbus_connection_call_sync (bus, name, path, interface, method, parameters, NULL,
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, &error);
  g_assert_no_error (error);
  return reply;
}

static gboolean
secrets_name_owned (void)
{
  g_autoptr(GVariant) reply = bus_call ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "NameHasOwner",
                                        g_variant_new ("(s)", SECRETS_NAME));
  gboolean owned;

  g_variant_get (reply, "(b)", &owned);
  return owned;
}

static GPid
daemon_pid (void)
{
  g_autoptr(GVariant) reply = bus_call ("org.freedesktop.DBus", "/org/freedesktop/DBus",
                                        "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                        g_variant_new ("(s)", SECRETS_NAME));
  guint32 pid;

  g_variant_get (reply, "(u)", &pid);
  g_assert_cmpuint (pid, >, 1);
  return (GPid) pid;
}

/* Waits, with a deadline proving no hang, until the name is owned or not. */
static void
wait_for_owner (gboolean owned)
{
  gint64 deadline = g_get_monotonic_time () + NO_HANG_SECONDS * G_USEC_PER_SEC;

  while (secrets_name_owned () != owned)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

/* A new gnome-keyring-daemon, its login keyring unlocked with the test
 * password, in place of whatever owns the name: as after a crash and a
 * new login. */
static void
start_daemon (void)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GSubprocess) daemon = NULL;
  g_autoptr(GBytes) password = g_bytes_new_static (TEST_PASSWORD, strlen (TEST_PASSWORD));
  g_autoptr(GError) error = NULL;

  /* the daemon is not under test */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_unsetenv (launcher, "G_SLICE");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_CHECK_");
  g_subprocess_launcher_unsetenv (launcher, "MALLOC_PERTURB_");
  daemon = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--replace",
                                        "--unlock", "--components=secrets", "--daemonize",
                                        NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (daemon, password, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (daemon));
  wait_for_owner (TRUE);
}

static void
kill_daemon (void)
{
  g_assert_cmpint (kill (daemon_pid (), SIGKILL), ==, 0);
  wait_for_owner (FALSE);
}

/* libsecret 0.20 logs criticals of its own when the keyring's prompt to
 * unlock cannot be shown, as in this session with no display: it
 * unreferences a NULL reply, or returns a NULL error. Those two, and only
 * those, are not fatal here: they are not this library's doing. */
static gboolean
is_prompt_critical (const char *log_domain,
                    const char *message)
{
  return (g_strcmp0 (log_domain, "GLib") == 0 &&
          strstr (message, "g_variant_unref: assertion 'value != NULL' failed") != NULL) ||
         (g_strcmp0 (log_domain, "GLib-GIO") == 0 &&
          strstr (message, "g_task_return_error: assertion 'error != NULL' failed") != NULL);
}

static void
prompt_log_handler (const char     *log_domain,
                    GLogLevelFlags  log_level,
                    const char     *message,
                    gpointer        user_data)
{
  if (is_prompt_critical (log_domain, message))
    g_test_message ("libsecret, with no prompter: %s", message);
  else
    g_log_default_handler (log_domain, log_level, message, user_data);
}

static gboolean
prompt_fatal_handler (const char     *log_domain,
                      GLogLevelFlags  log_level,
                      const char     *message,
                      gpointer        user_data)
{
  return !is_prompt_critical (log_domain, message);
}

static void
tolerate_prompt_criticals (void)
{
  GLogLevelFlags levels = G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION;

  g_log_set_handler ("GLib", levels, prompt_log_handler, NULL);
  g_log_set_handler ("GLib-GIO", levels, prompt_log_handler, NULL);
  g_test_log_set_fatal_handler (prompt_fatal_handler, NULL);
}

/* Iterates the thread-default context for @msec. */
static void
spin (guint msec)
{
  gint64 end = g_get_monotonic_time () + msec * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10 * 1000);
    }
}

#endif

/* A daemon that stops answering (SIGSTOP) holds no call past the limit:
 * the whole call, not only reaching the bus. */
static void
test_session_hung_daemon (void)
{
#ifdef WITH_LIBSECRET
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) async_error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *key = NULL;
  g_autofree char *async_key = NULL;
  g_autofree char *after = NULL;
  GPid pid;
  gint64 start;

  store (URL_A, KEY_A);
  pid = daemon_pid ();
  _cs_keyring_set_connect_timeout (1000);
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);

  start = g_get_monotonic_time ();
  key = cs_keyring_lookup_key (URL_A, NULL, &error);
  cs_keyring_store_key_async (URL_A, KEY_B, NULL, mock_store_result, &result);
  g_assert_false (cs_keyring_store_key_finish (wait_for (&result), &async_error));
  /* D-Bus alone would wait 25 s for each call the keyring makes */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);

  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);
  _cs_keyring_set_connect_timeout (0);
  g_assert_null (key);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_true (g_str_has_prefix (error->message, "keyring: "));
  g_assert_error (async_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "within 1 second ("));
  g_test_message ("%s", error->message);

  /* and the daemon, answering again, is used again */
  after = lookup (URL_A);
  g_assert_true (g_strcmp0 (after, KEY_A) == 0 || g_strcmp0 (after, KEY_B) == 0);
  g_assert_true (clear (URL_A));
#else
  g_assert_not_reached ();
#endif
}

/* The daemon killed and another started: the process's next calls use the
 * new one (libsecret's cached connection named the old one's session). */
static void
test_session_daemon_replaced (void)
{
#ifdef WITH_LIBSECRET
  g_autofree char *key = NULL;

  store (URL_A, KEY_A);
  kill_daemon ();
  start_daemon ();
  store (URL_A, KEY_B);
  key = lookup (URL_A);
  g_assert_cmpstr (key, ==, KEY_B);
  g_assert_true (clear (URL_A));
#else
  g_assert_not_reached ();
#endif
}

/* The daemon dies in the middle of a store: the error is a G_IO_ERROR, as
 * documented, or the store succeeded on the Secret Service D-Bus started
 * again; and the next daemon is used. */
static void
test_session_daemon_dies (void)
{
#ifdef WITH_LIBSECRET
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  GPid pid;

  store (URL_A, KEY_A);
  /* D-Bus may start a daemon whose keyring is locked, and it prompts; a
   * prompt libsecret could not show may leave its call unanswered, until
   * the limit, shortened here */
  tolerate_prompt_criticals ();
  _cs_keyring_set_connect_timeout (5000);
  pid = daemon_pid ();
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  cs_keyring_store_key_async (URL_A, KEY_B, NULL, mock_store_result, &result);
  /* the request reaches the stopped daemon's socket, then the daemon dies */
  spin (500);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  if (!cs_keyring_store_key_finish (wait_for (&result), &error))
    {
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_true (error->domain == G_IO_ERROR);
      g_assert_true (g_str_has_prefix (error->message, "keyring: "));
    }
  _cs_keyring_set_connect_timeout (0);
  start_daemon ();
  store (URL_A, KEY_B);
  key = lookup (URL_A);
  g_assert_cmpstr (key, ==, KEY_B);
  g_assert_true (clear (URL_A));
#else
  g_assert_not_reached ();
#endif
}

/* A locked keyring is not an empty one: a key that is there, locked, is
 * neither "none stored" nor "none removed", but an error that says so. */
static void
test_session_locked (void)
{
#ifdef WITH_LIBSECRET
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) lookup_error = NULL;
  g_autoptr(GError) clear_error = NULL;
  g_autoptr(GError) async_error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) other_error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *other = NULL;
  g_autofree char *after = NULL;
  const char *collections[] = { "/org/freedesktop/secrets/aliases/default", NULL };

  clear (URL_B);
  store (URL_A, KEY_A);
  tolerate_prompt_criticals ();
  /* locked by D-Bus; the session has no prompter to unlock it */
  reply = bus_call (SECRETS_NAME, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
                    "Lock", g_variant_new ("(^ao)", collections));

  key = cs_keyring_lookup_key (URL_A, NULL, &lookup_error);
  g_assert_null (key);
  g_assert_error (lookup_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_true (g_str_has_prefix (lookup_error->message, "keyring: the keyring is locked"));
  g_test_message ("%s", lookup_error->message);
  g_assert_false (cs_keyring_clear_key (URL_A, NULL, &clear_error));
  g_assert_error (clear_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  cs_keyring_clear_key_async (URL_A, NULL, mock_store_result, &result);
  g_assert_false (cs_keyring_clear_key_finish (wait_for (&result), &async_error));
  g_assert_error (async_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  /* an address with no item, locked or not, has no key */
  other = cs_keyring_lookup_key (URL_B, NULL, &other_error);
  g_assert_no_error (other_error);
  g_assert_null (other);

  /* unlocked again by a new login: the key was there all along */
  start_daemon ();
  after = lookup (URL_A);
  g_assert_cmpstr (after, ==, KEY_A);
  g_assert_true (clear (URL_A));
#else
  g_assert_not_reached ();
#endif
}

/* --- Without a keyring ------------------------------------------------------------ */

static void
test_no_bus (void)
{
  g_autofree char *address = g_strdup_printf ("unix:path=%s/no-such-bus-%d",
                                              g_get_tmp_dir (), (int) getpid ());

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  assert_keyring_fails (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  assert_environment_without_keyring ("no D-Bus session bus");
}

static void
test_no_service (void)
{
  g_assert_nonnull (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  assert_keyring_fails (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  assert_environment_without_keyring ("no Secret Service");
}

/* A socket that takes connections and never says a word: GDBus would wait
 * for its greeting forever. The keyring gives up at its bound. */
static void
test_silent_bus (void)
{
  g_autofree char *dir = g_dir_make_tmp ("capsolver-silent-bus-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bus", NULL);
  g_autofree char *address = g_strdup_printf ("unix:path=%s", path);
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpuint (strlen (path), <, sizeof sun.sun_path);
  strcpy (sun.sun_path, path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &sun, sizeof sun), ==, 0);
  /* never accepted: the backlog holds the connection */
  g_assert_cmpint (listen (fd, 16), ==, 0);

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  _cs_keyring_set_connect_timeout (300);
  assert_keyring_fails (G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  assert_environment_without_keyring ("did not answer");
  _cs_keyring_set_connect_timeout (0);

  close (fd);
  g_unlink (path);
  g_rmdir (dir);
}

/* --- Without libsecret ------------------------------------------------------------ */

static void
test_unsupported (void)
{
  g_assert_false (cs_keyring_is_supported ());
  assert_keyring_fails (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  assert_environment_without_keyring ("not supported");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/keyring/session/store-lookup-clear", test_session_store_lookup_clear);
  g_test_add_func ("/keyring/session/default-url", test_session_default_url);
  g_test_add_func ("/keyring/session/async", test_session_async);
  g_test_add_func ("/keyring/session/invalid-key", test_session_invalid_key);
  g_test_add_func ("/keyring/session/cancelled", test_session_cancelled);
  g_test_add_func ("/keyring/session/schema", test_session_schema);
  g_test_add_func ("/keyring/session/client", test_session_client);
  g_test_add_func ("/keyring/session/hung-daemon", test_session_hung_daemon);
  g_test_add_func ("/keyring/session/daemon-replaced", test_session_daemon_replaced);
  g_test_add_func ("/keyring/session/daemon-dies", test_session_daemon_dies);
  g_test_add_func ("/keyring/session/locked", test_session_locked);
  g_test_add_func ("/keyring/no-bus/fails", test_no_bus);
  g_test_add_func ("/keyring/no-service/fails", test_no_service);
  g_test_add_func ("/keyring/silent-bus/times-out", test_silent_bus);
  g_test_add_func ("/keyring/unsupported/fails", test_unsupported);

  return g_test_run ();
}
