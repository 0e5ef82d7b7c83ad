/* cli-sandbox.c: `capsolver sandbox`, a CsSandbox served until a signal
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>

#include <glib-unix.h>

#include "capsolver.h"

#define DEFAULT_KEY_BALANCE 100.0

static const char sandbox_description[] =
  "The first line on standard output is the base URL, such as\n"
  "http://127.0.0.1:41234; give it to a client as its base URL (capsolver\n"
  "--base-url URL, CAPSOLVER_BASE_URL). The second line is the key that is\n"
  "always accepted, " CS_SANDBOX_DEFAULT_KEY ",\n"
  "with a balance of 100 USD. SIGINT (Ctrl+C) or SIGTERM stops the sandbox,\n"
  "with exit status 0.\n"
  "\n"
  "By default a token task is ready at its third poll, whenever it comes.\n"
  "--time-scale 1 makes tasks take the service's solve times instead (0.01:\n"
  "a hundred times faster; 0: at once). GET URL/sandbox/timings answers the\n"
  "timing record of every task as JSON; POST URL/sandbox/timings/clear\n"
  "forgets them.\n"
  "\n"
  "--dialect NAME speaks another provider's dialect of the protocol: its\n"
  "type names, proxy fields, numeric task ids, error codes, report methods\n"
  "and result fields (\"capsolver providers --names\" lists the names).";

typedef struct {
  int     port;
  char  **keys;
  int     polls_until_ready;
  double  time_scale;
  int     workers;
  int     queue_limit;
  int     max_tasks;
  int     rate_limit;
  int     key_block_errors;
  int     ip_ban_errors;
  int     idle_timeout;
  int     task_lifetime;
  char   *dialect;
} SandboxOptions;

/* A count option: -1 when not given. */
typedef struct {
  const char *name;
  int         value;
  void      (*set) (CsSandbox *sandbox,
                    guint      value);
} CountOption;

static gboolean
parse_key (const char  *argument,
           char       **key,
           double      *balance,
           GError     **error)
{
  const char *equals = strchr (argument, '=');
  char *end = NULL;

  *balance = DEFAULT_KEY_BALANCE;
  if (equals != NULL)
    {
      *balance = g_ascii_strtod (equals + 1, &end);
      if (end == equals + 1 || *end != '\0' || !isfinite (*balance) || *balance < 0)
        return cli_usage_error (error, "--key: \"%s\" is not a balance in USD", equals + 1);
    }
  *key = equals != NULL ? g_strndup (argument, equals - argument) : g_strdup (argument);
  if (**key == '\0')
    {
      g_clear_pointer (key, g_free);
      return cli_usage_error (error, "--key: the key is empty");
    }
  return TRUE;
}

static gboolean
configure_sandbox (CsSandbox       *sandbox,
                   SandboxOptions  *options,
                   GError         **error)
{
  const CountOption counts[] = {
    { "--polls-until-ready", options->polls_until_ready, cs_sandbox_set_polls_until_ready },
    { "--workers", options->workers, cs_sandbox_set_workers },
    { "--queue-limit", options->queue_limit, cs_sandbox_set_queue_limit },
    { "--max-tasks", options->max_tasks, cs_sandbox_set_max_tasks },
    { "--rate-limit", options->rate_limit, cs_sandbox_set_rate_limit },
    { "--key-block-errors", options->key_block_errors, cs_sandbox_set_key_block_errors },
    { "--ip-ban-errors", options->ip_ban_errors, cs_sandbox_set_ip_ban_errors },
    { "--idle-timeout", options->idle_timeout, cs_sandbox_set_idle_timeout },
    { "--task-lifetime", options->task_lifetime, cs_sandbox_set_task_lifetime },
  };

  if (options->port < 0 || options->port > 65535)
    return cli_usage_error (error, "--port: %d is not a port (0 to 65535; 0 picks a free one)",
                            options->port);
  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      if (counts[i].value < -1)
        return cli_usage_error (error, "%s: give 0 or more", counts[i].name);
      if (counts[i].value >= 0)
        counts[i].set (sandbox, counts[i].value);
    }
  if (!isfinite (options->time_scale) || options->time_scale > 1000.0)
    return cli_usage_error (error, "--time-scale: give a number up to 1000, 1 for the "
                                   "service's pace");
  cs_sandbox_set_time_scale (sandbox, options->time_scale);
  if (options->dialect != NULL)
    {
      CsProvider provider;

      if (!cli_parse_provider ("--dialect", options->dialect, &provider, error))
        return FALSE;
      cs_sandbox_set_dialect (sandbox, provider);
    }

  for (char **k = options->keys; k != NULL && *k != NULL; k++)
    {
      g_autofree char *key = NULL;
      double balance;

      if (!parse_key (*k, &key, &balance, error))
        return FALSE;
      cs_sandbox_add_key (sandbox, key, balance);
    }
  return TRUE;
}

