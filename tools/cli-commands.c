/* cli-commands.c: solve, create, result, balance and feedback
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "capsolver.h"

/* solve and result wait for the library's own deadline (--timeout) to end
 * the solve; this much later the command stops waiting for a createTask
 * that never answers. */
#define SOLVE_GUARD_GRACE 10.0

/* The help of solve and create: the examples name the command they are the
 * help of (%1$s). */
static const char fields_description_format[] =
  "Fields:\n"
  "  NAME=TEXT     a string field, such as websiteURL=https://example.com/\n"
  "  NAME:=JSON    any JSON value: isInvisible:=true, metadata:='{\"action\":\"login\"}'\n"
  "  NAME@=FILE    the file's bytes in base64, such as image@=tile.png (- is stdin)\n"
  "\n"
  "Examples:\n"
  "  capsolver %1$s --image captcha.png\n"
  "  capsolver %1$s ReCaptchaV2TaskProxyLess websiteURL=https://example.com/ \\\n"
  "      websiteKey=6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-\n"
  "\n"
  "Run \"capsolver --help\" for the exit statuses.";

static GOptionContext *
new_task_context (const char     *command,
                  const char     *summary,
                  CliTaskOptions *options,
                  Cli            *cli)
{
  g_autofree char *description = g_strdup_printf (fields_description_format, command);
  GOptionContext *context = g_option_context_new ("TYPE [FIELD...] | --image FILE [FIELD...]");
  const GOptionEntry entries[] = {
    { "image", 'i', 0, G_OPTION_ARG_FILENAME, &options->image,
      "Solve this image (- for stdin) as an ImageToTextTask", "FILE" },
    { "module", 'm', 0, G_OPTION_ARG_STRING, &options->module,
      "The recognition module of an ImageToTextTask, such as common or number", "NAME" },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &options->proxy,
      "Solve through this proxy: scheme:host:port[:login:password] or "
      "scheme://login:password@host:port", "PROXY" },
    { "callback-url", 0, 0, G_OPTION_ARG_STRING, &options->callback_url,
      "Have the service POST the result to this URL too (callbackUrl)", "URL" },
    { "no-check", 0, 0, G_OPTION_ARG_NONE, &options->no_check,
      "Send a type or fields this version does not know, unchecked", NULL },
    { NULL }
  };

  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, NULL);
  cli_add_common_options (context, cli);
  return context;
}

/* Parses the options and arguments of solve and create into a task. */
static CsTask *
parse_task_command (Cli         *cli,
                    const char  *summary,
                    int          argc,
                    char       **argv,
                    GError     **error)
{
  g_auto(CliTaskOptions) options = { NULL };
  g_autoptr(GOptionContext) context = new_task_context (argv[0], summary, &options, cli);
  g_autoptr(CsTask) task = NULL;

  if (!cli_parse_options (cli, context, &argc, &argv, error))
    return NULL;
  if (options.module != NULL && options.image == NULL)
    {
      cli_usage_error (error, "--module goes with --image; for other types write module=NAME");
      return NULL;
    }
  task = cli_task_new_from_args (&options, argc - 1, argv + 1, error);
  if (task == NULL || !cli_setup_client (cli, error))
    return NULL;
  return g_steal_pointer (&task);
}

/* Parses a command whose one argument is a task id. */
static CsTask *
parse_task_id_command (Cli             *cli,
                       GOptionContext  *context,
                       int              argc,
                       char           **argv,
                       GError         **error)
{
  cli_add_common_options (context, cli);
  if (!cli_parse_options (cli, context, &argc, &argv, error))
    return NULL;
  if (argc != 2)
    {
      cli_usage_error (error, argc < 2 ? "no task id given" : "one task id only, not \"%s\"",
                       argc < 2 ? "" : argv[2]);
      return NULL;
    }
  if (!cli_check_task_id (argv[1], error))
    return NULL;
  return cs_task_new_for_id (argv[1]);
}

