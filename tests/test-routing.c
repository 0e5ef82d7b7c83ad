/* test-routing.c: a chain of clients of different providers
 *
 * Each test runs one CsSandbox per provider of the chain, each in its
 * provider's dialect, and counts the createTask requests each received:
 * a task goes to the next client of the chain (CsClient:fallback) only
 * when the one before certainly created nothing, and the task and its
 * solution say which provider has them.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "mock-server.h"

#define KEY "routing-test-key"
#define RECAPTCHA_SITE_KEY "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-"
/* Anti-Captcha has no MTCaptcha; CapMonster Cloud and CapSolver do. */
#define MTCAPTCHA_TYPE "MtCaptchaTaskProxyLess"
#define N_SOLVES 200
/* tasks the first account pays for before its money runs out */
#define N_PAID   20
/* a generous bound that only proves there is no hang */
#define DEADLINE_S 120

typedef struct {
  CsSandbox *sandboxes[3];
  CsClient  *clients[3];
} Fixture;

static const CsProvider chain_providers[] = {
  CS_PROVIDER_ANTI_CAPTCHA, CS_PROVIDER_CAPMONSTER, CS_PROVIDER_CAPSOLVER,
};

static CsSandbox *
new_sandbox (CsProvider  provider,
             double      balance)
{
  g_autoptr(GError) error = NULL;
  CsSandbox *sandbox = g_object_new (CS_TYPE_SANDBOX, "dialect", provider, NULL);

  cs_sandbox_set_time_scale (sandbox, 0);
  cs_sandbox_set_polls_until_ready (sandbox, 1);
  if (balance >= 0)
    cs_sandbox_add_key (sandbox, KEY, balance);
  g_assert_true (cs_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  return sandbox;
}

static CsClient *
new_client (CsProvider  provider,
            const char *base_url)
{
  return g_object_new (CS_TYPE_CLIENT,
                       "api-key", KEY,
                       "provider", provider,
                       "base-url", base_url,
                       "adaptive-polling", FALSE,
                       "first-poll-delay", 5,
                       "poll-interval", 5,
                       NULL);
}

/* Sandboxes and clients for @providers, each client the fallback of the
 * one before; @balances (nullable) of their keys, -1 for no key. */
static void
make_chain (Fixture          *f,
            const CsProvider *providers,
            guint             n,
            const double     *balances)
{
  for (guint i = 0; i < n; i++)
    {
      f->sandboxes[i] = new_sandbox (providers[i], balances != NULL ? balances[i] : 10.0);
      f->clients[i] = new_client (providers[i], cs_sandbox_get_base_url (f->sandboxes[i]));
    }
  for (guint i = n - 1; i > 0; i--)
    cs_client_set_fallback (f->clients[i - 1], f->clients[i]);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (f->clients); i++)
    {
      g_clear_object (&f->clients[i]);
      g_clear_object (&f->sandboxes[i]);
    }
  _cs_account_forget_all ();
}

static guint
creates (Fixture *f,
         guint    i)
{
  return cs_sandbox_get_request_count (f->sandboxes[i], "createTask");
}

static CsTask *
new_token_task (const char *type_name)
{
  CsTask *task = cs_task_new (type_name);

  cs_task_set_string (task, "websiteURL", "https://example.com/login");
  cs_task_set_string (task, "websiteKey", g_str_has_prefix (type_name, "Mt") ? "MTPublic-abc123"
                                                                               : RECAPTCHA_SITE_KEY);
  return task;
}

static CsSolution *
solve (CsClient  *client,
       CsTask    *task,
       GError   **error)
{
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  cs_client_solve_async (client, task, NULL, mock_store_result, &slot);
  result = mock_wait_result (&slot);
  return cs_client_solve_finish (client, result, error);
}

/* A loopback URL on a port nothing listens on: connections are refused. */
static char *
refused_url (void)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

/* A type the first provider lacks goes to the next that has it; one the
 * first has stays there. The task and the solution say who solved it. */
