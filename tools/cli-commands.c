/* cli-commands.c: solve, create, result, balance and feedback
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>

#include "capsolver.h"

/* solve and result wait for the library's own deadline (--timeout) to end
 * the solve; this much later the command stops waiting for a createTask
 * that never answers. */
#define SOLVE_GUARD_GRACE 10.0

static const char fields_description[] =
  "Fields:\n"
  "  NAME=TEXT     a string field, such as websiteURL=https://example.com/\n"
  "  NAME:=JSON    any JSON value: isInvisible:=true, metadata:='{\"action\":\"login\"}'\n"
  "  NAME@=FILE    the file's bytes in base64, such as image@=tile.png (- is stdin)\n"
  "\n"
  "Examples:\n"
  "  capsolver solve --image captcha.png\n"
  "  capsolver solve ReCaptchaV2TaskProxyLess websiteURL=https://example.com/ \\\n"
  "      websiteKey=6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-\n"
  "\n"
  "Run \"capsolver --help\" for the exit statuses.";

/* The options of the commands that build a task. */
typedef struct {
  char *image;
  char *module;
  char *proxy;
} TaskOptions;

static void
task_options_clear (TaskOptions *options)
{
  g_clear_pointer (&options->image, g_free);
  g_clear_pointer (&options->module, g_free);
  g_clear_pointer (&options->proxy, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TaskOptions, task_options_clear)

static GOptionContext *
new_task_context (const char  *summary,
                  TaskOptions *options,
                  Cli         *cli)
{
  GOptionContext *context = g_option_context_new ("TYPE [FIELD...] | --image FILE [FIELD...]");
  const GOptionEntry entries[] = {
    { "image", 'i', 0, G_OPTION_ARG_FILENAME, &options->image,
      "Solve this image (- for stdin) as an ImageToTextTask", "FILE" },
    { "module", 'm', 0, G_OPTION_ARG_STRING, &options->module,
      "The recognition module of an ImageToTextTask, such as common or number", "NAME" },
    { "proxy", 0, 0, G_OPTION_ARG_STRING, &options->proxy,
      "Solve through this proxy: scheme:host:port[:login:password] or "
      "scheme://login:password@host:port", "PROXY" },
    { NULL }
  };

  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, fields_description);
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
  g_auto(TaskOptions) options = { NULL };
  g_autoptr(GOptionContext) context = new_task_context (summary, &options, cli);
  g_autoptr(CsTask) task = NULL;

  if (!cli_parse_options (cli, context, &argc, &argv, error))
    return NULL;
  if (options.module != NULL && options.image == NULL)
    {
      cli_usage_error (error, "--module goes with --image; for other types write module=NAME");
      return NULL;
    }
  task = cli_task_new_from_args (options.image, options.module, options.proxy,
                                 argc - 1, argv + 1, error);
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
  int status;

  if (task == NULL)
    return cli_report_error (cli, error, NULL);

  status = call_on_task (cli, task, 0, cs_client_create_task_async,
                         cs_client_create_task_finish);
  if (status != CLI_EXIT_OK || cli->json)
    return status != CLI_EXIT_OK ? status : print_task (cli, task);
  printf ("%s\n", cs_task_get_task_id (task));
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

/* Two decimals at least, four at most: 100.00, 48.6361. */
static char *
format_amount (double amount)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char *text = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.4f", amount));
  gsize length = strlen (text);

  while (length > 0 && text[length - 1] == '0' && length >= 3 && text[length - 3] != '.')
    text[--length] = '\0';
  return text;
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

      printf ("package %s: %" G_GINT64_FORMAT " calls, expires %s\n",
              cs_package_get_title (package) != NULL ? cs_package_get_title (package) : "?",
              cs_package_get_number_of_calls (package), expires);
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

static void
print_balance_json (CsBalance *balance)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "balance");
  json_builder_add_double_value (builder, cs_balance_get_amount (balance));
  add_packages_json (builder, cs_balance_get_packages (balance));
  json_builder_end_object (builder);
  cli_print_builder (builder);
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
    printf ("feedback sent for task %s\n", cs_task_get_task_id (task));
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
