/* test-account.c: the account's breaker, its sharing and the balance cache
 *
 * Every test runs a CsSandbox on a free port and counts the requests it
 * saw; the counts are printed (g_test_message) for the record.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-client-private.h"
#include "mock-server.h"

#define WRONG_KEY "CAP-00000000000000000000000000000000WRONG0000000000000000000000000000"
#define EMPTY_KEY "CAP-EMPTY0000000000000000000000000000000000000000000000000000000000"
#define N_QUEUED  10000
/* under valgrind (CS_TEST_TIME_FACTOR), fewer */
#define N_QUEUED_SLOW 500
/* a generous bound that only proves there is no hang */
#define DEADLINE_S 120

typedef struct {
  CsSandbox *sandbox;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->sandbox = cs_sandbox_new ();
  cs_sandbox_set_time_scale (f->sandbox, 0);
  cs_sandbox_set_polls_until_ready (f->sandbox, 1);
  g_assert_true (cs_sandbox_start (f->sandbox, 0, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->sandbox);
  /* every client is gone, so is every account, once those that outlive
   * their last client with a hold are forgotten */
  _cs_account_forget_all ();
  g_assert_cmpuint (_cs_account_count (), ==, 0);
}

static guint
n_queued (void)
{
  return g_getenv ("CS_TEST_TIME_FACTOR") != NULL ? N_QUEUED_SLOW : N_QUEUED;
}

static CsClient *
new_client (Fixture    *f,
            const char *api_key)
{
  CsClient *client = cs_client_new (api_key);

  cs_client_set_base_url (client, cs_sandbox_get_base_url (f->sandbox));
  cs_client_set_first_poll_delay (client, 2);
  cs_client_set_poll_interval (client, 2);
  return client;
}

static CsTask *
new_token_task (guint i)
{
  CsTask *task = cs_task_new ("ReCaptchaV2TaskProxyLess");
  g_autofree char *url = g_strdup_printf ("https://example.com/%u", i);

  cs_task_set_string (task, "websiteURL", url);
  cs_task_set_string (task, "websiteKey", "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-");
  return task;
}

static guint
count (Fixture    *f,
       const char *method)
{
  return cs_sandbox_get_request_count (f->sandbox, method);
}

static void
run_until (gboolean *done)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (!*done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
true_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default context until every source ready now ran. */
static void
settle (void)
{
  gboolean done = FALSE;

  g_idle_add_full (G_PRIORITY_LOW, true_cb, &done, NULL);
  run_until (&done);
}

/* --- Many solves ------------------------------------------------------------------ */

typedef struct {
  guint   total;
  guint   finished;
  guint   solved;
  guint   by_code;      /* failed with the expected code */
  guint   not_sent;     /* ...saying so */
  guint   cancelled;
  guint   other;
  CsError code;
  gboolean done;
} Solves;

static void
solve_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Solves *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsSolution) solution = cs_client_solve_finish (CS_CLIENT (source), result, &error);

  if (solution != NULL)
    run->solved++;
  else if (g_error_matches (error, CS_ERROR, run->code))
    {
      run->by_code++;
      if (strstr (error->message, "not sent") != NULL)
        run->not_sent++;
      /* what was not sent created nothing */
      g_assert_null (strstr (error->message, "may have been"));
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    run->cancelled++;
  else
    {
      if (run->other++ < 3)
        g_test_message ("other error: %s", error->message);
    }
  run->done = ++run->finished == run->total;
}

/* Queues @n solves on @client, runs them to their end. */
static void
solve_many (CsClient     *client,
            guint         n,
            GCancellable *cancellable,
            Solves       *run)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);

  run->total = n;
  for (guint i = 0; i < n; i++)
    {
      CsTask *task = new_token_task (i);

      g_ptr_array_add (tasks, task);
      cs_client_solve_async (client, task, cancellable, solve_cb, run);
    }
  run_until (&run->done);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* The counters, the client's and the key's, say what the run saw: the
 * solves sent failed for good, the others were not sent. */
static void
assert_refused_counted (CsClient     *client,
                        const Solves *run,
                        guint         sent)
{
  g_autoptr(CsUsage) usage = cs_client_get_usage (client);
  g_autoptr(CsUsage) account = cs_client_get_account_usage (client);

  g_assert_cmpuint (cs_usage_get_submitted (usage), ==, run->total);
  g_assert_cmpuint (cs_usage_get_not_sent (usage), ==, run->not_sent);
  g_assert_cmpuint (cs_usage_get_failed (usage, CS_RETRY_CLASS_PERMANENT), ==,
                    run->total - run->not_sent);
  g_assert_cmpuint (run->total - run->not_sent, ==, sent);
  g_assert_cmpuint (cs_usage_get_created (usage), ==, 0);
  g_assert_cmpuint (cs_usage_get_solved (usage) + cs_usage_get_failed_total (usage) +
                    cs_usage_get_not_sent (usage), ==, cs_usage_get_submitted (usage));
  /* the only client of its key: the key's counters are its own */
  g_assert_cmpuint (cs_usage_get_submitted (account), ==, run->total);
  g_assert_cmpuint (cs_usage_get_not_sent (account), ==, run->not_sent);
}

/* 10,000 solves with a key the service refuses: at most max-connections
 * createTask leave; every other solve ends at once with the same code,
 * saying it was not sent. */
static void
test_refused_key (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  Solves run = { .code = CS_ERROR_KEY_DENIED_ACCESS };
  g_autoptr(GError) reason = NULL;
  guint notified = 0;
  guint sent;

  g_signal_connect (client, "notify::account-state", G_CALLBACK (count_notify_cb), &notified);
  solve_many (client, n_queued (), NULL, &run);
  sent = count (f, "createTask");
  g_test_message ("refused key: %u solves, %u createTask requests seen by the sandbox "
                  "(%u requests in all), %u ended not sent", run.total, sent,
                  count (f, NULL), run.not_sent);
  g_assert_cmpuint (sent, >=, 1);
  g_assert_cmpuint (sent, <=, client->max_in_flight);
  g_assert_cmpuint (run.by_code, ==, run.total);
  g_assert_cmpuint (run.not_sent, ==, run.total - sent);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_REFUSED);
  reason = cs_client_dup_account_error (client);
  g_assert_error (reason, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_null (strstr (reason->message, WRONG_KEY));
  g_assert_cmpuint (notified, ==, 1);
  assert_refused_counted (client, &run, sent);

  /* a refused key holds everything, balance reads too */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CsBalance) balance = cs_client_get_balance (client, NULL, &error);

    g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
    g_assert_nonnull (strstr (error->message, "not sent"));
    g_assert_cmpuint (count (f, "getBalance"), ==, 0);
  }
}

static void
token_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Solves *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsSolution) solution = cs_client_get_token_finish (CS_CLIENT (source), result,
                                                               &error);

  if (solution != NULL)
    run->solved++;
  else if (g_error_matches (error, CS_ERROR, run->code))
    {
      run->by_code++;
      if (strstr (error->message, "not sent") != NULL)
        run->not_sent++;
    }
  else if (run->other++ < 3)
    g_test_message ("other error: %s", error->message);
  run->done = ++run->finished == run->total;
}