static void
test_lacking_type (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsTask) mt = new_token_task (MTCAPTCHA_TYPE);
  g_autoptr(CsTask) recaptcha = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsUsage) usage = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, chain_providers, 3, NULL);
  g_assert_true (cs_client_get_fallback (f->clients[0]) == f->clients[1]);

  solution = solve (f->clients[0], mt, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_CAPMONSTER);
  g_assert_cmpint (cs_task_get_provider (mt), ==, CS_PROVIDER_CAPMONSTER);
  g_assert_cmpuint (creates (f, 0), ==, 0);
  g_assert_cmpuint (creates (f, 1), ==, 1);
  g_assert_cmpuint (creates (f, 2), ==, 0);
  /* polled where it was created */
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[0], "getTaskResult"), ==, 0);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], "getTaskResult"), >=, 1);
  /* and counted there */
  usage = cs_client_get_usage (f->clients[1]);
  g_assert_cmpuint (cs_usage_get_created (usage), ==, 1);
  g_clear_pointer (&usage, cs_usage_unref);
  usage = cs_client_get_usage (f->clients[0]);
  g_assert_cmpuint (cs_usage_get_created (usage), ==, 0);
  g_assert_cmpuint (cs_usage_get_solved (usage), ==, 1);
  g_clear_object (&solution);

  solution = solve (f->clients[0], recaptcha, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_ANTI_CAPTCHA);
  g_assert_cmpint (cs_task_get_provider (recaptcha), ==, CS_PROVIDER_ANTI_CAPTCHA);
  g_assert_cmpuint (creates (f, 0), ==, 1);
  g_assert_cmpuint (creates (f, 1), ==, 1);
}

/* No client of the chain has the type: the first client's error. */
static void
test_no_client_has_type (Fixture       *f,
                         gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_ANTI_CAPTCHA, CS_PROVIDER_TWOCAPTCHA };
  g_autoptr(CsTask) mt = new_token_task (MTCAPTCHA_TYPE);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, NULL);
  solution = solve (f->clients[0], mt, &error);
  g_assert_null (solution);
  g_assert_error (error, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "Anti-Captcha"));
  g_assert_cmpuint (creates (f, 0) + creates (f, 1), ==, 0);
}

typedef struct {
  guint solved;
  guint by_provider[CS_PROVIDER_COMPATIBLE + 1];
  guint done;
  GError *error;  /* the first */
} Run;

static void
run_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;
  g_autoptr(CsSolution) solution = cs_client_solve_finish (CS_CLIENT (source), result, &error);

  run->done++;
  if (solution == NULL)
    {
      if (run->error == NULL)
        run->error = error;
      else
        g_error_free (error);
      return;
    }
  run->solved++;
  run->by_provider[cs_solution_get_provider (solution)]++;
}

/* The first account runs out of money while N_SOLVES solves are in
 * flight: the tasks it refuses go to the second, every task completes,
 * and none is created twice. New tasks then go to the second without
 * asking the first. */
