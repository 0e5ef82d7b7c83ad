/* capsolver.c: the capsolver command, its common options and dispatch
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "capsolver.h"

typedef int (*CliCommandFunc) (Cli *cli, int argc, char **argv);

static int cli_command_help (Cli *cli, int argc, char **argv);

#define COMMAND_LIST "solve, create, result, balance, feedback, sandbox, types or help"

typedef struct {
  const char     *name;
  CliCommandFunc  func;
} CliCommand;

static const CliCommand commands[] = {
  { "solve",    cli_command_solve },
  { "create",   cli_command_create },
  { "result",   cli_command_result },
  { "balance",  cli_command_balance },
  { "feedback", cli_command_feedback },
  { "sandbox",  cli_command_sandbox },
  { "types",    cli_command_types },
  { "help",     cli_command_help },
};

/* Help text stays ASCII: GLib converts it to the locale's charset. */
static const char main_summary[] =
  "Solve captchas with the CapSolver API, or serve a local sandbox of it.\n"
  "\n"
  "Commands:\n"
  "  solve TYPE [FIELD=VALUE...]   create a task and wait for its solution\n"
  "  solve --image FILE            solve an image captcha (ImageToTextTask)\n"
  "  create TYPE [FIELD=VALUE...]  create a task and print its id\n"
  "  result TASK_ID                wait for the solution of a created task\n"
  "  balance                       print the account balance\n"
  "  feedback TASK_ID --invalid    tell the service a solution failed (or --valid)\n"
  "  sandbox [--port N]            serve a local CapSolver-compatible sandbox\n"
  "  types [TYPE]                  list the task types and their fields\n"
  "  help [COMMAND]                show this page, or the options of COMMAND\n"
  "\n"
  "Run \"capsolver help COMMAND\" for the options of a command. Options of\n"
  "this page can be given before or after the command.";

static const char main_description[] =
  "Environment:\n"
  "  CAPSOLVER_API_KEY    the API key, when --api-key is not given\n"
  "  CAPSOLVER_BASE_URL   the service address, when --base-url is not given\n"
  "  NO_COLOR             when set, no escape sequences (no live status line)\n"
  "  TERM                 dumb or unset: no escape sequences either\n"
  "\n"
  "Exit status:\n"
  "  0    success: solved, created, or done\n"
  "  1    the service answered with an error (ERROR_... code)\n"
  "  2    usage: a bad argument, no API key, an unreadable file\n"
  "  3    network: no connection, connection reset, DNS or TLS failure\n"
  "  4    timeout: no answer within --timeout (the task id is printed)\n"
  "  5    protocol: the reply was not the CapSolver protocol\n"
  "  130  interrupted by SIGINT (the task id is printed)\n"
  "  143  terminated by SIGTERM (the task id is printed)\n"
  "\n"
  "With --json, standard output is one JSON object: the task (taskId,\n"
  "status, solution) or the result of the command, or on failure\n"
  "{\"error\": {\"kind\", \"code\", \"message\", \"exitCode\"}}.";

G_DEFINE_QUARK (capsolver-cli-error-quark, cli_error)

/* The options every command shares write into @cli, wherever they appear
 * on the command line. */
void
cli_add_common_options (GOptionContext *context,
                        Cli            *cli)
{
  const GOptionEntry entries[] = {
    { "api-key", 0, 0, G_OPTION_ARG_STRING, &cli->api_key,
      "The API key (default: $CAPSOLVER_API_KEY)", "KEY" },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &cli->base_url,
      "The service address (default: $CAPSOLVER_BASE_URL, or " CS_DEFAULT_BASE_URL ")", "URL" },
    { "sandbox", 0, 0, G_OPTION_ARG_NONE, &cli->use_sandbox,
      "Run against a sandbox started in this process; no key needed", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      "Print one JSON object on standard output", NULL },
    { "timeout", 't', 0, G_OPTION_ARG_STRING, &cli->timeout_text,
      "Give up after SECONDS (default: 150)", "SECONDS" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli->quiet,
      "No live status line on a terminal", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli->verbose,
      "Show the HTTP exchange on standard error, the API key and proxy credentials hidden",
      NULL },
    { "app-id", 0, 0, G_OPTION_ARG_STRING, &cli->app_id,
      "Send this developer appId with createTask and feedbackTask", "ID" },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &cli->ca_file,
      "Trust the certificate authorities in this PEM file instead of the system's", "FILE" },
    { "allow-insecure-http", 0, 0, G_OPTION_ARG_NONE, &cli->allow_insecure_http,
      "Send the API key over plain http to another machine (http to this one needs no flag); "
      "only over a trusted network", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
}