/* 2,000 getTokens with a key the service refuses: each has a connection
 * of its own, apart from max-connections, but until the key's first
 * answer only max-connections of them go; the others end with the
 * key's error, not sent. */
static void
test_refused_key_get_token (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  Solves run = { .code = CS_ERROR_KEY_DENIED_ACCESS, .total = 2000 };
  guint sent;

  for (guint i = 0; i < run.total; i++)
    {
      CsTask *task = new_token_task (i);

      g_ptr_array_add (tasks, task);
      cs_client_get_token_async (client, task, NULL, token_cb, &run);
    }
  run_until (&run.done);
  sent = count (f, "getToken");
  g_test_message ("refused key: %u getTokens, %u getToken requests seen by the sandbox "
                  "(%u requests in all), %u ended not sent", run.total, sent,
                  count (f, NULL), run.not_sent);
  g_assert_cmpuint (sent, >=, 1);
  g_assert_cmpuint (sent, <=, client->max_in_flight);
  g_assert_cmpuint (run.by_code, ==, run.total);
  g_assert_cmpuint (run.not_sent, ==, run.total - sent);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_REFUSED);
}

/* Queues @n getTokens on @client and runs them to their end. */
static void
get_tokens (CsClient *client,
            guint     n,
            guint     first,
            Solves   *run)
{
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);

  run->total = n;
  for (guint i = 0; i < n; i++)
    {
      CsTask *task = new_token_task (first + i);

      g_ptr_array_add (tasks, task);
      cs_client_get_token_async (client, task, NULL, token_cb, run);
    }
  run_until (&run->done);
}

/* resume() with the key still wrong (the user pressed "retry"): the key
 * is on probation again, so again only max-connections getTokens go
 * before the refusal trips the breaker. */
static void
test_resume_probation (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  Solves first = { .code = CS_ERROR_KEY_DENIED_ACCESS };
  Solves again = { .code = CS_ERROR_KEY_DENIED_ACCESS };
  guint sent;

  /* answers that take a while, so that nothing trips before all are queued */
  cs_sandbox_set_fault_delay (f->sandbox, 100);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DELAY, 1000000);
  get_tokens (client, 2000, 0, &first);
  sent = count (f, "getToken");
  g_assert_cmpuint (sent, <=, client->max_in_flight);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_REFUSED);

  cs_client_resume (client);
  get_tokens (client, 2000, 10000, &again);
  g_test_message ("after resume(): %u getTokens, %u getToken requests seen by the sandbox",
                  again.total, count (f, "getToken") - sent);
  g_assert_cmpuint (count (f, "getToken") - sent, >=, 1);
  g_assert_cmpuint (count (f, "getToken") - sent, <=, client->max_in_flight);
  g_assert_cmpuint (again.by_code, ==, again.total);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_REFUSED);
}

/* A wrong key whose first answer takes longer than the probation's own
 * clock (a slow network, a busy service): the key check, a balance read
 * sent as the first getToken goes, holds the others until its answer,
 * which trips the breaker; only max-connections getTokens go. */
static void
test_probation_slow_answer (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  Solves run = { .code = CS_ERROR_KEY_DENIED_ACCESS };
  guint sent;

  cs_sandbox_set_fault_delay (f->sandbox, CS_ACCOUNT_PROBATION + 500);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DELAY, 1000000);
  get_tokens (client, 2000, 0, &run);
  sent = count (f, "getToken");
  g_test_message ("slow answers: %u getTokens, %u getToken and %u getBalance requests seen "
                  "by the sandbox, %u ended not sent", run.total, sent,
                  count (f, "getBalance"), run.not_sent);
  g_assert_cmpuint (sent, >=, 1);
  g_assert_cmpuint (sent, <=, client->max_in_flight);
  g_assert_cmpuint (count (f, "getBalance"), ==, 1);
  g_assert_cmpuint (run.by_code, ==, run.total);
  g_assert_cmpuint (run.not_sent, ==, run.total - sent);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_REFUSED);
}

/* The key check's end lifts the probation, whatever it read: one that
 * failed for want of a connection must not hold the key's requests for
 * ever. One at a time, and only for the probation it was sent in. */
static void
test_key_check (Fixture       *f,
                gconstpointer  data)
{
  CsAccount *account = _cs_account_get ("http://probation.invalid", "CAP-CHECKED");
  gint64 check = 0;
  gint64 other = 0;

  g_assert_false (_cs_account_begin_key_check (account, 60000, &check));
  g_assert_true (_cs_account_probation_admits (account, 0, 16));
  g_assert_true (_cs_account_begin_key_check (account, 60000, &check));
  g_assert_false (_cs_account_begin_key_check (account, 60000, &other));
  /* the check's timeout outlasts the probation's own clock */
  g_usleep ((CS_ACCOUNT_PROBATION + 100) * 1000);
  g_assert_false (_cs_account_probation_admits (account, 16, 16));
  _cs_account_end_key_check (account, check);
  g_assert_true (_cs_account_probation_admits (account, 1000, 16));
  _cs_account_unref (account);
}

static gboolean sandbox_banned (Fixture *f);

typedef struct {
  CsClient *client;
  guint     first;
  GMutex    lock;
  guint     not_sent;
  guint     banned;
} Workers;

static gpointer
blocking_solves (gpointer user_data)
{
  Workers *workers = user_data;
  guint first;

  g_mutex_lock (&workers->lock);
  first = workers->first;
  workers->first += 5;
  g_mutex_unlock (&workers->lock);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(CsTask) task = new_token_task (first + i);
      g_autoptr(GError) error = NULL;
      g_autoptr(CsSolution) solution = cs_client_solve (workers->client, task, NULL, &error);

      g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
      g_mutex_lock (&workers->lock);
      if (strstr (error->message, "not sent") != NULL)
        workers->not_sent++;
      g_mutex_unlock (&workers->lock);
    }
  return NULL;
}

/* A pool of 200 worker threads making blocking solves with a wrong key:
 * blocking calls go apart from the client's queue, but while the key has
 * had no answer, at most max-connections of them are out; the first
 * refusal ends the others, not sent, far from the address ban. */
static void
test_threads_wrong_key (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  Workers workers = { .client = client };
  GThread *threads[200];
  guint sent;

  g_mutex_init (&workers.lock);
  cs_sandbox_set_ip_ban_errors (f->sandbox, 50);
  cs_sandbox_set_fault_delay (f->sandbox, 200);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DELAY, 1000000);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("worker", blocking_solves, &workers);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  sent = count (f, "createTask");
  g_test_message ("200 threads x 5 blocking solves: %u createTask requests seen by the "
                  "sandbox, %u ended not sent", sent, workers.not_sent);
  g_assert_cmpuint (sent, >=, 1);
  g_assert_cmpuint (sent, <=, client->max_in_flight);
  g_assert_cmpuint (workers.not_sent, ==, 1000 - sent);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_REFUSED);
  g_assert_false (sandbox_banned (f));
  g_mutex_clear (&workers.lock);
}