static void
test_zero_balance (Fixture       *f,
                   gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_ANTI_CAPTCHA };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  g_autoptr(CsUsage) first = NULL;
  g_autoptr(CsUsage) second = NULL;
  g_autoptr(CsTask) later = mock_new_image_task ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  double balances[2] = { 0, 10.0 };
  guint first_creates;
  double price;
  Run run = { 0, };

  /* image tasks are paid for at creation: the money covers N_PAID of them */
  {
    g_autoptr(CsSandbox) probe = cs_sandbox_new ();

    price = cs_sandbox_get_price (probe, "ImageToTextTask");
  }
  balances[0] = price * N_PAID + price / 2;
  make_chain (f, providers, 2, balances);

  for (guint i = 0; i < N_SOLVES; i++)
    {
      CsTask *task = mock_new_image_task ();

      g_ptr_array_add (tasks, task);
      cs_client_solve_async (f->clients[0], task, NULL, run_cb, &run);
    }
  while (run.done < N_SOLVES)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_test_message ("zero balance: %u solves, %u solved at CapSolver, %u at Anti-Captcha; "
                  "createTask requests %u at CapSolver, %u at Anti-Captcha",
                  N_SOLVES, run.by_provider[CS_PROVIDER_CAPSOLVER],
                  run.by_provider[CS_PROVIDER_ANTI_CAPTCHA], creates (f, 0), creates (f, 1));
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.solved, ==, N_SOLVES);
  g_assert_cmpuint (run.by_provider[CS_PROVIDER_CAPSOLVER], ==, N_PAID);
  g_assert_cmpuint (run.by_provider[CS_PROVIDER_ANTI_CAPTCHA], ==, N_SOLVES - N_PAID);
  /* none created twice: the second created exactly the tasks it solved, and
   * the first was paid for exactly its own */
  g_assert_cmpuint (creates (f, 1), ==, N_SOLVES - N_PAID);
  g_assert_cmpfloat (cs_sandbox_get_key_balance (f->sandboxes[0], KEY), <, price);
  for (guint i = 0; i < tasks->len; i++)
    {
      CsTask *task = g_ptr_array_index (tasks, i);

      g_assert_cmpint (cs_task_get_provider (task), ==,
                       cs_solution_get_provider (cs_task_get_solution (task)));
    }
  first = cs_client_get_usage (f->clients[0]);
  second = cs_client_get_usage (f->clients[1]);
  g_assert_cmpuint (cs_usage_get_created (first), ==, N_PAID);
  g_assert_cmpuint (cs_usage_get_created (second), ==, N_SOLVES - N_PAID);
  g_assert_cmpuint (cs_usage_get_submitted (first), ==, N_SOLVES);
  g_assert_cmpuint (cs_usage_get_solved (first), ==, N_SOLVES);
  g_assert_cmpint (cs_client_get_account_state (f->clients[0]), ==, CS_ACCOUNT_STATE_NO_BALANCE);

  /* the first holds creates back now: a new task goes straight on */
  first_creates = creates (f, 0);
  solution = solve (f->clients[0], later, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_ANTI_CAPTCHA);
  g_assert_cmpuint (creates (f, 0), ==, first_creates);
  g_assert_cmpuint (creates (f, 1), ==, N_SOLVES - N_PAID + 1);
}

/* A key the first provider refuses moves the task, and the next ones. */
static void
test_refused_key (Fixture       *f,
                  gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_ANTI_CAPTCHA, CS_PROVIDER_CAPSOLVER };
  static const double balances[] = { -1, 10.0 };

  make_chain (f, providers, 2, balances);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
      g_autoptr(GError) error = NULL;
      g_autoptr(CsSolution) solution = solve (f->clients[0], task, &error);

      g_assert_no_error (error);
      g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_CAPSOLVER);
      g_assert_cmpint (cs_task_get_provider (task), ==, CS_PROVIDER_CAPSOLVER);
    }
  /* the second was held back by the refused key: only one was sent */
  g_assert_cmpuint (creates (f, 0), ==, 1);
  g_assert_cmpuint (creates (f, 1), ==, 2);
  g_assert_cmpint (cs_client_get_account_state (f->clients[0]), ==, CS_ACCOUNT_STATE_REFUSED);
}

/* A task polls at the pace of the provider that has it, not of the client
 * called: CapSolver publishes no minimum poll interval, CapMonster Cloud's
 * is 2 s. */