static gboolean
quit_on_signal_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* Serves until SIGINT or SIGTERM. */
static void
serve (CsSandbox *sandbox)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint sigint_id = g_unix_signal_add (SIGINT, quit_on_signal_cb, loop);
  guint sigterm_id = g_unix_signal_add (SIGTERM, quit_on_signal_cb, loop);

  /* the first line is what a parent process waits for: flush it now */
  printf ("%s\n%s\n", cs_sandbox_get_base_url (sandbox), CS_SANDBOX_DEFAULT_KEY);
  fflush (stdout);
  fprintf (stderr, "capsolver sandbox: serving %s's dialect on %s; stop with Ctrl+C\n",
           cs_provider_get_display_name (cs_sandbox_get_dialect (sandbox)),
           cs_sandbox_get_base_url (sandbox));

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  cs_sandbox_stop (sandbox);
}

int
cli_command_sandbox (Cli   *cli,
                     int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsSandbox) sandbox = cs_sandbox_new ();
  SandboxOptions options = { 0, NULL, -1, -1.0, -1, -1, -1, -1, -1, -1, -1, -1, NULL };
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &options.port,
      "Listen on 127.0.0.1 at this port (default: 0, any free port)", "N" },
    { "key", 'k', 0, G_OPTION_ARG_STRING_ARRAY, &options.keys,
      "Accept this API key too, with BALANCE USD (default: 100); repeatable",
      "KEY[=BALANCE]" },
    { "polls-until-ready", 0, 0, G_OPTION_ARG_INT, &options.polls_until_ready,
      "Polls of a token task that answer processing before one answers ready "
      "(default: 2)", "N" },
    { "time-scale", 0, 0, G_OPTION_ARG_DOUBLE, &options.time_scale,
      "Solve tasks in their family's solve time times X: 1 is the service's pace, "
      "0.01 a hundred times faster, 0 at once (default: -1, by poll count)", "X" },
    { "workers", 0, 0, G_OPTION_ARG_INT, &options.workers,
      "With --time-scale, solve at most N tasks at once; the others wait, idle "
      "(default: 0, no limit)", "N" },
    { "queue-limit", 0, 0, G_OPTION_ARG_INT, &options.queue_limit,
      "Refuse createTask with ERROR_SERVICE_UNAVALIABLE when N tasks wait for a worker "
      "(default: 0, no limit)", "N" },
    { "max-tasks", 0, 0, G_OPTION_ARG_INT, &options.max_tasks,
      "Keep at most N tasks at once (default: 100000)", "N" },
    { "task-lifetime", 0, 0, G_OPTION_ARG_INT, &options.task_lifetime,
      "Forget a task S seconds after it was created, or with --time-scale after it "
      "finished (default: 300)", "S" },
    { "rate-limit", 0, 0, G_OPTION_ARG_INT, &options.rate_limit,
      "Answer ERROR_RATE_LIMIT past N requests a second per key (default: 0, none)", "N" },
    { "key-block-errors", 0, 0, G_OPTION_ARG_INT, &options.key_block_errors,
      "Block a key for 5 minutes (ERROR_KEY_TEMP_BLOCKED) after N errors in a minute "
      "(default: 0, never)", "N" },
    { "ip-ban-errors", 0, 0, G_OPTION_ARG_INT, &options.ip_ban_errors,
      "Ban every client for 10 minutes (ERROR_IP_BANNED) after N errors in a minute "
      "(default: 0, never)", "N" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &options.idle_timeout,
      "Close a connection whose request headers, or whose request body after them, "
      "take more than MS milliseconds to come (default: 30000)", "MS" },
    { "dialect", 0, 0, G_OPTION_ARG_STRING, &options.dialect,
      "Speak NAME's dialect: capsolver, anti-captcha, 2captcha, capmonster or compatible "
      "(default: capsolver)", "NAME" },
    { NULL }
  };
  gboolean started;

  g_option_context_set_summary (context, "Serve a local CapSolver-compatible sandbox on "
                                         "127.0.0.1 until interrupted.");
  g_option_context_set_description (context, sandbox_description);
  g_option_context_add_main_entries (context, entries, NULL);

  started = cli_parse_options (cli, context, &argc, &argv, &error) &&
            (argc == 1 || cli_usage_error (&error, "unexpected argument \"%s\"", argv[1])) &&
            configure_sandbox (sandbox, &options, &error) &&
            cs_sandbox_start (sandbox, options.port, &error);
  g_strfreev (options.keys);
  g_free (options.dialect);
  if (!started)
    return cli_report_error (cli, error, NULL);
  serve (sandbox);
  return CLI_EXIT_OK;
}