/* The probation itself: max-connections held requests before the first
 * answer; after it, or once CS_ACCOUNT_PROBATION went by without one,
 * as many as the client allows. */
static void
test_probation (Fixture       *f,
                gconstpointer  data)
{
  CsAccount *slow = _cs_account_get ("http://probation.invalid", "CAP-SLOW");
  CsAccount *quick = _cs_account_get ("http://probation.invalid", "CAP-QUICK");

  /* the first held request starts the clock */
  g_assert_true (_cs_account_probation_admits (slow, 0, 16));
  g_assert_true (_cs_account_probation_admits (slow, 15, 16));
  g_assert_false (_cs_account_probation_admits (slow, 16, 16));
  g_assert_true (_cs_account_probation_admits (quick, 0, 16));
  g_assert_false (_cs_account_probation_admits (quick, 16, 16));
  _cs_account_answered (quick);
  g_assert_true (_cs_account_probation_admits (quick, 1000, 16));
  g_assert_false (_cs_account_probation_admits (slow, 16, 16));
  /* a getToken may well have no answer for seconds: the limit lifts */
  g_usleep ((CS_ACCOUNT_PROBATION + 100) * 1000);
  g_assert_true (_cs_account_probation_admits (slow, 1000, 16));
  _cs_account_unref (slow);
  _cs_account_unref (quick);
}

/* The sandbox bans the address after ip-ban-errors errors within a
 * minute, as the service does: the breaker keeps a wrong key far from
 * it; without the breaker, the same loop reaches it. */
static gboolean
sandbox_banned (Fixture *f)
{
  g_autoptr(CsClient) other = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = cs_client_get_balance (other, NULL, &error);

  return g_error_matches (error, CS_ERROR, CS_ERROR_IP_BANNED);
}

static void
test_ban_threshold (Fixture       *f,
                    gconstpointer  data)
{
  gboolean breaker = GPOINTER_TO_INT (data);
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  Solves run = { .code = CS_ERROR_KEY_DENIED_ACCESS };
  guint threshold = 1000;
  guint sent;

  if (g_getenv ("CS_TEST_TIME_FACTOR") != NULL)
    threshold = N_QUEUED_SLOW / 2;
  cs_sandbox_set_ip_ban_errors (f->sandbox, threshold);
  cs_client_set_account_breaker (client, breaker);
  solve_many (client, n_queued (), NULL, &run);
  sent = count (f, "createTask");
  g_test_message ("breaker %s: %u solves with a wrong key, %u createTask requests seen by the "
                  "sandbox (ban threshold %u errors)", breaker ? "on" : "off", run.total, sent,
                  threshold);
  if (breaker)
    {
      g_assert_cmpuint (sent, <=, client->max_in_flight);
      g_assert_false (sandbox_banned (f));
    }
  else
    {
      g_assert_cmpuint (sent, >, threshold);
      g_assert_true (sandbox_banned (f));
    }
}

/* No money: the creates stop, balance reads do not; once the balance is
 * topped up, the next probe opens the account and solves succeed. */
static void
test_zero_balance (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, EMPTY_KEY);
  Solves run = { .code = CS_ERROR_ZERO_BALANCE };
  Solves later = { .code = CS_ERROR_ZERO_BALANCE };
  guint sent;
  guint probes;

  cs_sandbox_add_key (f->sandbox, EMPTY_KEY, 0);
  solve_many (client, n_queued (), NULL, &run);
  sent = count (f, "createTask");
  g_test_message ("zero balance: %u solves, %u createTask requests seen by the sandbox, "
                  "%u ended not sent", run.total, sent, run.not_sent);
  g_assert_cmpuint (sent, <=, client->max_in_flight);
  g_assert_cmpuint (run.by_code, ==, run.total);
  g_assert_cmpuint (run.not_sent, ==, run.total - sent);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_NO_BALANCE);

  /* the balance is read all the same: the empty balance does not open it */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CsBalance) balance = cs_client_get_balance (client, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpfloat (cs_balance_get_amount (balance), ==, 0);
    g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_NO_BALANCE);
  }

  /* topped up: the next probe (shortened from 30 s) sees it */
  cs_sandbox_add_key (f->sandbox, EMPTY_KEY, 10);
  _cs_account_set_probe_interval (client->account, 20);
  while (cs_client_get_account_state (client) != CS_ACCOUNT_STATE_USABLE)
    g_main_context_iteration (NULL, TRUE);
  probes = count (f, "getBalance") - 1;
  g_test_message ("zero balance: %u probe(s) to see the top-up", probes);
  g_assert_cmpuint (probes, >=, 1);
  /* and the cache holds what the probe read */
  {
    g_autoptr(CsBalance) balance = cs_client_get_balance (client, NULL, NULL);

    g_assert_cmpfloat (cs_balance_get_amount (balance), ==, 10);
    g_assert_cmpuint (count (f, "getBalance"), ==, probes + 1);
  }
  solve_many (client, 10, NULL, &later);
  g_assert_cmpuint (later.solved, ==, 10);
  g_test_message ("zero balance: %u requests in all", count (f, NULL));
}

/* A program of blocking calls never iterates the client's context, where
 * the timer's probe runs: a blocking solve whose account has no money
 * and whose probe is due reads the balance itself, sees the top-up and
 * goes on. */
static void
test_zero_balance_blocking_probe (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, EMPTY_KEY);
  g_autoptr(CsTask) first = new_token_task (1);
  g_autoptr(CsTask) held = new_token_task (2);
  g_autoptr(CsTask) later = new_token_task (3);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) held_error = NULL;

  cs_sandbox_add_key (f->sandbox, EMPTY_KEY, 0);
  g_assert_false (cs_client_solve (client, first, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_ZERO_BALANCE);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_NO_BALANCE);
  /* the probe is not due yet: held, nothing read */
  g_assert_false (cs_client_solve (client, held, NULL, &held_error));
  g_assert_error (held_error, CS_ERROR, CS_ERROR_ZERO_BALANCE);
  g_assert_cmpuint (count (f, "getBalance"), ==, 0);

  cs_sandbox_add_key (f->sandbox, EMPTY_KEY, 10);
  _cs_account_set_probe_interval (client->account, 20);
  g_usleep (50 * 1000);
  g_clear_error (&error);
  g_assert_true (cs_client_solve (client, later, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count (f, "getBalance"), ==, 1);
  g_assert_cmpuint (count (f, "createTask"), ==, 2);
}

static void
balance_read_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(CsBalance) balance = cs_client_get_balance_finish (CS_CLIENT (source), result,
                                                              NULL);

  *done = TRUE;
}