static int
print_task (Cli    *cli,
            CsTask *task)
{
  g_autoptr(JsonNode) node = NULL;

  if (cli->json)
    {
      node = cli_task_to_json (task);
      cli_print_json (node);
    }
  else if (cs_task_get_solution (task) != NULL)
    cli_print_solution (cs_task_get_solution (task));
  else
    printf ("%s\n", cli_task_status_nick (cs_task_get_status (task)));
  return CLI_EXIT_OK;
}

typedef gboolean (*TaskFinishFunc) (CsClient      *client,
                                    GAsyncResult  *result,
                                    GError       **error);

/* cs_client_solve_finish() for call_on_task(): the task keeps the solution. */
static gboolean
solve_finish (CsClient      *client,
              GAsyncResult  *result,
              GError       **error)
{
  g_autoptr(CsSolution) solution = cs_client_solve_finish (client, result, error);

  return solution != NULL;
}

/* Runs one call on @task to its end. Returns CLI_EXIT_OK, or the exit
 * status of the failure it reported. */
static int
call_on_task (Cli            *cli,
              CsTask         *task,
              double          grace,
              CliCallFunc     call,
              TaskFinishFunc  finish)
{
  CliRun run;
  g_autoptr(GError) error = NULL;

  cli_run_call (&run, cli, task, grace, call);
  finish (cli->client, run.result, &error);
  cli_run_explain_error (&run, &error);
  cli_run_clear (&run);

  if (error != NULL)
    return cli_report_error (cli, error, cs_task_get_task_id (task));
  return CLI_EXIT_OK;
}

/* Creates @task unless it has an id, and polls it until it is solved. */
static int
solve_task (Cli    *cli,
            CsTask *task)
{
  int status;

  cs_client_set_deadline (cli->client, cli_timeout_ms (cli));
  status = call_on_task (cli, task, SOLVE_GUARD_GRACE, cs_client_solve_async, solve_finish);
  return status == CLI_EXIT_OK ? print_task (cli, task) : status;
}

/* One getTaskResult: prints the solution if ready, the status otherwise. */
static int
poll_task_once (Cli    *cli,
                CsTask *task)
{
  int status = call_on_task (cli, task, 0, cs_client_get_task_result_async,
                             cs_client_get_task_result_finish);

  return status == CLI_EXIT_OK ? print_task (cli, task) : status;
}

int
cli_command_solve (Cli   *cli,
                   int    argc,
                   char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsTask) task = parse_task_command (cli, "Create a task and wait for its solution.",
                                               argc, argv, &error);

  if (task == NULL)
    return cli_report_error (cli, error, NULL);
  return solve_task (cli, task);
}

int
cli_command_create (Cli   *cli,
                    int    argc,
                    char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsTask) task = parse_task_command (cli, "Create a task and print its id; "
                                                    "\"capsolver result ID\" waits for it.",
                                               argc, argv, &error);
  g_autofree char *safe_id = NULL;
  int status;

  if (task == NULL)
    return cli_report_error (cli, error, NULL);

  status = call_on_task (cli, task, 0, cs_client_create_task_async,
                         cs_client_create_task_finish);
  if (status != CLI_EXIT_OK || cli->json)
    return status != CLI_EXIT_OK ? status : print_task (cli, task);
  safe_id = cli_escape (cs_task_get_task_id (task));
  printf ("%s\n", safe_id);
  return CLI_EXIT_OK;
}

int
cli_command_result (Cli   *cli,
                    int    argc,
                    char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("TASK_ID");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsTask) task = NULL;
  gboolean once = FALSE;
  const GOptionEntry entries[] = {
    { "once", 0, 0, G_OPTION_ARG_NONE, &once,
      "Ask once and print the status if the task is not ready, instead of waiting", NULL },
    { NULL }
  };

  g_option_context_set_summary (context, "Wait for the solution of a task created earlier "
                                         "(by \"capsolver create\", or a solve that was "
                                         "interrupted or timed out).");
  g_option_context_add_main_entries (context, entries, NULL);
  task = parse_task_id_command (cli, context, argc, argv, &error);
  if (task == NULL || !cli_setup_client (cli, &error))
    return cli_report_error (cli, error, NULL);
  return once ? poll_task_once (cli, task) : solve_task (cli, task);
}

