/* cli-key.c: `capsolver key`, the API key in the keyring, and the key the
 * other commands find there
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "capsolver.h"

/* A key is a few dozen characters; a first line longer than this is not
 * one. */
#define MAX_KEY_LINE 4096

static const char key_summary[] =
  "Keep the API key in the keyring (the Secret Service of the desktop: GNOME\n"
  "Keyring, KeePassXC...), out of scripts and shell history. The other\n"
  "commands use the key stored for their service address when neither\n"
  "--api-key nor CAPSOLVER_API_KEY gives one. Each address (--base-url,\n"
  "CAPSOLVER_BASE_URL, or the CapSolver service) has a key of its own.\n"
  "\n"
  "Actions:\n"
  "  set      store the key, read from a prompt that does not show it, or\n"
  "           from the first line of standard input; never from the\n"
  "           command line\n"
  "  show     print the stored key, masked (its first and last 4 characters)\n"
  "  forget   remove the stored key";

static const char key_description[] =
  "The keyring needs a D-Bus session with a Secret Service (gnome-keyring-daemon,\n"
  "for one); without one these commands fail with exit status 2. Keys are kept\n"
  "under the libsecret schema com.capsolver.ApiKey with one attribute, base-url,\n"
  "so that other programs find them too, as in\n"
  "  secret-tool lookup xdg:schema com.capsolver.ApiKey base-url https://api.capsolver.com";

/* --- Errors ---------------------------------------------------------------------- */

/* Keyring failures are the command's usage errors (exit status 2, like "no
 * API key"), except a cancel, which cli_run_explain_error() names. */
static void
keyring_error_to_usage (GError **error)
{
  g_autoptr(GError) keyring_error = NULL;

  if (*error == NULL || (*error)->domain == CLI_ERROR ||
      g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  keyring_error = g_steal_pointer (error);
  cli_usage_error (error, "%s", keyring_error->message);
}

/* --- Reading the key --------------------------------------------------------------- */

static struct termios saved_termios;
static volatile sig_atomic_t echo_off;

static void
restore_echo (void)
{
  if (echo_off)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved_termios);
  echo_off = 0;
}

/* A signal at the prompt leaves the terminal as it found it, then ends the
 * process as the signal would have. */