/* A balance read sent before an empty balance tripped the hold, and
 * answered after, tells of money the account had before: it does not
 * open the hold. */
static void
test_zero_balance_older_read (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, EMPTY_KEY);
  g_autoptr(CsTask) task = new_token_task (1);
  g_autoptr(GError) error = NULL;
  gboolean read_done = FALSE;

  cs_sandbox_add_key (f->sandbox, EMPTY_KEY, 10);
  cs_sandbox_set_fault_delay (f->sandbox, 500);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DELAY, 1);
  cs_client_get_balance_async (client, NULL, balance_read_cb, &read_done);
  /* the read is on its way before the empty balance is answered */
  while (count (f, "getBalance") == 0)
    g_main_context_iteration (NULL, FALSE);
  cs_task_set_string (task, "websiteURL", CS_SANDBOX_ERROR_URL_PREFIX "ERROR_ZERO_BALANCE");
  g_assert_false (cs_client_solve (client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_ZERO_BALANCE);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_NO_BALANCE);
  while (!read_done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_NO_BALANCE);
}

static CsBalance *
new_balance (double amount)
{
  g_auto(CsReply) reply = { .http_status = 200 };
  g_autoptr(GError) error = NULL;
  CsBalance *balance;

  reply.root = json_object_new ();
  json_object_set_double_member (reply.root, "balance", amount);
  balance = _cs_balance_new_from_reply (&reply, &error);
  g_assert_no_error (error);
  return balance;
}

/* How long until the account's next probe, in ms. */
static gint64
probe_in (CsAccount *account)
{
  return (_cs_account_next_change (account) - g_get_monotonic_time ()) / 1000;
}

/* A balance above 0 but below a task's price opens the hold, and the next
 * create trips it again: each time soon after a read opened it, the wait
 * before the next read doubles as if the read had shown nothing, instead
 * of starting again from the first. */
static void
test_small_balance_backs_off (Fixture       *f,
                              gconstpointer  data)
{
  CsAccount *account = _cs_account_get ("http://small.invalid", "CAP-SMALL");
  g_autoptr(GError) reason = g_error_new_literal (CS_ERROR, CS_ERROR_ZERO_BALANCE, "no money");
  g_autoptr(CsBalance) cents = new_balance (0.0001);
  guint wait = 10000;

  _cs_account_set_probe_interval (account, wait);
  _cs_account_hold (account, CS_HOLD_SPENDING, reason);
  g_assert_cmpint (probe_in (account), >, wait / 2);
  g_assert_cmpint (probe_in (account), <=, wait);
  for (guint round = 0; round < 4; round++)
    {
      _cs_account_set_balance (account, cents, _cs_account_get_generation (account));
      g_assert_cmpint (_cs_account_get_state (account, NULL), ==, CS_ACCOUNT_STATE_USABLE);
      _cs_account_hold (account, CS_HOLD_SPENDING, reason);
      wait *= 2;
      g_test_message ("tripped again: next read in %" G_GINT64_FORMAT " ms",
                      probe_in (account));
      g_assert_cmpint (probe_in (account), >, wait / 2 + wait / 4);
      g_assert_cmpint (probe_in (account), <=, wait);
    }
  /* resume() starts the waits again */
  _cs_account_resume (account);
  _cs_account_hold (account, CS_HOLD_SPENDING, reason);
  g_assert_cmpint (probe_in (account), <=, 10000);
  _cs_account_resume (account);
  _cs_account_unref (account);
}

static void
balance_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CsBalance **balance = user_data;
  g_autoptr(GError) error = NULL;

  *balance = cs_client_get_balance_finish (CS_CLIENT (source), result, &error);
  g_assert_no_error (error);
}

/* cs_client_invalidate_balance() while a read is on its way: that read
 * may have been answered before the money moved, so it does not fill the
 * cache when it lands, and the next call asks the service. */
static void
test_invalidate_during_read (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsBalance) first = NULL;
  g_autoptr(CsBalance) next = NULL;

  cs_client_get_balance_async (client, NULL, balance_done_cb, &first);
  cs_client_invalidate_balance (client);
  while (first == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count (f, "getBalance"), ==, 1);
  cs_client_get_balance_async (client, NULL, balance_done_cb, &next);
  while (next == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count (f, "getBalance"), ==, 2);
  /* and that one fills it */
  g_clear_object (&next);
  next = cs_client_get_balance (client, NULL, NULL);
  g_assert_nonnull (next);
  g_assert_cmpuint (count (f, "getBalance"), ==, 2);
}

/* No money stops the creates only: a task created before is still polled
 * to its end, while a new one is held. */
static void
test_zero_balance_polls_go_on (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, EMPTY_KEY);
  g_autoptr(CsTask) task = new_token_task (0);
  g_autoptr(CsTask) held = new_token_task (1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reason = g_error_new (CS_ERROR, CS_ERROR_ZERO_BALANCE,
                                          "ERROR_ZERO_BALANCE: scripted");
  g_autoptr(CsSolution) solution = NULL;

  cs_sandbox_add_key (f->sandbox, EMPTY_KEY, 1);
  cs_sandbox_set_polls_until_ready (f->sandbox, 3);
  g_assert_true (cs_client_create_task (client, task, NULL, &error));
  g_assert_no_error (error);
  /* the service said the money ran out (the sandbox only says so when
   * it did, and then polls fail too) */
  _cs_account_hold (client->account, CS_HOLD_SPENDING, reason);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_NO_BALANCE);

  g_assert_null (cs_client_solve (client, held, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_ZERO_BALANCE);
  g_assert_nonnull (strstr (error->message, "not sent"));
  g_clear_error (&error);
  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (solution);
  g_test_message ("polls go on: %u createTask, %u getTaskResult", count (f, "createTask"),
                  count (f, "getTaskResult"));
  g_assert_cmpuint (count (f, "createTask"), ==, 1);
  g_assert_cmpuint (count (f, "getTaskResult"), >=, 1);
}

/* --- Sharing ---------------------------------------------------------------------- */

typedef struct {
  Fixture      *f;
  GMainContext *context;
  CsClient     *client;
  guint         notified;
  GThread      *thread;
  gboolean      notified_here;   /* on the thread's own context */
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  gboolean      quit;
} OtherThread;

static void
other_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  OtherThread *other = user_data;

  g_mutex_lock (&other->lock);
  other->notified++;
  other->notified_here = g_main_context_is_owner (other->context);
  g_cond_signal (&other->cond);
  g_mutex_unlock (&other->lock);
}

static gpointer
other_thread (gpointer user_data)
{
  OtherThread *other = user_data;

  g_main_context_push_thread_default (other->context);
  other->client = new_client (other->f, WRONG_KEY);
  g_signal_connect (other->client, "notify::account-state", G_CALLBACK (other_notify_cb),
                    other);
  g_mutex_lock (&other->lock);
  other->ready = TRUE;
  g_cond_signal (&other->cond);
  g_mutex_unlock (&other->lock);
  while (!g_atomic_int_get (&other->quit))
    g_main_context_iteration (other->context, TRUE);
  g_clear_object (&other->client);
  g_main_context_pop_thread_default (other->context);
  return NULL;
}