/* --- balance ----------------------------------------------------------------- */

static void
start_get_balance (CsClient            *client,
                   CsTask              *task,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  cs_client_get_balance_async (client, cancellable, callback, user_data);
}

/* The shortest decimal that reads back as @amount, never in exponent
 * form: the service's own digits, 99.9988 and not 99.998800000000003, 100
 * and not 1e+02. */
static char *
format_number (double amount)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE + 320];

  if (!isfinite (amount))
    return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, amount));
  for (int decimals = 0; decimals < 17; decimals++)
    {
      g_autofree char *format = g_strdup_printf ("%%.%df", decimals);

      g_ascii_formatd (buffer, sizeof buffer, format, amount);
      if (g_ascii_strtod (buffer, NULL) == amount)
        return g_strdup (buffer);
    }
  return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, amount));
}

/* Two decimals at least, as money is written: 12.50, 99.9988. */
static char *
format_amount (double amount)
{
  g_autofree char *number = format_number (amount);
  const char *dot = strchr (number, '.');

  if (strpbrk (number, "eEn") != NULL)
    return g_steal_pointer (&number);
  if (dot == NULL)
    return g_strconcat (number, ".00", NULL);
  if (strlen (dot) < 3)
    return g_strconcat (number, "0", NULL);
  return g_steal_pointer (&number);
}

static char *
format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (unix_time);

  return date != NULL ? g_date_time_format (date, "%Y-%m-%d") : g_strdup ("?");
}

static void
print_balance_human (CsBalance *balance)
{
  GListModel *packages = cs_balance_get_packages (balance);
  g_autofree char *amount = format_amount (cs_balance_get_amount (balance));
  guint n = packages != NULL ? g_list_model_get_n_items (packages) : 0;

  printf ("%s USD\n", amount);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPackage) package = g_list_model_get_item (packages, i);
      g_autofree char *expires = format_date (cs_package_get_expire_time (package));
      const char *title = cs_package_get_title (package);
      g_autofree char *safe_title = cli_escape (title != NULL ? title : "?");

      printf ("package %s: %" G_GINT64_FORMAT " calls, expires %s\n",
              safe_title, cs_package_get_number_of_calls (package), expires);
    }
}

/* The packages without their token, which is a key of its own. */
static void
add_packages_json (JsonBuilder *builder,
                   GListModel  *packages)
{
  guint n = packages != NULL ? g_list_model_get_n_items (packages) : 0;

  json_builder_set_member_name (builder, "packages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CsPackage) package = g_list_model_get_item (packages, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "packageId");
      json_builder_add_string_value (builder, cs_package_get_id (package));
      json_builder_set_member_name (builder, "type");
      json_builder_add_int_value (builder, cs_package_get_package_type (package));
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, cs_package_get_title (package));
      json_builder_set_member_name (builder, "numberOfCalls");
      json_builder_add_int_value (builder, cs_package_get_number_of_calls (package));
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, cs_package_get_status (package));
      json_builder_set_member_name (builder, "expireTime");
      json_builder_add_int_value (builder, cs_package_get_expire_time (package));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* json-glib writes every double with 17 digits: the balance goes in as a
 * placeholder string that its shortest decimal then replaces. */
#define BALANCE_PLACEHOLDER "@balance@"

static void
print_balance_json (CsBalance *balance)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *amount = format_number (cs_balance_get_amount (balance));
  char *placeholder;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "balance");
  json_builder_add_string_value (builder, BALANCE_PLACEHOLDER);
  add_packages_json (builder, cs_balance_get_packages (balance));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = cli_json_to_text (root);
  placeholder = strstr (text, "\"" BALANCE_PLACEHOLDER "\"");
  *placeholder = '\0';
  printf ("%s%s%s\n", text, amount, placeholder + strlen ("\"" BALANCE_PLACEHOLDER "\""));
  fflush (stdout);
}