static gboolean
parse_timeout (Cli     *cli,
               GError **error)
{
  char *end = NULL;
  double seconds;

  if (cli->timeout_text == NULL)
    return TRUE;
  seconds = g_ascii_strtod (cli->timeout_text, &end);
  if (end == cli->timeout_text || *end != '\0' || !(seconds > 0 && seconds <= CLI_MAX_TIMEOUT))
    return cli_usage_error (error, "--timeout \"%s\": give a number of seconds, more than 0 "
                                   "and at most %.0f", cli->timeout_text, CLI_MAX_TIMEOUT);
  cli->timeout = seconds;
  return TRUE;
}

/* Parses @argv with @context, turning every failure into a usage error. */
gboolean
cli_parse_options (Cli             *cli,
                   GOptionContext  *context,
                   int             *argc,
                   char          ***argv,
                   GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_option_context_parse (context, argc, argv, &local_error))
    return cli_usage_error (error, "%s", local_error->message);
  if (cli->api_key != NULL && *cli->api_key == '\0')
    return cli_usage_error (error, "--api-key is empty");
  return parse_timeout (cli, error);
}

double
cli_timeout_seconds (Cli *cli)
{
  return cli->timeout > 0 ? cli->timeout : CLI_DEFAULT_TIMEOUT;
}

guint
cli_timeout_ms (Cli *cli)
{
  return MAX (1, (guint) (cli_timeout_seconds (cli) * 1000));
}

/* An option wins over the environment, which wins over the default. */
static const char *
pick_setting (const char  *option_value,
              const char  *option_name,
              const char  *variable,
              const char **origin)
{
  const char *value = g_getenv (variable);

  if (option_value != NULL)
    {
      *origin = option_name;
      return option_value;
    }
  *origin = variable;
  return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
check_base_url (const char  *base_url,
                const char  *origin,
                GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

  if (uri != NULL &&
      (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0) &&
      g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
    return TRUE;
  return cli_usage_error (error, "%s \"%s\" is not an http:// or https:// URL", origin, base_url);
}

static gboolean
start_local_sandbox (Cli     *cli,
                     GError **error)
{
  if (cli->base_url != NULL)
    return cli_usage_error (error, "--sandbox and --base-url cannot be used together");

  cli->sandbox = cs_sandbox_new ();
  if (!cs_sandbox_start (cli->sandbox, 0, error))
    return FALSE;
  /* the environment's key is for the real service; only --api-key
   * replaces the sandbox's own */
  cli->client = cs_client_new (cli->api_key != NULL ? cli->api_key : CS_SANDBOX_DEFAULT_KEY);
  cs_client_set_base_url (cli->client, cs_sandbox_get_base_url (cli->sandbox));
  return TRUE;
}

/* What every client gets, whichever service it speaks to. */
static void
finish_client (Cli *cli)
{
  cs_client_set_app_id (cli->client, cli->app_id);
  if (cli->verbose)
    cli_verbose_attach (cli);
}

/* Makes cli->client from the options and the environment. */
gboolean
cli_setup_client (Cli     *cli,
                  GError **error)
{
  const char *api_key, *base_url, *key_origin, *url_origin;
  g_autoptr(GTlsDatabase) database = NULL;

  if (cli->use_sandbox)
    {
      if (!start_local_sandbox (cli, error))
        return FALSE;
      finish_client (cli);
      return TRUE;
    }

  api_key = pick_setting (cli->api_key, "--api-key", "CAPSOLVER_API_KEY", &key_origin);
  if (api_key == NULL)
    return cli_usage_error (error, "no API key: pass --api-key KEY or set CAPSOLVER_API_KEY "
                                   "(or try --sandbox)");
  base_url = pick_setting (cli->base_url, "--base-url", "CAPSOLVER_BASE_URL", &url_origin);
  if (base_url != NULL && !check_base_url (base_url, url_origin, error))
    return FALSE;

  if (cli->ca_file != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      database = g_tls_file_database_new (cli->ca_file, &local_error);
      if (database == NULL)
        return cli_usage_error (error, "--ca-file: %s", local_error->message);
    }

  cli->client = cs_client_new (api_key);
  cs_client_set_base_url (cli->client, base_url);
  cs_client_set_allow_insecure_http (cli->client, cli->allow_insecure_http);
  cs_client_set_tls_database (cli->client, database);
  finish_client (cli);
  return TRUE;
}

static void
cli_clear (Cli *cli)
{
  g_clear_object (&cli->client);
  if (cli->sandbox != NULL)
    cs_sandbox_stop (cli->sandbox);
  g_clear_object (&cli->sandbox);
  g_clear_pointer (&cli->api_key, g_free);
  g_clear_pointer (&cli->base_url, g_free);
  g_clear_pointer (&cli->timeout_text, g_free);
  g_clear_pointer (&cli->app_id, g_free);
  g_clear_pointer (&cli->ca_file, g_free);
}

/* The command @name, or NULL with a usage error that may guess it. */
static const CliCommand *
find_command (const char  *name,
              GError     **error)
{
  const char *names[G_N_ELEMENTS (commands) + 1] = { NULL };
  const char *closest;
  g_autofree char *safe = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (commands[i].name, name))
        return &commands[i];
      names[i] = commands[i].name;
    }
  closest = cli_closest (name, names);
  safe = cli_escape (name);
  if (closest != NULL)
    cli_usage_error (error, "unknown command \"%s\": did you mean %s?", safe, closest);
  else
    cli_usage_error (error, "unknown command \"%s\": %s", safe, COMMAND_LIST);
  return NULL;
}