static void
test_poll_pace (Fixture       *f,
                gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_CAPMONSTER };
  static const double balances[] = { -1, 10.0 };
  guint interval = _cs_dialect_get_limits (_cs_dialect_get (CS_PROVIDER_CAPMONSTER))
                   ->min_poll_interval_ms;
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) timings = NULL;
  JsonObject *record;
  double fetched_after;

  g_assert_cmpuint (interval, >, 0);
  make_chain (f, providers, 2, balances);
  /* the poll-count model: ready at the second poll */
  cs_sandbox_set_time_scale (f->sandboxes[1], -1);
  solution = solve (f->clients[0], task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_CAPMONSTER);
  /* ready at the second poll, which must come the interval after the first */
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], "getTaskResult"), ==, 2);
  timings = cs_sandbox_get_timings (f->sandboxes[1]);
  record = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (timings), "tasks"), 0);
  fetched_after = json_object_get_double_member (record, "fetchedMs") -
                  json_object_get_double_member (record, "createdMs");
  g_test_message ("token fetched %.0f ms after createTask; minimum interval %u ms",
                  fetched_after, interval);
  g_assert_cmpfloat (fetched_after, >=, interval);
}

/* The blocking forms route the same way: getToken, which Anti-Captcha
 * has none of, and a solve past a refused key. */
static void
test_blocking (Fixture       *f,
               gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_ANTI_CAPTCHA, CS_PROVIDER_CAPSOLVER };
  static const double balances[] = { -1, 10.0 };
  g_autoptr(CsTask) token_task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) token = NULL;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, balances);
  token = cs_client_get_token (f->clients[0], token_task, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (token), ==, CS_PROVIDER_CAPSOLVER);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[0], NULL), ==, 0);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], "getToken"), ==, 1);

  solution = cs_client_solve (f->clients[0], task, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_CAPSOLVER);
  g_assert_cmpuint (creates (f, 0), ==, 1);
  g_assert_cmpuint (creates (f, 1), ==, 1);
}

/* A program of blocking calls: the second of the chain ran out of money
 * and was topped up; a blocking solve that would go there reads its
 * balance when its probe is due, as it does the first's, and goes on. */
static void
test_blocking_probe (Fixture       *f,
                     gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_ANTI_CAPTCHA, CS_PROVIDER_CAPSOLVER };
  static const double balances[] = { 10.0, 0 };
  g_autoptr(CsTask) first = new_token_task (MTCAPTCHA_TYPE);
  g_autoptr(CsTask) later = new_token_task (MTCAPTCHA_TYPE);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, balances);
  g_assert_null (cs_client_solve (f->clients[0], first, NULL, &error));
  /* the first client's error: it lacks the type */
  g_assert_error (error, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED);
  g_clear_error (&error);
  g_assert_cmpint (cs_client_get_account_state (f->clients[1]), ==,
                   CS_ACCOUNT_STATE_NO_BALANCE);

  cs_sandbox_add_key (f->sandboxes[1], KEY, 10);
  _cs_account_set_probe_interval (f->clients[1]->account, 20);
  g_usleep (50 * 1000);
  solution = cs_client_solve (f->clients[0], later, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_CAPSOLVER);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], "getBalance"), ==, 1);
  g_assert_cmpuint (creates (f, 1), ==, 2);
}

/* A blocking solve that the first client takes does not wait for the
 * balance read of a later client without money. */
static void
test_blocking_probe_first_takes (Fixture       *f,
                                 gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_ANTI_CAPTCHA };
  static const double balances[] = { 10.0, 0 };
  g_autoptr(CsTask) refused = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, balances);
  g_assert_null (cs_client_solve (f->clients[1], refused, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_ZERO_BALANCE);
  g_clear_error (&error);
  g_assert_cmpint (cs_client_get_account_state (f->clients[1]), ==,
                   CS_ACCOUNT_STATE_NO_BALANCE);
  _cs_account_set_probe_interval (f->clients[1]->account, 20);
  g_usleep (50 * 1000);

  solution = cs_client_solve (f->clients[0], task, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_CAPSOLVER);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], "getBalance"), ==, 0);
}

/* Every endpoint of the first refuses connections: nothing reached it,
 * and the task goes to the second. */