static void
prompt_signal_handler (int signum)
{
  restore_echo ();
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
wipe (char *text)
{
  if (text == NULL)
    return;
  for (volatile char *p = text; *p != '\0'; p++)
    *p = '\0';
}

/* The first line of @fd, at most MAX_KEY_LINE bytes, without its newline. */
static char *
read_line (int      fd,
           GError **error)
{
  char line[MAX_KEY_LINE + 1];
  gsize length = 0;

  while (length < sizeof line - 1)
    {
      ssize_t n = read (fd, line + length, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          cli_usage_error (error, "cannot read the key: %s", g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0 || line[length] == '\n')
        {
          char *copy;

          line[length] = '\0';
          copy = g_strdup (line);
          wipe (line);
          return copy;
        }
      length++;
    }
  line[length] = '\0';
  wipe (line);
  cli_usage_error (error, "the first line of standard input is too long to be an API key");
  return NULL;
}

/* Asks for the key on the terminal, without echo. */
static char *
prompt_key (const char  *base_url,
            GError     **error)
{
  struct termios quiet;
  struct sigaction action = { 0 }, old_int, old_term, old_hup;
  g_autofree char *safe_url = cli_escape (base_url);
  char *key;

  /* echo off before the prompt: what is typed once it shows is not seen */
  if (tcgetattr (STDIN_FILENO, &saved_termios) == 0)
    {
      action.sa_handler = prompt_signal_handler;
      sigemptyset (&action.sa_mask);
      sigaction (SIGINT, &action, &old_int);
      sigaction (SIGTERM, &action, &old_term);
      sigaction (SIGHUP, &action, &old_hup);
      quiet = saved_termios;
      quiet.c_lflag &= ~(ECHO | ECHONL);
      echo_off = 1;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  fprintf (stderr, "API key for %s: ", safe_url);
  fflush (stderr);
  key = read_line (STDIN_FILENO, error);
  if (echo_off)
    {
      restore_echo ();
      sigaction (SIGINT, &old_int, NULL);
      sigaction (SIGTERM, &old_term, NULL);
      sigaction (SIGHUP, &old_hup, NULL);
    }
  /* the newline the user typed was not echoed */
  fputc ('\n', stderr);
  return key;
}

static char *
read_key (const char  *base_url,
          GError     **error)
{
  char *key;

  if (isatty (STDIN_FILENO))
    key = prompt_key (base_url, error);
  else
    key = read_line (STDIN_FILENO, error);
  if (key != NULL && *g_strstrip (key) == '\0')
    {
      g_free (key);
      cli_usage_error (error, "no key given: type it at the prompt, or give it on standard "
                              "input");
      return NULL;
    }
  return key;
}

/* "CAP-...1a2b": enough to tell two keys apart, not enough to use one. */
static char *
mask_key (const char *key)
{
  glong length = g_utf8_strlen (key, -1);
  g_autofree char *head = NULL;
  g_autofree char *masked = NULL;

  if (length < 12)
    return g_strdup ("****");
  head = g_utf8_substring (key, 0, 4);
  masked = g_strconcat (head, "...", g_utf8_offset_to_pointer (key, length - 4), NULL);
  return cli_escape (masked);
}

/* --- The actions --------------------------------------------------------------------- */

/* The call of @start on the main loop, with --timeout and the signals. */
typedef void (*KeyringStartFunc) (const char          *base_url,
                                  const char          *api_key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);

static void
start_store (const char          *base_url,
             const char          *api_key,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  cs_keyring_store_key_async (base_url, api_key, cancellable, callback, user_data);
}

static void
start_lookup (const char          *base_url,
              const char          *api_key,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  cs_keyring_lookup_key_async (base_url, cancellable, callback, user_data);
}

static void
start_clear (const char          *base_url,
             const char          *api_key,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  cs_keyring_clear_key_async (base_url, cancellable, callback, user_data);
}

static void
run_keyring_call (CliRun           *run,
                  Cli              *cli,
                  KeyringStartFunc  start,
                  const char       *base_url,
                  const char       *api_key)
{
  cli_run_init (run, cli_timeout_seconds (cli), 0);
  start (base_url, api_key, run->cancellable, cli_run_done_cb, run);
  cli_run_wait (run);
}

static void
print_result_json (const char *base_url,
                   const char *member,
                   JsonNode   *value)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "baseUrl");
  json_builder_add_string_value (builder, base_url);
  json_builder_set_member_name (builder, member);
  json_builder_add_value (builder, value);
  json_builder_end_object (builder);
  cli_print_builder (builder);
}

static JsonNode *
boolean_node (gboolean value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (node, value);
  return node;
}

static int
key_set (Cli        *cli,
         const char *base_url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *safe_url = cli_escape (base_url);
  char *key;
  gboolean stored;
  CliRun run;

  if (cli->api_key != NULL)
    {
      cli_usage_error (&error, "the key is read from a prompt or standard input, never from "
                               "the command line: leave out --api-key");
      return cli_report_error (cli, error, NULL);
    }
  key = read_key (base_url, &error);
  if (key == NULL)
    return cli_report_error (cli, error, NULL);

  run_keyring_call (&run, cli, start_store, base_url, key);
  wipe (key);
  g_free (key);
  stored = cs_keyring_store_key_finish (run.result, &error);
  cli_run_explain_error (&run, &error);
  cli_run_clear (&run);
  keyring_error_to_usage (&error);
  if (!stored)
    return cli_report_error (cli, error, NULL);

  if (cli->json)
    print_result_json (base_url, "stored", boolean_node (TRUE));
  else
    printf ("Stored the API key for %s in the keyring.\n", safe_url);
  return CLI_EXIT_OK;
}

static int
key_show (Cli        *cli,
          const char *base_url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *safe_url = cli_escape (base_url);
  g_autofree char *key = NULL;
  g_autofree char *masked = NULL;
  const char *variable = g_getenv ("CAPSOLVER_API_KEY");
  CliRun run;

  run_keyring_call (&run, cli, start_lookup, base_url, NULL);
  key = cs_keyring_lookup_key_finish (run.result, &error);
  cli_run_explain_error (&run, &error);
  cli_run_clear (&run);
  keyring_error_to_usage (&error);
  if (key == NULL && error == NULL)
    cli_usage_error (&error, "the keyring has no key for %s: store one with \"capsolver key "
                             "set\"", safe_url);
  if (key == NULL)
    return cli_report_error (cli, error, NULL);

  masked = mask_key (key);
  wipe (key);
  if (cli->json)
    {
      JsonNode *node = json_node_new (JSON_NODE_VALUE);

      json_node_set_string (node, masked);
      print_result_json (base_url, "key", node);
    }
  else
    printf ("%s: %s\n", safe_url, masked);
  if (variable != NULL && *variable != '\0')
    fprintf (stderr, "capsolver key: CAPSOLVER_API_KEY is set: the commands use it, not "
                     "this key\n");
  return CLI_EXIT_OK;
}

static int
key_forget (Cli        *cli,
            const char *base_url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *safe_url = cli_escape (base_url);
  gboolean removed;
  CliRun run;

  run_keyring_call (&run, cli, start_clear, base_url, NULL);
  removed = cs_keyring_clear_key_finish (run.result, &error);
  cli_run_explain_error (&run, &error);
  cli_run_clear (&run);
  keyring_error_to_usage (&error);
  if (error != NULL)
    return cli_report_error (cli, error, NULL);

  if (cli->json)
    print_result_json (base_url, "removed", boolean_node (removed));
  else if (removed)
    printf ("Removed the API key for %s from the keyring.\n", safe_url);
  else
    printf ("The keyring had no API key for %s.\n", safe_url);
  return CLI_EXIT_OK;
}

/* capsolver key set|show|forget */
int
cli_command_key (Cli   *cli,
                 int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("set|show|forget");
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *safe_action = NULL;
  const char *action;

  g_option_context_set_summary (context, key_summary);
  g_option_context_set_description (context, key_description);
  cli_add_common_options (context, cli);
  if (!cli_parse_options (cli, context, &argc, &argv, &error))
    return cli_report_error (cli, error, NULL);
  if (argc < 2)
    {
      cli_usage_error (&error, "no action given: set, show or forget");
      return cli_report_error (cli, error, NULL);
    }
  if (argc > 2)
    {
      /* not even echoed back: it may be a key given where it must not be */
      cli_usage_error (&error, "one action only (the key itself is never an argument)");
      return cli_report_error (cli, error, NULL);
    }
  if (cli->use_sandbox)
    {
      cli_usage_error (&error, "--sandbox has a key of its own, not kept in the keyring");
      return cli_report_error (cli, error, NULL);
    }
  if (!cli_pick_base_url (cli, &base_url, &error))
    return cli_report_error (cli, error, NULL);

  action = argv[1];
  if (g_str_equal (action, "set"))
    return key_set (cli, base_url);
  if (g_str_equal (action, "show"))
    return key_show (cli, base_url);
  if (g_str_equal (action, "forget"))
    return key_forget (cli, base_url);
  /* an unknown action may be a key pasted in the wrong place */
  safe_action = cli_escape (action);
  if (strlen (action) > 12)
    cli_usage_error (&error, "unknown action: set, show or forget");
  else
    cli_usage_error (&error, "unknown action \"%s\": set, show or forget", safe_action);
  return cli_report_error (cli, error, NULL);
}
