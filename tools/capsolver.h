/* capsolver.h: what the sources of the capsolver command share
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <capsolver-glib.h>

G_BEGIN_DECLS

/* The exit statuses, documented in `capsolver --help` and docs/capsolver.md. */
typedef enum {
  CLI_EXIT_OK          = 0,
  CLI_EXIT_API         = 1,   /* the service answered with an error */
  CLI_EXIT_USAGE       = 2,   /* bad arguments, no key, unreadable file */
  CLI_EXIT_NETWORK     = 3,   /* no connection, reset, DNS, TLS */
  CLI_EXIT_TIMEOUT     = 4,   /* --timeout passed */
  CLI_EXIT_PROTOCOL    = 5,   /* the reply was not the CapSolver protocol */
  CLI_EXIT_INTERRUPTED = 130, /* SIGINT: 128 + its number, as shells report it */
  CLI_EXIT_TERMINATED  = 143, /* SIGTERM: 128 + 15 */
} CliExit;

/* Errors of the command itself, next to the library's. */
#define CLI_ERROR (cli_error_quark ())

typedef enum {
  CLI_ERROR_USAGE,
  CLI_ERROR_TIMEOUT,
  CLI_ERROR_INTERRUPTED,   /* by SIGINT */
  CLI_ERROR_TERMINATED,    /* by SIGTERM */
} CliError;

GQuark cli_error_quark (void);

/* One run of the command: the options every subcommand shares, and the
 * client they lead to. */
typedef struct {
  const char *command;        /* "solve", for messages; NULL before dispatch */
  char       *api_key;
  char      **base_urls;      /* --base-url, each time it is given */
  char       *provider_name;  /* --provider as given */
  gboolean    use_sandbox;
  gboolean    json;
  gboolean    quiet;
  gboolean    verbose;
  char       *app_id;
  char       *ca_file;        /* --ca-file: authorities to trust instead of the system's */
  gboolean    allow_insecure_http;  /* --allow-insecure-http */
  char       *timeout_text;   /* --timeout as given */
  double      timeout;        /* seconds; 0 when not given */

  CsSandbox  *sandbox;        /* the in-process one of --sandbox */
  GPtrArray  *fallback_sandboxes; /* of the providers after the first, with --sandbox */
  CsClient   *client;
  CsTask     *task;           /* of the call under way, whose proxy --verbose hides */
} Cli;

#define CLI_DEFAULT_TIMEOUT 150.0   /* s; the library's own solve deadline */
#define CLI_MAX_TIMEOUT     86400.0 /* s; a day is more than any task takes */

/* cli-setup.c: the shared options, and the client they set up */
void        cli_add_common_options   (GOptionContext *context,
                                      Cli            *cli);
gboolean    cli_parse_options        (Cli            *cli,
                                      GOptionContext *context,
                                      int            *argc,
                                      char         ***argv,
                                      GError        **error);
gboolean    cli_setup_client         (Cli            *cli,
                                      GError        **error);
const char *cli_key_variable         (CsProvider      provider);
gboolean    cli_pick_base_url        (Cli            *cli,
                                      char          **base_url,
                                      GError        **error);
guint       cli_timeout_ms           (Cli            *cli);
double      cli_timeout_seconds      (Cli            *cli);
void        cli_clear                (Cli            *cli);

/* cli-output.c: errors, exit statuses, JSON and human output */
char       *cli_escape               (const char     *text);
int         cli_report_error         (Cli            *cli,
                                      const GError   *error,
                                      const char     *task_id);
char       *cli_json_to_text         (JsonNode       *node);
void        cli_print_json           (JsonNode       *node);
void        cli_print_builder        (JsonBuilder    *builder);
JsonNode   *cli_task_to_json         (CsTask         *task);
void        cli_print_solution       (CsSolution     *solution);
const char *cli_task_status_nick     (CsTaskStatus    status);
gboolean    cli_usage_error          (GError               **error,
                                      const char            *format,
                                      ...) G_GNUC_PRINTF (   2, 3);

/* cli-run.c: one asynchronous call on the main loop, with a deadline, a
 * status line, and SIGINT/SIGTERM */
typedef struct {
  GMainLoop    *loop;
  GCancellable *cancellable;
  GAsyncResult *result;
  guint         guard_id;
  guint         sigint_id;
  guint         sigterm_id;
  int           signal;       /* the signal that cancelled the call, or 0 */
  gboolean      timed_out;
  double        timeout;      /* s, --timeout */

  /* the live status line */
  CsTask       *task;
  gint64        started;
  guint         tick_id;
  gulong        notify_id;
} CliRun;

void        cli_run_init             (CliRun         *run,
                                      double          timeout,
                                      double          grace);
void        cli_run_show_status      (CliRun         *run,
                                      CsTask         *task);
void        cli_run_done_cb          (GObject        *source,
                                      GAsyncResult   *result,
                                      gpointer        user_data);
void        cli_run_wait             (CliRun         *run);
void        cli_run_explain_error    (CliRun         *run,
                                      GError        **error);
void        cli_run_clear            (CliRun         *run);

/* cs_client_solve_async(), cs_client_create_task_async() and
 * cs_client_get_task_result_async() have this signature. */
typedef void (*CliCallFunc) (CsClient            *client,
                             CsTask              *task,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data);
void        cli_run_call             (CliRun         *run,
                                      Cli            *cli,
                                      CsTask         *task,
                                      double          grace,
                                      CliCallFunc     call);

/* cli-task.c: tasks from the command line */
typedef struct {
  char     *image;
  char     *module;
  char     *proxy;
  char     *callback_url;
  gboolean  no_check;      /* send unknown types and fields as given */
} CliTaskOptions;

void        cli_task_options_clear   (CliTaskOptions *options);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliTaskOptions, cli_task_options_clear)

CsTask     *cli_task_new_from_args   (const CliTaskOptions  *options,
                                      int                    argc,
                                      char                 **argv,
                                      GError               **error);
gboolean    cli_check_task_id        (const char     *task_id,
                                      GError        **error);

/* cli-types.c: `capsolver types`, from the library's schema of task types */
const CsTaskField *cli_task_type_find_field (const CsTaskType   *type,
                                             const char         *name);
gboolean           cli_unknown_type_error   (GError            **error,
                                             const char         *type_name);
int                cli_command_types        (Cli                *cli,
                                             int                 argc,
                                             char              **argv);

/* cli-providers.c: `capsolver providers`, and the names of the providers */
gboolean    cli_parse_provider       (const char     *option,
                                      const char     *name,
                                      CsProvider     *provider,
                                      GError        **error);
int         cli_command_providers    (Cli            *cli,
                                      int             argc,
                                      char          **argv);

/* cli-verbose.c: the HTTP exchange on stderr, secrets hidden */
void        cli_verbose_attach       (Cli            *cli);
void        cli_verbose_print_usage  (Cli            *cli);

/* cli-commands.c */
int         cli_command_solve        (Cli *cli, int argc, char **argv);
int         cli_command_create       (Cli *cli, int argc, char **argv);
int         cli_command_result       (Cli *cli, int argc, char **argv);
int         cli_command_balance      (Cli *cli, int argc, char **argv);
int         cli_command_feedback     (Cli *cli, int argc, char **argv);

/* cli-key.c: `capsolver key` */
int         cli_command_key          (Cli *cli, int argc, char **argv);

/* cli-sandbox.c */
int         cli_command_sandbox      (Cli *cli, int argc, char **argv);

G_END_DECLS