static void
test_endpoints_down (Fixture       *f,
                     gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_CAPMONSTER };
  g_autofree char *down_a = refused_url ();
  g_autofree char *down_b = refused_url ();
  const char *urls[] = { down_a, down_b, NULL };
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, NULL);
  cs_client_set_base_urls (f->clients[0], urls);
  solution = solve (f->clients[0], task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_CAPMONSTER);
  g_assert_cmpuint (creates (f, 1), ==, 1);
}

/* The first takes the createTask body and closes the connection without
 * an answer: it may have created the task, so the task fails with the
 * error that says so and the second receives nothing. */
static void
test_unknown_outcome (Fixture       *f,
                      gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_ANTI_CAPTCHA };
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, NULL);
  cs_sandbox_inject_fault (f->sandboxes[0], CS_SANDBOX_FAULT_DROP_CONNECTION, 1);
  solution = solve (f->clients[0], task, &error);
  g_assert_null (solution);
  g_assert_nonnull (error);
  g_test_message ("unknown outcome: %s", error->message);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_nonnull (strstr (error->message, "may have been carried out"));
  g_assert_cmpuint (creates (f, 0), ==, 1);
  g_assert_cmpuint (creates (f, 1), ==, 0);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], NULL), ==, 0);
  g_assert_null (cs_task_get_task_id (task));
}

/* The first has no money, and the second takes the createTask body and
 * closes the connection: the outcome at the second is the one to give,
 * not the first's refusal, since the task may exist there. */
static void
test_unknown_outcome_after_move (Fixture       *f,
                                 gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_ANTI_CAPTCHA };
  static const double balances[] = { 0, 10.0 };
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, balances);
  cs_sandbox_inject_fault (f->sandboxes[1], CS_SANDBOX_FAULT_DROP_CONNECTION, 1);
  solution = solve (f->clients[0], task, &error);
  g_assert_null (solution);
  g_assert_nonnull (error);
  g_test_message ("unknown outcome after a move: %s", error->message);
  g_assert_true (error->domain == G_IO_ERROR);
  g_assert_nonnull (strstr (error->message, "may have been carried out"));
  g_assert_cmpuint (creates (f, 0), ==, 1);
  g_assert_cmpuint (creates (f, 1), ==, 1);
}

/* A report goes to the client of the chain that has the task, in that
 * provider's words; a client with none of its provider sends nothing. */
static void
test_report (Fixture       *f,
             gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_ANTI_CAPTCHA, CS_PROVIDER_CAPSOLVER };
  g_autoptr(CsTask) task = new_token_task (MTCAPTCHA_TYPE);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, NULL);
  solution = solve (f->clients[0], task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_task_get_provider (task), ==, CS_PROVIDER_CAPSOLVER);

  g_assert_true (cs_client_report (f->clients[0], task, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], "feedbackTask"), ==, 1);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[0], NULL), ==, 0);
}

/* A task of one provider reported through a client of another (not in a
 * chain with it) is refused before anything is sent: that provider does
 * not know the task. */
static void
test_report_other_provider (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  f->sandboxes[0] = new_sandbox (CS_PROVIDER_CAPSOLVER, 10.0);
  f->sandboxes[1] = new_sandbox (CS_PROVIDER_ANTI_CAPTCHA, 10.0);
  f->clients[0] = new_client (CS_PROVIDER_CAPSOLVER, cs_sandbox_get_base_url (f->sandboxes[0]));
  f->clients[1] = new_client (CS_PROVIDER_ANTI_CAPTCHA,
                              cs_sandbox_get_base_url (f->sandboxes[1]));
  solution = solve (f->clients[0], task, &error);
  g_assert_no_error (error);

  /* through another provider's client, the report goes to the client
   * that created the task, in its words; nothing to the other provider */
  g_assert_true (cs_client_report (f->clients[1], task, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[0], "feedbackTask"), ==, 1);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], NULL), ==, 0);

  /* once that client is gone, no client of the chain speaks CapSolver's
   * dialect: refused, nothing sent */
  g_clear_object (&f->clients[0]);
  g_assert_false (cs_client_report (f->clients[1], task, FALSE, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID);
  g_assert_nonnull (strstr (error->message, "CapSolver"));
  g_clear_error (&error);
  /* polled the same way */
  g_assert_false (cs_client_get_task_result (f->clients[1], task, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], NULL), ==, 0);
}

