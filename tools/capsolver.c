/* capsolver.c: the capsolver command: its commands, main page and dispatch
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

#define COMMAND_LIST \
  "solve, create, result, balance, feedback, key, sandbox, types, providers or help"

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
  { "key",      cli_command_key },
  { "sandbox",  cli_command_sandbox },
  { "types",    cli_command_types },
  { "providers", cli_command_providers },
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
  "  key set|show|forget           keep the API key in the keyring\n"
  "  sandbox [--port N]            serve a local CapSolver-compatible sandbox\n"
  "  types [TYPE]                  list the task types and their fields\n"
  "  providers                     list the providers, their endpoints and types\n"
  "  help [COMMAND]                show this page, or the options of COMMAND\n"
  "\n"
  "Run \"capsolver help COMMAND\" for the options of a command. Options of\n"
  "this page can be given before or after the command.";

static const char main_description[] =
  "Environment:\n"
  "  CAPSOLVER_API_KEY    the API key, when --api-key is not given (then the\n"
  "                       keyring's, see \"capsolver key\"); with --provider,\n"
  "                       the provider's own: ANTICAPTCHA_API_KEY (anti-captcha),\n"
  "                       APIKEY_2CAPTCHA (2captcha), CAPMONSTER_API_KEY\n"
  "                       (capmonster), CAPSOLVER_COMPATIBLE_API_KEY\n"
  "                       (compatible)\n"
  "  CAPSOLVER_BASE_URL   CapSolver's address (URL,URL: the endpoints, in order),\n"
  "                       when --base-url does not give it; a compatible\n"
  "                       service's too when no capsolver is in --provider\n"
  "  CAPSOLVER_COMPATIBLE_BASE_URL  the compatible service's address, when\n"
  "                       --base-url does not give it (--base-url is the first\n"
  "                       provider's)\n"
  "  NO_COLOR             when set, no escape sequences (no live status line)\n"
  "  TERM                 dumb or unset: no escape sequences either\n"
  "\n"
  "Exit status:\n"
  "  0    success: solved, created, or done\n"
  "  1    the service answered with an error (ERROR_... code)\n"
  "  2    usage: a bad argument, no API key, an unreadable file, no keyring\n"
  "  3    network: no connection, connection reset, DNS or TLS failure\n"
  "  4    timeout: no answer within --timeout (the task id is printed)\n"
  "  5    protocol: the reply was not the CapSolver protocol\n"
  "  130  interrupted by SIGINT (the task id is printed)\n"
  "  143  terminated by SIGTERM (the task id is printed)\n"
  "\n"
  "With --json, standard output is one JSON object: the task (taskId,\n"
  "status, solution) or the result of the command, or on failure\n"
  "{\"error\": {\"kind\", \"code\", \"message\", \"exitCode\"}}.";

/* The command @name, or NULL with a usage error that may guess it. */
static const CliCommand *
find_command (const char  *name,
              GError     **error)
{
  const char *names[G_N_ELEMENTS (commands) + 1] = { NULL };
  g_autofree char *closest = NULL;
  g_autofree char *safe = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (commands[i].name, name))
        return &commands[i];
      names[i] = commands[i].name;
    }
  closest = cs_suggest_name (name, names);
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
      /* No command: the usage, as --help prints it, on stderr. */
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      fputs (help, stderr);
      exit (CLI_EXIT_USAGE);
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

  if (cli.verbose)
    cli_verbose_print_usage (&cli);
  cli_clear (&cli);
  return status;
}