static gboolean
nothing_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* Two clients with one key, on two threads: one is refused, the other
 * knows it, on its own context, and sends nothing. */
static void
test_shared (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  g_autoptr(CsClient) other_key = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsTask) task = new_token_task (0);
  g_autoptr(GError) error = NULL;
  OtherThread other = { .f = f };
  guint accounts;

  other.context = g_main_context_new ();
  g_mutex_init (&other.lock);
  g_cond_init (&other.cond);
  other.thread = g_thread_new ("other-client", other_thread, &other);
  g_mutex_lock (&other.lock);
  while (!other.ready)
    g_cond_wait (&other.cond, &other.lock);
  g_mutex_unlock (&other.lock);
  /* one entry per key: two clients share one */
  accounts = _cs_account_count ();
  g_assert_cmpuint (accounts, ==, 2);
  g_assert_true (client->account == other.client->account);
  g_assert_null (strstr (_cs_account_get_id (client->account), WRONG_KEY));
  g_assert_cmpuint (strlen (_cs_account_get_id (client->account)), ==, 64);

  g_assert_null (cs_client_solve (client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_mutex_lock (&other.lock);
  while (other.notified == 0)
    g_cond_wait (&other.cond, &other.lock);
  g_mutex_unlock (&other.lock);
  g_assert_true (other.notified_here);
  g_assert_cmpint (cs_client_get_account_state (other.client), ==, CS_ACCOUNT_STATE_REFUSED);
  g_assert_cmpint (cs_client_get_account_state (other_key), ==, CS_ACCOUNT_STATE_USABLE);
  /* the other client sends nothing with the key */
  g_clear_error (&error);
  {
    g_autoptr(CsTask) second = new_token_task (1);

    g_assert_null (cs_client_solve (other.client, second, NULL, &error));
    g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
    g_assert_nonnull (strstr (error->message, "not sent"));
  }
  g_test_message ("shared: %u createTask seen by the sandbox for two clients",
                  count (f, "createTask"));
  g_assert_cmpuint (count (f, "createTask"), ==, 1);

  g_atomic_int_set (&other.quit, TRUE);
  g_main_context_invoke (other.context, nothing_cb, NULL);
  g_thread_join (other.thread);
  g_main_context_unref (other.context);
  g_mutex_clear (&other.lock);
  g_cond_clear (&other.cond);
}

/* The key's counters add up those of its clients, and of no other key. */
static void
test_usage_per_key (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsClient) first = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsClient) second = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsClient) refused = new_client (f, WRONG_KEY);
  g_autoptr(CsUsage) account = NULL;
  g_autoptr(CsUsage) other = NULL;
  g_autoptr(CsUsage) own = NULL;
  Solves a = { .code = CS_ERROR_KEY_DENIED_ACCESS };
  Solves b = { .code = CS_ERROR_KEY_DENIED_ACCESS };
  Solves c = { .code = CS_ERROR_KEY_DENIED_ACCESS };

  solve_many (first, 3, NULL, &a);
  solve_many (second, 2, NULL, &b);
  solve_many (refused, 4, NULL, &c);
  g_assert_cmpuint (a.solved + b.solved, ==, 5);

  own = cs_client_get_usage (second);
  g_assert_cmpuint (cs_usage_get_submitted (own), ==, 2);
  account = cs_client_get_account_usage (second);
  g_assert_cmpuint (cs_usage_get_submitted (account), ==, 5);
  g_assert_cmpuint (cs_usage_get_solved (account), ==, 5);
  g_assert_cmpuint (cs_usage_get_created (account), ==, 5);
  g_assert_cmpuint (cs_usage_get_not_sent (account), ==, 0);
  other = cs_client_get_account_usage (refused);
  g_assert_cmpuint (cs_usage_get_submitted (other), ==, 4);
  g_assert_cmpuint (cs_usage_get_solved (other), ==, 0);
  g_assert_cmpuint (cs_usage_get_failed_total (other) + cs_usage_get_not_sent (other), ==, 4);
  g_test_message ("usage per key: %u createTask seen by the sandbox", count (f, "createTask"));
}

/* A refused key trips the breaker again and again, with solves queued
 * each time, and resume() opens it each time: no slot of the client is
 * lost to the solves held back, so every round still sends. */
static void
test_trips_again (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  guint before = 0;

  for (guint round = 0; round < 5; round++)
    {
      Solves run = { .code = CS_ERROR_KEY_DENIED_ACCESS };
      guint sent;

      solve_many (client, 100, NULL, &run);
      sent = count (f, "createTask") - before;
      before += sent;
      g_test_message ("round %u: %u createTask, %u not sent", round, sent, run.not_sent);
      g_assert_cmpuint (run.by_code, ==, 100);
      g_assert_cmpuint (sent, >=, 1);
      cs_client_resume (client);
    }
  /* and with a good key, solves go on */
  {
    Solves run = { .code = CS_ERROR_KEY_DENIED_ACCESS };

    cs_client_set_api_key (client, CS_SANDBOX_DEFAULT_KEY);
    solve_many (client, 100, NULL, &run);
    g_assert_cmpuint (run.solved, ==, 100);
  }
}

static void
record_thread_cb (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  GThread **thread = user_data;

  *thread = g_thread_self ();
}

static gpointer
set_good_key_thread (gpointer user_data)
{
  cs_client_set_api_key (user_data, CS_SANDBOX_DEFAULT_KEY);
  return NULL;
}

/* A key changed from another thread opens the account, and the change is
 * notified on the context the client was made in, not on that thread. */
static void
test_key_change_notified_here (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  g_autoptr(CsTask) task = new_token_task (0);
  g_autoptr(GError) error = NULL;
  GThread *notified_in = NULL;

  g_assert_null (cs_client_solve (client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  settle ();
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_REFUSED);
  g_signal_connect (client, "notify::account-state", G_CALLBACK (record_thread_cb),
                    &notified_in);
  g_thread_join (g_thread_new ("set-key", set_good_key_thread, client));
  settle ();
  g_assert_true (notified_in == g_thread_self ());
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_USABLE);
}

/* Solves count for the key they were submitted with, even when the
 * client's key changes before they end: each key's counters add up. */