/* An HTTP 429 with no body turned the createTask away without processing
 * it: the task moves to the next client. */
static void
test_too_many_requests (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(GBytes) body = g_bytes_new_static ("Too Many Requests", 17);
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  mock_server_add_raw_reply (server, "createTask", 429, "text/plain", body);
  f->sandboxes[1] = new_sandbox (CS_PROVIDER_ANTI_CAPTCHA, 10.0);
  f->clients[0] = new_client (CS_PROVIDER_CAPSOLVER, mock_server_get_url (server));
  f->clients[1] = new_client (CS_PROVIDER_ANTI_CAPTCHA,
                              cs_sandbox_get_base_url (f->sandboxes[1]));
  cs_client_set_fallback (f->clients[0], f->clients[1]);

  solution = solve (f->clients[0], task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_ANTI_CAPTCHA);
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 1);
  g_assert_cmpuint (creates (f, 1), ==, 1);
}

/* An error reply that names a task may have created it: neither another
 * endpoint nor another client creates it again. */
static void
test_error_names_task (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  const char *urls[3] = { NULL, NULL, NULL };

  mock_server_add_reply (server, "createTask", 503,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_SERVICE_UNAVALIABLE\","
                         "\"errorDescription\":\"busy\",\"taskId\":\"abc\"}");
  f->sandboxes[0] = new_sandbox (CS_PROVIDER_CAPSOLVER, 10.0);
  f->sandboxes[1] = new_sandbox (CS_PROVIDER_ANTI_CAPTCHA, 10.0);
  urls[0] = mock_server_get_url (server);
  urls[1] = cs_sandbox_get_base_url (f->sandboxes[0]);
  f->clients[0] = new_client (CS_PROVIDER_CAPSOLVER, NULL);
  cs_client_set_base_urls (f->clients[0], urls);
  f->clients[1] = new_client (CS_PROVIDER_ANTI_CAPTCHA,
                              cs_sandbox_get_base_url (f->sandboxes[1]));
  cs_client_set_fallback (f->clients[0], f->clients[1]);

  solution = solve (f->clients[0], task, &error);
  g_assert_null (solution);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 1);
  g_assert_cmpuint (creates (f, 0), ==, 0);
  g_assert_cmpuint (creates (f, 1), ==, 0);
}

/* The first provider answers every request with an empty 500 (a CDN that
 * lost its origin): the task sent there may exist, and fails so; the
 * tasks after it go to the next client without a request to the first,
 * whose endpoints all failed. Alone, the first still tries. */
static void
test_first_down (Fixture       *f,
                 gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_ANTI_CAPTCHA };
  g_autoptr(CsTask) lost = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsTask) alone = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, NULL);
  cs_sandbox_inject_fault (f->sandboxes[0], CS_SANDBOX_FAULT_HTTP_500, 1000);
  g_assert_null (solve (f->clients[0], lost, &error));
  g_assert_nonnull (strstr (error->message, "may have been carried out"));
  g_clear_error (&error);
  g_assert_cmpuint (creates (f, 1), ==, 0);

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
      g_autoptr(CsSolution) solution = solve (f->clients[0], task, &error);

      g_assert_no_error (error);
      g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_ANTI_CAPTCHA);
    }
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[0], "createTask"), ==, 1);
  g_assert_cmpuint (creates (f, 1), ==, 5);

  /* with no client after it, the client sends all the same */
  cs_client_set_fallback (f->clients[0], NULL);
  g_assert_null (solve (f->clients[0], alone, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[0], "createTask"), ==, 2);
}

/* Cutting the chain while a task created at the fallback is being polled
 * does not strand it: its creator polls it to the end. */