int
cli_command_balance (Cli   *cli,
                     int    argc,
                     char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CsBalance) balance = NULL;
  CliRun run;

  g_option_context_set_summary (context, "Print the balance of the account, in USD, and its "
                                         "packages.");
  cli_add_common_options (context, cli);
  if (!cli_parse_options (cli, context, &argc, &argv, &error))
    return cli_report_error (cli, error, NULL);
  if (argc > 1)
    {
      cli_usage_error (&error, "unexpected argument \"%s\"", argv[1]);
      return cli_report_error (cli, error, NULL);
    }
  if (!cli_setup_client (cli, &error))
    return cli_report_error (cli, error, NULL);

  cli_run_call (&run, cli, NULL, 0, start_get_balance);
  balance = cs_client_get_balance_finish (cli->client, run.result, &error);
  cli_run_explain_error (&run, &error);
  cli_run_clear (&run);

  if (balance == NULL)
    return cli_report_error (cli, error, NULL);
  if (cli->json)
    print_balance_json (balance);
  else
    print_balance_human (balance);
  return CLI_EXIT_OK;
}

/* --- feedback ----------------------------------------------------------------- */

typedef struct {
  gboolean  valid;
  gboolean  invalid;
  int       code;
  char     *message;
} Feedback;

static int
send_feedback (Cli      *cli,
               CsTask   *task,
               Feedback *feedback)
{
  CliRun run;
  g_autoptr(GError) error = NULL;

  cli_run_init (&run, cli_timeout_seconds (cli), 0);
  cs_client_feedback_task_async (cli->client, task, feedback->invalid, feedback->code,
                                 feedback->message, run.cancellable, cli_run_done_cb, &run);
  cli_run_wait (&run);
  cs_client_feedback_task_finish (cli->client, run.result, &error);
  cli_run_explain_error (&run, &error);
  cli_run_clear (&run);

  if (error != NULL)
    return cli_report_error (cli, error, cs_task_get_task_id (task));
  if (cli->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "taskId");
      json_builder_add_string_value (builder, cs_task_get_task_id (task));
      json_builder_set_member_name (builder, "invalid");
      json_builder_add_boolean_value (builder, feedback->invalid);
      json_builder_end_object (builder);
      cli_print_builder (builder);
    }
  else
    {
      g_autofree char *safe_id = cli_escape (cs_task_get_task_id (task));

      printf ("feedback sent for task %s\n", safe_id);
    }
  return CLI_EXIT_OK;
}

int
cli_command_feedback (Cli   *cli,
                      int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("TASK_ID --valid|--invalid");
  g_autoptr(GError) error = NULL;
  g_autoptr(CsTask) task = NULL;
  Feedback feedback = { FALSE, FALSE, 0, NULL };
  const GOptionEntry entries[] = {
    { "valid", 0, 0, G_OPTION_ARG_NONE, &feedback.valid,
      "The solution worked", NULL },
    { "invalid", 0, 0, G_OPTION_ARG_NONE, &feedback.invalid,
      "The site refused the solution", NULL },
    { "code", 0, 0, G_OPTION_ARG_INT, &feedback.code,
      "Your own code for the outcome", "N" },
    { "message", 0, 0, G_OPTION_ARG_STRING, &feedback.message,
      "Your own words for the outcome", "TEXT" },
    { NULL }
  };
  int status;

  g_option_context_set_summary (context, "Tell the service whether the solution of a task "
                                         "worked on the site.");
  g_option_context_add_main_entries (context, entries, NULL);
  task = parse_task_id_command (cli, context, argc, argv, &error);
  if (task != NULL && feedback.valid == feedback.invalid)
    {
      g_clear_object (&task);
      cli_usage_error (&error, "give one of --valid and --invalid");
    }
  if (task != NULL && cli_setup_client (cli, &error))
    status = send_feedback (cli, task, &feedback);
  else
    status = cli_report_error (cli, error, NULL);
  g_free (feedback.message);
  return status;
}