static void
test_usage_key_change (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsClient) keeper = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsClient) other = new_client (f, EMPTY_KEY);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CsUsage) first = NULL;
  g_autoptr(CsUsage) second = NULL;
  Solves run = { .code = CS_ERROR_KEY_DENIED_ACCESS, .total = 50 };

  for (guint i = 0; i < run.total; i++)
    {
      CsTask *task = new_token_task (i);

      g_ptr_array_add (tasks, task);
      cs_client_solve_async (client, task, NULL, solve_cb, &run);
    }
  cs_client_set_api_key (client, EMPTY_KEY);
  run_until (&run.done);

  first = cs_client_get_account_usage (keeper);
  second = cs_client_get_account_usage (other);
  g_test_message ("usage across a key change: %u solved, %u by the key's code, %u other",
                  run.solved, run.by_code, run.other);
  g_assert_cmpuint (cs_usage_get_submitted (first), ==, run.total);
  g_assert_cmpuint (cs_usage_get_solved (first) + cs_usage_get_failed_total (first) +
                    cs_usage_get_not_sent (first), ==, run.total);
  g_assert_cmpuint (cs_usage_get_submitted (second), ==, 0);
  g_assert_cmpuint (cs_usage_get_solved (second) + cs_usage_get_failed_total (second) +
                    cs_usage_get_not_sent (second), ==, 0);
}

/* A program that makes a client per call keeps its account's state: a
 * client made after the last one was refused sends nothing, until it is
 * resumed; so with a pause. */