static void
test_cut_chain (Fixture       *f,
                gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_ANTI_CAPTCHA };
  static const double balances[] = { -1, 10.0 };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(GAsyncResult) slot = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, balances);
  /* the poll-count model: pending for a few polls */
  cs_sandbox_set_time_scale (f->sandboxes[1], -1);
  cs_sandbox_set_polls_until_ready (f->sandboxes[1], 3);
  cs_client_solve_async (f->clients[0], task, NULL, mock_store_result, &slot);
  while (cs_task_get_task_id (task) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (cs_task_get_provider (task), ==, CS_PROVIDER_ANTI_CAPTCHA);
  cs_client_set_fallback (f->clients[0], NULL);

  result = mock_wait_result (&slot);
  solution = cs_client_solve_finish (f->clients[0], result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_ANTI_CAPTCHA);
  g_assert_cmpuint (creates (f, 1), ==, 1);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[1], "getTaskResult"), >=, 4);
}

/* A task holds its creator weakly: the client goes with its last
 * reference, and the task is then polled by the chain's client of its
 * provider. */
static void
test_creator_gone (Fixture       *f,
                   gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_ANTI_CAPTCHA };
  static const double balances[] = { -1, 10.0 };
  g_autoptr(CsTask) task = new_token_task ("ReCaptchaV2TaskProxyLess");
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;
  CsClient *creator;

  make_chain (f, providers, 2, balances);
  cs_sandbox_set_polls_until_ready (f->sandboxes[1], 3);
  g_assert_true (cs_client_create_task (f->clients[0], task, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_task_get_provider (task), ==, CS_PROVIDER_ANTI_CAPTCHA);

  creator = f->clients[1];
  g_object_add_weak_pointer (G_OBJECT (creator), (gpointer *) &creator);
  cs_client_set_fallback (f->clients[0], NULL);
  g_clear_object (&f->clients[1]);
  g_assert_null (creator);

  f->clients[1] = new_client (CS_PROVIDER_ANTI_CAPTCHA,
                              cs_sandbox_get_base_url (f->sandboxes[1]));
  cs_client_set_fallback (f->clients[0], f->clients[1]);
  solution = solve (f->clients[0], task, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_ANTI_CAPTCHA);
  g_assert_cmpuint (creates (f, 1), ==, 1);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[0], "getTaskResult"), ==, 0);
}

/* A task resumed from its id at a given provider is polled there. */
static void
test_task_for_id (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsTask) task = new_token_task (MTCAPTCHA_TYPE);
  g_autoptr(CsTask) resumed = NULL;
  g_autoptr(CsTask) unknown = NULL;
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, chain_providers, 3, NULL);
  cs_sandbox_set_polls_until_ready (f->sandboxes[1], 3);
  g_assert_true (cs_client_create_task (f->clients[0], task, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (cs_task_get_provider (task), ==, CS_PROVIDER_CAPMONSTER);

  resumed = g_object_new (CS_TYPE_TASK, "task-id", cs_task_get_task_id (task),
                          "provider", CS_PROVIDER_CAPMONSTER, NULL);
  g_assert_cmpint (cs_task_get_provider (resumed), ==, CS_PROVIDER_CAPMONSTER);
  solution = solve (f->clients[0], resumed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_solution_get_provider (solution), ==, CS_PROVIDER_CAPMONSTER);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[0], "getTaskResult"), ==, 0);

  /* without a provider, a task made from its id is the called client's */
  unknown = cs_task_new_for_id ("1234");
  g_assert_cmpint (cs_task_get_provider (unknown), ==, CS_PROVIDER_CAPSOLVER);
  cs_client_get_task_result (f->clients[0], unknown, NULL, &error);
  g_assert_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID);
  g_assert_cmpuint (cs_sandbox_get_request_count (f->sandboxes[0], "getTaskResult"), ==, 1);
  /* a provider that does not know the task does not get it */
  g_assert_cmpint (cs_task_get_provider (unknown), ==, CS_PROVIDER_CAPSOLVER);
}