static GOptionContext *
new_main_context (Cli      *cli,
                  gboolean *version)
{
  GOptionContext *context = g_option_context_new ("COMMAND [ARGUMENT...]");
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, version, "Print the version and exit", NULL },
    { NULL }
  };

  g_option_context_set_summary (context, main_summary);
  g_option_context_set_description (context, main_description);
  /* stop at the command: what follows is the command's to parse */
  g_option_context_set_strict_posix (context, TRUE);
  cli_add_common_options (context, cli);
  g_option_context_add_main_entries (context, entries, NULL);
  return context;
}

/* capsolver help [COMMAND]: the page of --help, or of COMMAND --help. */
static int
cli_command_help (Cli   *cli,
                  int    argc,
                  char **argv)
{
  g_autoptr(GError) error = NULL;
  const CliCommand *command;
  char *help_argv[] = { NULL, (char *) "--help", NULL };
  g_autofree char *prgname = NULL;

  if (argc > 2)
    {
      cli_usage_error (&error, "one command only, not \"%s\"", argv[2]);
      return cli_report_error (cli, error, NULL);
    }
  if (argc < 2 || (argv[1][0] == '-' && argc == 2))
    {
      gboolean version = FALSE;
      g_autoptr(GOptionContext) context = new_main_context (cli, &version);
      g_autofree char *text = NULL;

      g_set_prgname ("capsolver");
      text = g_option_context_get_help (context, TRUE, NULL);
      fputs (text, stdout);
      return CLI_EXIT_OK;
    }
  command = find_command (argv[1], &error);
  if (command == NULL)
    return cli_report_error (cli, error, NULL);

  /* the command prints its own --help, and exits */
  cli->command = command->name;
  prgname = g_strconcat ("capsolver ", command->name, NULL);
  g_set_prgname (prgname);
  help_argv[0] = (char *) command->name;
  return command->func (cli, 2, help_argv);
}

/* Parses the options before the command, and finds the command. */
static const CliCommand *
parse_main_options (Cli       *cli,
                    int       *argc,
                    char    ***argv,
                    GError   **error)
{
  gboolean version = FALSE;
  g_autoptr(GOptionContext) context = new_main_context (cli, &version);

  if (!cli_parse_options (cli, context, argc, argv, error))
    return NULL;
  if (version)
    {
      printf ("capsolver %s (capsolver-glib %u.%u.%u)\n", PACKAGE_VERSION,
              cs_get_major_version (), cs_get_minor_version (), cs_get_micro_version ());
      exit (CLI_EXIT_OK);
    }
  if (*argc < 2)
    {
      cli_usage_error (error, "no command given: %s", COMMAND_LIST);
      return NULL;
    }
  return find_command ((*argv)[1], error);
}

int
main (int    argc,
      char **argv)
{
  Cli cli = { 0 };
  g_autoptr(GError) error = NULL;
  const CliCommand *command;
  g_autofree char *prgname = NULL;
  int status;

  setlocale (LC_ALL, "");
  g_set_prgname ("capsolver");

  command = parse_main_options (&cli, &argc, &argv, &error);
  if (command == NULL)
    {
      status = cli_report_error (&cli, error, NULL);
      cli_clear (&cli);
      return status;
    }

  /* the command sees its own name as argv[0], and names itself in --help */
  cli.command = command->name;
  prgname = g_strconcat ("capsolver ", command->name, NULL);
  g_set_prgname (prgname);
  status = command->func (&cli, argc - 1, argv + 1);

  cli_clear (&cli);
  return status;
}
