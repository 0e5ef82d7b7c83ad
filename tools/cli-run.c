/* cli-run.c: one asynchronous call of the capsolver command, run on the
 * main loop with a deadline, a live status line and SIGINT/SIGTERM
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <glib-unix.h>

#include "capsolver.h"

#define STATUS_TICK_MS 100

static gboolean
run_guard_cb (gpointer user_data)
{
  CliRun *run = user_data;

  run->guard_id = 0;
  run->timed_out = TRUE;
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_REMOVE;
}

static void
run_interrupt (CliRun *run,
               int     signum)
{
  /* a second signal while the call winds down ends the process at once */
  if (run->signal != 0)
    _exit (signum == SIGTERM ? CLI_EXIT_TERMINATED : CLI_EXIT_INTERRUPTED);
  run->signal = signum;
  g_cancellable_cancel (run->cancellable);
}

static gboolean
run_sigint_cb (gpointer user_data)
{
  run_interrupt (user_data, SIGINT);
  return G_SOURCE_CONTINUE;
}

static gboolean
run_sigterm_cb (gpointer user_data)
{
  run_interrupt (user_data, SIGTERM);
  return G_SOURCE_CONTINUE;
}

/* Prepares @run for one call that may last @timeout seconds, plus @grace
 * for a call that enforces @timeout itself; then it is cancelled. SIGINT
 * and SIGTERM cancel it too. */
void
cli_run_init (CliRun *run,
              double  timeout,
              double  grace)
{
  memset (run, 0, sizeof *run);
  run->loop = g_main_loop_new (NULL, FALSE);
  run->cancellable = g_cancellable_new ();
  run->timeout = timeout;
  run->guard_id = g_timeout_add (MAX (1, (guint) ((timeout + grace) * 1000)), run_guard_cb, run);
  run->sigint_id = g_unix_signal_add (SIGINT, run_sigint_cb, run);
  run->sigterm_id = g_unix_signal_add (SIGTERM, run_sigterm_cb, run);
}

void
cli_run_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CliRun *run = user_data;

  run->result = g_object_ref (result);
  g_main_loop_quit (run->loop);
}

/* --- The live status line --------------------------------------------------- */

static void
status_draw (CliRun *run)
{
  double elapsed = (g_get_monotonic_time () - run->started) / (double) G_USEC_PER_SEC;
  const char *task_id = cs_task_get_task_id (run->task);
  CsTaskStatus status = cs_task_get_status (run->task);
  g_autofree char *safe_id = NULL;

  /* \r and "erase to end of line" redraw the same line each time */
  if (task_id == NULL)
    fprintf (stderr, "\r\033[Kcapsolver: creating the task, %.1f s", elapsed);
  else
    {
      safe_id = cli_escape (task_id);
      fprintf (stderr, "\r\033[Kcapsolver: task %s: %s, %.1f s", safe_id,
               status == CS_TASK_STATUS_NEW ? "waiting" : cli_task_status_nick (status),
               elapsed);
    }
  fflush (stderr);
}

static gboolean
status_tick_cb (gpointer user_data)
{
  status_draw (user_data);
  return G_SOURCE_CONTINUE;
}

static void
status_notify_cb (GObject    *object,
                  GParamSpec *pspec,
                  gpointer    user_data)
{
  status_draw (user_data);
}

/* Escape sequences go to a terminal that reads them, and that the user
 * did not ask to be left plain (https://no-color.org). */
static gboolean
terminal_allows_escapes (int fd)
{
  const char *term = g_getenv ("TERM");
  const char *no_color = g_getenv ("NO_COLOR");

  if (no_color != NULL && *no_color != '\0')
    return FALSE;
  if (term == NULL || *term == '\0' || g_str_equal (term, "dumb"))
    return FALSE;
  return isatty (fd);
}

/* Shows the status of @task and the time spent on stderr while the call
 * runs, when stderr is a terminal that takes escape sequences. */
void
cli_run_show_status (CliRun *run,
                     CsTask *task)
{
  if (task == NULL || !terminal_allows_escapes (STDERR_FILENO))
    return;
  run->task = g_object_ref (task);
  run->started = g_get_monotonic_time ();
  run->notify_id = g_signal_connect (task, "notify::status", G_CALLBACK (status_notify_cb), run);
  run->tick_id = g_timeout_add (STATUS_TICK_MS, status_tick_cb, run);
  status_draw (run);
}

static void
status_clear (CliRun *run)
{
  if (run->task == NULL)
    return;
  g_clear_handle_id (&run->tick_id, g_source_remove);
  g_clear_signal_handler (&run->notify_id, run->task);
  g_clear_object (&run->task);
  fputs ("\r\033[K", stderr);
  fflush (stderr);
}

/* --- The end of the call ------------------------------------------------------ */

/* Runs the main loop until the call gave its result to cli_run_done_cb(). */
void
cli_run_wait (CliRun *run)
{
  if (run->result == NULL)
    g_main_loop_run (run->loop);
  status_clear (run);
  g_clear_handle_id (&run->guard_id, g_source_remove);
}

/* A cancelled call was cancelled by the guard or by a signal: say which.
 * The library's deadline is --timeout too: say so in the same words. */
void
cli_run_explain_error (CliRun  *run,
                       GError **error)
{
  if (*error == NULL)
    return;
  if (g_error_matches (*error, CS_ERROR, CS_ERROR_TIMEOUT))
    run->timed_out = TRUE;
  else if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (run->signal == SIGTERM)
    {
      g_clear_error (error);
      g_set_error_literal (error, CLI_ERROR, CLI_ERROR_TERMINATED, "terminated");
    }
  else if (run->signal != 0)
    {
      g_clear_error (error);
      g_set_error_literal (error, CLI_ERROR, CLI_ERROR_INTERRUPTED, "interrupted");
    }
  else if (run->timed_out)
    {
      g_clear_error (error);
      g_set_error (error, CLI_ERROR, CLI_ERROR_TIMEOUT,
                   "no answer within %g %s (--timeout)", run->timeout,
                   run->timeout == 1 ? "second" : "seconds");
    }
}

/* The whole of one call on @task: the status line unless --quiet, the
 * call itself, and the wait for its result in run->result. */
void
cli_run_call (CliRun      *run,
              Cli         *cli,
              CsTask      *task,
              double       grace,
              CliCallFunc  call)
{
  cli_run_init (run, cli_timeout_seconds (cli), grace);
  /* --verbose writes lines of its own on stderr */
  if (!cli->quiet && !cli->verbose)
    cli_run_show_status (run, task);
  cli->task = task;
  call (cli->client, task, run->cancellable, cli_run_done_cb, run);
  cli_run_wait (run);
  cli->task = NULL;
}

void
cli_run_clear (CliRun *run)
{
  status_clear (run);
  g_clear_handle_id (&run->guard_id, g_source_remove);
  g_clear_handle_id (&run->sigint_id, g_source_remove);
  g_clear_handle_id (&run->sigterm_id, g_source_remove);
  g_clear_object (&run->result);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->loop, g_main_loop_unref);
}