/* A chain never loops: the fallback that would make one is refused. */
static void
test_loop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(CsClient) a = cs_client_new (KEY);
  g_autoptr(CsClient) b = cs_client_new (KEY);
  g_autoptr(CsClient) c = cs_client_new (KEY);

  cs_client_set_fallback (a, b);
  cs_client_set_fallback (b, c);

  g_test_expect_message ("CapSolver", G_LOG_LEVEL_CRITICAL, "*!loop*");
  cs_client_set_fallback (c, a);
  g_test_assert_expected_messages ();
  g_assert_null (cs_client_get_fallback (c));

  g_test_expect_message ("CapSolver", G_LOG_LEVEL_CRITICAL, "*!loop*");
  g_object_set (a, "fallback", a, NULL);
  g_test_assert_expected_messages ();
  g_assert_true (cs_client_get_fallback (a) == b);

  /* and the chain is changed or cut at any time */
  cs_client_set_fallback (a, c);
  g_assert_true (cs_client_get_fallback (a) == c);
  cs_client_set_fallback (a, NULL);
  g_assert_null (cs_client_get_fallback (a));
}

static void
store_error_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **error = user_data;

  g_assert_false (cs_client_create_task_finish (CS_CLIENT (source), result, error));
  g_assert_nonnull (*error);
}

/* Cancelled while the first's answer is on its way: the answer (no
 * money) would move the task, but nothing more is sent. */
static void
test_cancel_at_route (Fixture       *f,
                      gconstpointer  data)
{
  static const CsProvider providers[] = { CS_PROVIDER_CAPSOLVER, CS_PROVIDER_ANTI_CAPTCHA };
  static const double balances[] = { 0, 10.0 };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  g_autoptr(CsTask) task = mock_new_image_task ();
  g_autoptr(CsTask) sentinel = mock_new_image_task ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  make_chain (f, providers, 2, balances);
  cs_sandbox_set_fault_delay (f->sandboxes[0], 300);
  cs_sandbox_inject_fault (f->sandboxes[0], CS_SANDBOX_FAULT_DELAY, 1);
  cs_client_create_task_async (f->clients[0], task, cancellable, store_error_cb, &error);
  while (creates (f, 0) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_cancellable_cancel (cancellable);
  while (error == NULL || cs_client_get_account_state (f->clients[0]) == CS_ACCOUNT_STATE_USABLE)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* a createTask the cancelled call sent to the second would be in the
   * second's queue before this one */
  g_clear_error (&error);
  solution = solve (f->clients[1], sentinel, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (creates (f, 1), ==, 1);
  g_assert_null (cs_task_get_task_id (task));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/routing/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("lacking-type", test_lacking_type);
  ADD ("no-client-has-type", test_no_client_has_type);
  ADD ("zero-balance", test_zero_balance);
  ADD ("refused-key", test_refused_key);
  ADD ("poll-pace", test_poll_pace);
  ADD ("blocking", test_blocking);
  ADD ("blocking-probe", test_blocking_probe);
  ADD ("blocking-probe-first-takes", test_blocking_probe_first_takes);
  ADD ("endpoints-down", test_endpoints_down);
  ADD ("unknown-outcome", test_unknown_outcome);
  ADD ("unknown-outcome-after-move", test_unknown_outcome_after_move);
  ADD ("report", test_report);
  ADD ("report-other-provider", test_report_other_provider);
  ADD ("cut-chain", test_cut_chain);
  ADD ("first-down", test_first_down);
  ADD ("too-many-requests", test_too_many_requests);
  ADD ("error-names-task", test_error_names_task);
  ADD ("creator-gone", test_creator_gone);
  ADD ("task-for-id", test_task_for_id);
  ADD ("loop", test_loop);
  ADD ("cancel-at-route", test_cancel_at_route);
#undef ADD

  return g_test_run ();
}
