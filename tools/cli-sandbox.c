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
  "--base-url URL, CAPSOLVER_BASE_URL). The key " CS_SANDBOX_DEFAULT_KEY "\n"
  "is always accepted, with a balance of 100 USD. SIGINT (Ctrl+C) or SIGTERM\n"
  "stops the sandbox, with exit status 0.";

typedef struct {
  int    port;
  char **keys;
  int    polls_until_ready;
} SandboxOptions;

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
  if (options->port < 0 || options->port > 65535)
    return cli_usage_error (error, "--port: %d is not a port (0 to 65535; 0 picks a free one)",
                            options->port);
  if (options->polls_until_ready < -1)
    return cli_usage_error (error, "--polls-until-ready: give 0 or more");
  if (options->polls_until_ready >= 0)
    cs_sandbox_set_polls_until_ready (sandbox, options->polls_until_ready);

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
  printf ("%s\n", cs_sandbox_get_base_url (sandbox));
  fflush (stdout);
  fprintf (stderr, "capsolver sandbox: serving on %s; stop with Ctrl+C\n",
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
  SandboxOptions options = { 0, NULL, -1 };
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &options.port,
      "Listen on 127.0.0.1 at this port (default: 0, any free port)", "N" },
    { "key", 'k', 0, G_OPTION_ARG_STRING_ARRAY, &options.keys,
      "Accept this API key too, with BALANCE USD (default: 100); repeatable",
      "KEY[=BALANCE]" },
    { "polls-until-ready", 0, 0, G_OPTION_ARG_INT, &options.polls_until_ready,
      "Polls of a token task that answer processing before one answers ready "
      "(default: 2)", "N" },
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
  if (!started)
    return cli_report_error (cli, error, NULL);
  serve (sandbox);
  return CLI_EXIT_OK;
}