static void
test_outlives_clients (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CsClient) first = new_client (f, WRONG_KEY);
  g_autoptr(CsClient) second = NULL;
  g_autoptr(CsClient) third = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = NULL;

  g_assert_null (cs_client_get_balance (first, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_cmpint (cs_client_get_account_state (first), ==, CS_ACCOUNT_STATE_REFUSED);
  g_clear_object (&first);
  settle ();
  g_assert_cmpuint (_cs_account_count (), ==, 1);

  second = new_client (f, WRONG_KEY);
  g_assert_cmpint (cs_client_get_account_state (second), ==, CS_ACCOUNT_STATE_REFUSED);
  g_clear_error (&error);
  g_assert_null (cs_client_get_balance (second, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_nonnull (strstr (error->message, "not sent"));
  g_assert_cmpuint (count (f, "getBalance"), ==, 1);

  /* resumed, it sends */
  cs_client_resume (second);
  g_clear_error (&error);
  g_assert_null (cs_client_get_balance (second, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_null (strstr (error->message, "not sent"));
  g_assert_cmpuint (count (f, "getBalance"), ==, 2);
  g_clear_object (&second);
  settle ();

  /* forgotten (as the tests do, or a sandbox started at that address), the
   * key is tried again */
  _cs_account_forget_all ();
  g_assert_cmpuint (_cs_account_count (), ==, 0);

  /* a pause outlives its client too; a usable account does not */
  second = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  balance = cs_client_get_balance (second, NULL, NULL);
  g_assert_nonnull (balance);
  g_clear_object (&second);
  settle ();
  g_assert_cmpuint (_cs_account_count (), ==, 0);
  second = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  cs_client_pause (second, 60);
  g_clear_object (&second);
  settle ();
  g_assert_cmpuint (_cs_account_count (), ==, 1);
  third = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_assert_cmpint (cs_client_get_account_state (third), ==, CS_ACCOUNT_STATE_PAUSED);
  g_assert_cmpuint (cs_client_get_paused_for (third), >, 0);
  g_test_message ("client per call: %u getBalance seen by the sandbox", count (f, "getBalance"));
}

/* A key bound to other addresses than this one refuses every request
 * from here, as a wrong key does. */
static void
test_ip_not_allowed (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsTask) task = new_token_task (0);
  g_autoptr(CsTask) second = new_token_task (1);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  guint sent;

  cs_sandbox_fail_next_task (f->sandbox, "ERROR_IP_NOT_ALLOWED");
  solution = cs_client_solve (client, task, NULL, &error);
  g_assert_null (solution);
  g_assert_error (error, CS_ERROR, CS_ERROR_IP_NOT_ALLOWED);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_REFUSED);
  sent = count (f, NULL);

  g_clear_error (&error);
  g_assert_null (cs_client_solve (client, second, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IP_NOT_ALLOWED);
  g_assert_nonnull (strstr (error->message, "not sent"));
  g_clear_error (&error);
  g_assert_null (cs_client_get_balance (client, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IP_NOT_ALLOWED);
  g_assert_cmpuint (count (f, NULL), ==, sent);

  cs_client_resume (client);
  balance = cs_client_get_balance (client, NULL, NULL);
  g_assert_nonnull (balance);
  g_test_message ("ERROR_IP_NOT_ALLOWED: %u requests seen by the sandbox, %u before the "
                  "refusal", count (f, NULL), sent);
}

/* cs_client_resume() and a new key open the account. */
static void
test_resume_and_key_change (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  g_autoptr(CsClient) keeper = new_client (f, WRONG_KEY);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = NULL;
  guint notified = 0;

  g_signal_connect (client, "notify::account-state", G_CALLBACK (count_notify_cb), &notified);
  g_assert_null (cs_client_get_balance (client, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  settle ();
  g_assert_cmpint (cs_client_get_account_state (keeper), ==, CS_ACCOUNT_STATE_REFUSED);
  g_assert_cmpuint (notified, ==, 1);

  /* resumed: the next call is sent */
  cs_client_resume (keeper);
  settle ();
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_USABLE);
  g_assert_cmpuint (notified, ==, 2);
  g_clear_error (&error);
  g_assert_null (cs_client_get_balance (client, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_null (strstr (error->message, "not sent"));
  g_assert_cmpuint (count (f, "getBalance"), ==, 2);
  settle ();
  g_assert_cmpuint (notified, ==, 3);

  /* a new key: its own account, usable; the old one stays refused */
  cs_client_set_api_key (client, CS_SANDBOX_DEFAULT_KEY);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_USABLE);
  g_assert_cmpuint (notified, ==, 4);
  balance = cs_client_get_balance (client, NULL, NULL);
  g_assert_nonnull (balance);
  g_assert_cmpint (cs_client_get_account_state (keeper), ==, CS_ACCOUNT_STATE_REFUSED);
  g_test_message ("resume and key change: %u getBalance seen by the sandbox",
                  count (f, "getBalance"));
  g_assert_cmpuint (count (f, "getBalance"), ==, 3);
}

/* A pause fed from outside is shared, notified once, and ends. */
static void
test_pause (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsClient) other = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reason = NULL;
  guint notified = 0;

  g_signal_connect (other, "notify::account-state", G_CALLBACK (count_notify_cb), &notified);
  cs_client_pause (client, 60);
  cs_client_pause (client, 30);   /* a pause only grows: no change */
  settle ();
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (cs_client_get_account_state (other), ==, CS_ACCOUNT_STATE_PAUSED);
  g_assert_cmpuint (cs_client_get_paused_for (other), >, 30);
  reason = cs_client_dup_account_error (other);
  g_assert_error (reason, CS_ERROR, CS_ERROR_RATE_LIMIT);
  g_assert_null (cs_client_get_balance (other, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_RATE_LIMIT);
  g_assert_cmpuint (count (f, NULL), ==, 0);
  cs_client_resume (other);
  cs_client_resume (other);
  settle ();
  g_assert_cmpuint (notified, ==, 2);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_USABLE);
  g_assert_null (cs_client_dup_account_error (client));
}

/* The service bans the address, whatever the key: ERROR_IP_BANNED pauses
 * every key of the process at that service. */
static void
test_ip_ban_pauses_every_key (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsClient) wrong = new_client (f, WRONG_KEY);
  g_autoptr(CsClient) banned = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsClient) other = new_client (f, EMPTY_KEY);
  g_autoptr(GError) error = NULL;

  cs_sandbox_add_key (f->sandbox, EMPTY_KEY, 5);
  cs_sandbox_set_ip_ban_errors (f->sandbox, 1);
  /* one error bans the address */
  g_assert_null (cs_client_get_balance (wrong, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_clear_error (&error);
  g_assert_null (cs_client_get_balance (banned, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IP_BANNED);
  g_clear_error (&error);
  g_assert_cmpint (cs_client_get_account_state (other), ==, CS_ACCOUNT_STATE_PAUSED);
  g_assert_null (cs_client_get_balance (other, NULL, &error));
  g_assert_error (error, CS_ERROR, CS_ERROR_IP_BANNED);
  g_assert_nonnull (strstr (error->message, "nothing was sent"));
  g_test_message ("address ban: %u getBalance seen by the sandbox for three keys",
                  count (f, "getBalance"));
  g_assert_cmpuint (count (f, "getBalance"), ==, 2);
  /* a refusal outweighs the pause */
  g_assert_cmpint (cs_client_get_account_state (wrong), ==, CS_ACCOUNT_STATE_REFUSED);

  /* a key first used after the ban is sent from the same address: paused
   * too, whether the other clients of the service are still there or not */
  g_clear_error (&error);
  g_clear_object (&banned);
  g_clear_object (&other);
  {
    g_autoptr(CsClient) newcomer = new_client (f, "CAP-NEW-TO-THE-PROCESS");

    g_assert_cmpint (cs_client_get_account_state (newcomer), ==, CS_ACCOUNT_STATE_PAUSED);
    g_assert_null (cs_client_get_balance (newcomer, NULL, &error));
    g_assert_error (error, CS_ERROR, CS_ERROR_IP_BANNED);
    g_assert_nonnull (strstr (error->message, "nothing was sent"));
    g_assert_cmpuint (count (f, "getBalance"), ==, 2);
  }
}

/* Solves that wait for a place among the key's tasks in flight
 * (max-tasks-in-flight) obey a pause too: they end at once, not sent,
 * instead of waiting for places that the paused solves keep for the
 * whole pause. */
static void
test_pause_tickets (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  Solves run = { .code = CS_ERROR_RATE_LIMIT, .total = 20 };
  g_autoptr(GError) reason = g_error_new_literal (CS_ERROR, CS_ERROR_RATE_LIMIT, "slow down");
  gint64 deadline;

  /* tasks that are never ready: the first two keep their places */
  cs_sandbox_set_polls_until_ready (f->sandbox, 1000000);
  g_object_set (client, "max-tasks-in-flight", 2, NULL);
  for (guint i = 0; i < run.total; i++)
    {
      CsTask *task = new_token_task (i);

      g_ptr_array_add (tasks, task);
      cs_client_solve_async (client, task, NULL, solve_cb, &run);
    }
  while (count (f, "createTask") < 2)
    g_main_context_iteration (NULL, TRUE);
  _cs_account_pause (client->account, reason, 600);
  /* a generous bound: without the fix they would wait 10 minutes */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (run.by_code < run.total - 2 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_test_message ("paused: %u of %u solves waiting for a place ended with the pause's "
                  "error, %u createTask requests", run.by_code, run.total - 2,
                  count (f, "createTask"));
  g_assert_cmpuint (run.by_code, ==, run.total - 2);
  g_assert_cmpuint (run.other, ==, 0);
  g_assert_cmpuint (count (f, "createTask"), ==, 2);
  /* the two in flight go on after the pause */
  cs_client_resume (client);
  cs_sandbox_set_polls_until_ready (f->sandbox, 1);
  run_until (&run.done);
}

/* A pause ends by itself, notified, on the client's timer. */
static void
test_pause_ends (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  guint notified = 0;

  g_signal_connect (client, "notify::account-state", G_CALLBACK (count_notify_cb), &notified);
  cs_client_pause (client, 1);
  while (notified < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (cs_client_get_account_state (client), ==, CS_ACCOUNT_STATE_USABLE);
}

/* Calls cancelled while the account holds them end once each: those
 * cancelled before the refusal came as cancelled, those the refusal took
 * out of the queue as refused, even when cancelled as it did. */
static void
cancel_on_change_cb (GObject    *object,
                     GParamSpec *pspec,
                     gpointer    user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel_held (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, WRONG_KEY);
  g_autoptr(GCancellable) early = g_cancellable_new ();
  g_autoptr(GCancellable) on_change = g_cancellable_new ();
  g_autoptr(GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);
  Solves run = { .code = CS_ERROR_KEY_DENIED_ACCESS, .total = 1000 };

  g_signal_connect (client, "notify::account-state", G_CALLBACK (cancel_on_change_cb),
                    on_change);
  for (guint i = 0; i < run.total; i++)
    {
      CsTask *task = new_token_task (i);

      g_ptr_array_add (tasks, task);
      cs_client_solve_async (client, task, i % 2 == 0 ? early : on_change, solve_cb, &run);
    }
  g_cancellable_cancel (early);
  run_until (&run.done);
  settle ();
  g_test_message ("cancel: %u refused, %u cancelled, %u createTask", run.by_code,
                  run.cancelled, count (f, "createTask"));
  g_assert_cmpuint (run.finished, ==, run.total);
  g_assert_cmpuint (run.by_code + run.cancelled, ==, run.total);
  g_assert_cmpuint (run.cancelled, >=, run.total / 2 - client->max_in_flight);
  g_assert_cmpuint (run.other, ==, 0);
  g_assert_cmpuint (count (f, "createTask"), <=, client->max_in_flight);
}

/* --- Balance ---------------------------------------------------------------------- */

typedef struct {
  guint    total;
  guint    finished;
  guint    failed;
  double   amount;
  gboolean done;
} Balances;

static void
balance_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Balances *run = user_data;
  g_autoptr(CsBalance) balance = cs_client_get_balance_finish (CS_CLIENT (source), result,
                                                               NULL);

  if (balance == NULL)
    run->failed++;
  else
    run->amount = cs_balance_get_amount (balance);
  run->done = ++run->finished == run->total;
}

static void
read_balances (CsClient *client,
               guint     n,
               Balances *run)
{
  *run = (Balances) { .total = n };
  for (guint i = 0; i < n; i++)
    cs_client_get_balance_async (client, NULL, balance_cb, run);
  run_until (&run->done);
}

/* 1,000 balance calls at once send one request; within the cache time,
 * none; after an invalidation, one again. */
static void
test_balance_shared (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(CsClient) other = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  Balances run;

  read_balances (client, 1000, &run);
  g_test_message ("1000 concurrent balance calls: %u getBalance seen by the sandbox",
                  count (f, "getBalance"));
  g_assert_cmpuint (run.failed, ==, 0);
  g_assert_cmpfloat (run.amount, >, 0);
  g_assert_cmpuint (count (f, "getBalance"), ==, 1);

  read_balances (other, 1000, &run);
  g_assert_cmpuint (count (f, "getBalance"), ==, 1);

  cs_client_invalidate_balance (other);
  read_balances (client, 1000, &run);
  g_assert_cmpuint (count (f, "getBalance"), ==, 2);

  cs_client_set_balance_cache_time (client, 0);
  read_balances (client, 10, &run);
  g_assert_cmpuint (count (f, "getBalance"), ==, 3);
  g_test_message ("balance: %u getBalance in all", count (f, "getBalance"));
}

/* Threads that each make a blocking balance call at once. */
#define N_THREADS 200

typedef struct {
  CsClient *client;
  GMutex    lock;
  GCond     cond;
  gboolean  go;
  guint     failed;
} BlockingBalances;

static gpointer
blocking_balance_thread (gpointer user_data)
{
  BlockingBalances *run = user_data;
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&run->lock);
  while (!run->go)
    g_cond_wait (&run->cond, &run->lock);
  g_mutex_unlock (&run->lock);
  balance = cs_client_get_balance (run->client, NULL, &error);
  if (balance == NULL || cs_balance_get_amount (balance) <= 0)
    g_atomic_int_inc (&run->failed);
  return NULL;
}

/* 200 threads read the balance with blocking calls at once, while the
 * service is slow to answer: one getBalance, which all of them get. */
static void
test_balance_shared_blocking (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  BlockingBalances run = { .client = client };
  GThread *threads[N_THREADS];

  g_mutex_init (&run.lock);
  g_cond_init (&run.cond);
  /* every request is answered after 300 ms: the reads overlap */
  cs_sandbox_set_fault_delay (f->sandbox, 300);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DELAY, N_THREADS);
  for (guint i = 0; i < N_THREADS; i++)
    threads[i] = g_thread_new ("balance", blocking_balance_thread, &run);
  g_mutex_lock (&run.lock);
  run.go = TRUE;
  g_cond_broadcast (&run.cond);
  g_mutex_unlock (&run.lock);
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);
  g_test_message ("%u threads' blocking balance calls: %u getBalance seen by the sandbox",
                  N_THREADS, count (f, "getBalance"));
  g_assert_cmpuint (run.failed, ==, 0);
  g_assert_cmpuint (count (f, "getBalance"), ==, 1);
  g_mutex_clear (&run.lock);
  g_cond_clear (&run.cond);
}

/* A blocking balance call cancelled while it waits for another thread's
 * read ends, and sends nothing; that read goes on. */
static void
test_balance_blocking_cancel (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;
  BlockingBalances run = { .client = client, .go = TRUE };
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  GThread *thread;

  cs_sandbox_set_fault_delay (f->sandbox, 1000);
  cs_sandbox_inject_fault (f->sandbox, CS_SANDBOX_FAULT_DELAY, 1);
  thread = g_thread_new ("balance", blocking_balance_thread, &run);
  while (count (f, "getBalance") == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_cancellable_cancel (cancellable);
  balance = cs_client_get_balance (client, cancellable, &error);
  g_assert_null (balance);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);
  g_assert_cmpuint (run.failed, ==, 0);
  g_assert_cmpuint (count (f, "getBalance"), ==, 1);
}

/* A balance call cancelled while it waits for the shared read ends at
 * once; the read fills the cache for the others. */
static void
cancelled_balance_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = cs_client_get_balance_finish (CS_CLIENT (source), result,
                                                               &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  *(gboolean *) user_data = TRUE;
}

static void
test_balance_cancel (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CsClient) client = new_client (f, CS_SANDBOX_DEFAULT_KEY);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean cancelled = FALSE;
  Balances run = { .total = 1 };

  cs_client_get_balance_async (client, cancellable, cancelled_balance_cb, &cancelled);
  cs_client_get_balance_async (client, NULL, balance_cb, &run);
  g_cancellable_cancel (cancellable);
  run_until (&cancelled);
  run_until (&run.done);
  g_assert_cmpuint (run.failed, ==, 0);
  g_assert_cmpuint (count (f, "getBalance"), ==, 1);

  /* the last caller that leaves takes the read with it: it ends, and the
   * next call reads anew */
  cs_client_invalidate_balance (client);
  cancelled = FALSE;
  g_cancellable_reset (cancellable);
  cs_client_get_balance_async (client, cancellable, cancelled_balance_cb, &cancelled);
  g_cancellable_cancel (cancellable);
  run_until (&cancelled);
  run = (Balances) { .total = 1 };
  cs_client_get_balance_async (client, NULL, balance_cb, &run);
  run_until (&run.done);
  g_assert_cmpuint (run.failed, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/account/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("refused-key", test_refused_key);
  ADD ("refused-key-get-token", test_refused_key_get_token);
  ADD ("probation", test_probation);
  ADD ("resume-probation", test_resume_probation);
  ADD ("probation-slow-answer", test_probation_slow_answer);
  ADD ("key-check", test_key_check);
  ADD ("threads-wrong-key", test_threads_wrong_key);
  ADD ("zero-balance", test_zero_balance);
  ADD ("zero-balance-older-read", test_zero_balance_older_read);
  ADD ("zero-balance-blocking-probe", test_zero_balance_blocking_probe);
  ADD ("zero-balance-polls-go-on", test_zero_balance_polls_go_on);
  ADD ("small-balance-backs-off", test_small_balance_backs_off);
  ADD ("shared", test_shared);
  ADD ("trips-again", test_trips_again);
  ADD ("key-change-notified-here", test_key_change_notified_here);
  ADD ("usage-per-key", test_usage_per_key);
  ADD ("usage-key-change", test_usage_key_change);
  ADD ("resume-and-key-change", test_resume_and_key_change);
  ADD ("outlives-clients", test_outlives_clients);
  ADD ("ip-not-allowed", test_ip_not_allowed);
  ADD ("pause", test_pause);
  ADD ("pause-ends", test_pause_ends);
  ADD ("pause-tickets", test_pause_tickets);
  ADD ("ip-ban-pauses-every-key", test_ip_ban_pauses_every_key);
  ADD ("cancel-held", test_cancel_held);
  ADD ("balance-shared", test_balance_shared);
  ADD ("balance-cancel", test_balance_cancel);
  ADD ("invalidate-during-read", test_invalidate_during_read);
  ADD ("balance-shared-blocking", test_balance_shared_blocking);
  ADD ("balance-blocking-cancel", test_balance_blocking_cancel);
#undef ADD
  g_test_add ("/account/ban-threshold/breaker-on", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_ban_threshold, fixture_teardown);
  g_test_add ("/account/ban-threshold/breaker-off", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_ban_threshold, fixture_teardown);
  return g_test_run ();
}
