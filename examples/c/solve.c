/* solve.c: capsolver-glib from C
 *
 * Starts a local sandbox, then: reads an image captcha, solves a reCAPTCHA
 * v2 task asynchronously while following its status, meets a zero-balance
 * account, and cancels a solve. The same program exists in Python, GJS and
 * Vala next to this one.
 *
 * Against the real service, drop the sandbox and create the client with
 * your own key: the client's base URL defaults to the CapSolver API.
 *
 *   solve [IMAGE]     (default: examples/data/sample-captcha.png)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <capsolver-glib.h>

#define PAGE     "https://example.com/login"
#define SITE_KEY "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-"
#define EMPTY_KEY "CAP-EXAMPLE-EMPTY-ACCOUNT-000000000000000000000000000000000000000000000"

typedef struct {
  GMainLoop  *loop;
  CsSolution *solution;
  GError     *error;
} Solve;

static void
on_status (CsTask *task, GParamSpec *pspec, gpointer user_data)
{
  g_autoptr(GEnumClass) statuses = g_type_class_ref (CS_TYPE_TASK_STATUS);

  g_print ("  status: %s\n", g_enum_get_value (statuses, cs_task_get_status (task))->value_nick);
}

static void
on_solved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Solve *solve = user_data;

  solve->solution = cs_client_solve_finish (CS_CLIENT (source), result, &solve->error);
  g_main_loop_quit (solve->loop);
}

static gboolean
cancel_now (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_REMOVE;
}

/* Runs cs_client_solve_async() on a main loop until it finishes. */
static CsSolution *
solve_on_loop (CsClient *client, CsTask *task, GCancellable *cancellable, GError **error)
{
  Solve solve = { g_main_loop_new (NULL, FALSE), NULL, NULL };

  cs_client_solve_async (client, task, cancellable, on_solved, &solve);
  g_main_loop_run (solve.loop);
  g_main_loop_unref (solve.loop);
  if (solve.error != NULL)
    g_propagate_error (error, solve.error);
  return solve.solution;
}

static CsClient *
sandbox_client (CsSandbox *sandbox, const char *api_key)
{
  return g_object_new (CS_TYPE_CLIENT,
                       "api-key", api_key,
                       "base-url", cs_sandbox_get_base_url (sandbox),
                       "first-poll-delay", 100,
                       "poll-interval", 100,
                       NULL);
}

/* 1. An image captcha: answered at once, a blocking call is fine. */
static gboolean
solve_image (CsClient *client, const char *image, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (image);
  g_autoptr(CsTask) task = cs_image_to_text_task_new_from_file (file, error);
  g_autoptr(CsSolution) solution = NULL;

  if (task == NULL || (solution = cs_client_solve (client, task, NULL, error)) == NULL)
    return FALSE;
  g_print ("image text: %s\n", cs_solution_get_text (solution));
  return TRUE;
}

/* 2. A reCAPTCHA v2 task: polled until ready, asynchronously. */
static gboolean
solve_recaptcha (CsClient *client, GError **error)
{
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new (PAGE, SITE_KEY);
  g_autoptr(CsSolution) solution = NULL;

  g_signal_connect (task, "notify::status", G_CALLBACK (on_status), NULL);
  solution = solve_on_loop (client, task, NULL, error);
  if (solution == NULL)
    return FALSE;
  g_print ("reCAPTCHA token: %.20s...\n", cs_solution_get_token (solution));
  return TRUE;
}

/* 3. An account without balance. */
static gboolean
meet_zero_balance (CsSandbox *sandbox)
{
  g_autoptr(CsClient) client = NULL;
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new (PAGE, SITE_KEY);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  cs_sandbox_add_key (sandbox, EMPTY_KEY, 0);
  client = sandbox_client (sandbox, EMPTY_KEY);
  solution = cs_client_solve (client, task, NULL, &error);
  if (!g_error_matches (error, CS_ERROR, CS_ERROR_ZERO_BALANCE))
    {
      g_printerr ("expected a zero balance, got %s\n",
                  error != NULL ? error->message : "a solution");
      return FALSE;
    }
  g_print ("no balance: %s (%s)\n", cs_error_to_code (error->code), error->message);
  return TRUE;
}

/* 4. A solve cancelled while the service is slow to answer. */
static gboolean
cancel_solve (CsSandbox *sandbox, CsClient *client)
{
  g_autoptr(CsTask) task = cs_recaptcha_v2_task_new (PAGE, SITE_KEY);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  cs_sandbox_set_fault_delay (sandbox, 5000);
  cs_sandbox_inject_fault (sandbox, CS_SANDBOX_FAULT_DELAY, 1);
  g_timeout_add (200, cancel_now, cancellable);
  solution = solve_on_loop (client, task, cancellable, &error);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_printerr ("expected a cancellation, got %s\n",
                  error != NULL ? error->message : "a solution");
      return FALSE;
    }
  g_print ("cancelled: %s\n", error->message);
  return TRUE;
}

int
main (int argc, char **argv)
{
  const char *image = argc > 1 ? argv[1] : "examples/data/sample-captcha.png";
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  g_autoptr(CsClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!cs_sandbox_start (sandbox, 0, &error))
    {
      g_printerr ("sandbox: %s\n", error->message);
      return 1;
    }
  client = sandbox_client (sandbox, CS_SANDBOX_DEFAULT_KEY);

  if (!solve_image (client, image, &error) || !solve_recaptcha (client, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (!meet_zero_balance (sandbox) || !cancel_solve (sandbox, client))
    return 1;

  cs_sandbox_stop (sandbox);
  return 0;
}
