/* cli-output.c: what the capsolver command prints, and its exit statuses
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capsolver.h"

G_DEFINE_QUARK (capsolver-cli-error-quark, cli_error)

gboolean
cli_usage_error (GError     **error,
                 const char  *format,
                 ...)
{
  va_list args;

  va_start (args, format);
  if (error != NULL)
    *error = g_error_new_valist (CLI_ERROR, CLI_ERROR_USAGE, format, args);
  va_end (args);
  return FALSE;
}

/* Sorts an error into the exit statuses of `capsolver --help`; @kind is its
 * name in the JSON output. */
static CliExit
classify_error (const GError  *error,
                const char   **kind)
{
  if (error->domain == CLI_ERROR)
    {
      switch ((CliError) error->code)
        {
        case CLI_ERROR_TIMEOUT:
          *kind = "timeout";
          return CLI_EXIT_TIMEOUT;
        case CLI_ERROR_INTERRUPTED:
          *kind = "interrupted";
          return CLI_EXIT_INTERRUPTED;
        case CLI_ERROR_TERMINATED:
          *kind = "interrupted";
          return CLI_EXIT_TERMINATED;
        case CLI_ERROR_USAGE:
        default:
          *kind = "usage";
          return CLI_EXIT_USAGE;
        }
    }
  if (g_error_matches (error, CS_ERROR, CS_ERROR_TIMEOUT))
    {
      *kind = "timeout";
      return CLI_EXIT_TIMEOUT;
    }
  /* a reply that is not the protocol, or not even HTTP */
  if (g_error_matches (error, CS_ERROR, CS_ERROR_PROTOCOL) || error->domain == SOUP_SESSION_ERROR)
    {
      *kind = "protocol";
      return CLI_EXIT_PROTOCOL;
    }
  if (error->domain == CS_ERROR)
    {
      *kind = "api";
      return CLI_EXIT_API;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      *kind = "interrupted";
      return CLI_EXIT_INTERRUPTED;
    }
  /* G_IO_ERROR, G_RESOLVER_ERROR, G_TLS_ERROR: the way to the service */
  *kind = "network";
  return CLI_EXIT_NETWORK;
}

/* U+2028 and U+2029 end a line for some terminals and for JavaScript,
 * which reads the JSON output too. */
static gboolean
is_unsafe_char (gunichar c)
{
  GUnicodeType type = g_unichar_type (c);

  return g_unichar_iscntrl (c) || type == G_UNICODE_FORMAT ||
         type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR;
}

/* Text that came from the server, made safe for a terminal: control and
 * format characters (escape sequences, bidirectional overrides), line and
 * paragraph separators, and bytes that are not UTF-8 are written as \xHH
 * or \uHHHH, never as themselves. */
char *
cli_escape (const char *text)
{
  GString *safe;
  const char *end = text + strlen (text);

  safe = g_string_sized_new (end - text);
  while (text < end)
    {
      gunichar c = g_utf8_get_char_validated (text, end - text);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (safe, "\\x%02x", (guchar) *text++);
          continue;
        }
      if (c < 0x80 && g_ascii_iscntrl (c))
        g_string_append_printf (safe, "\\x%02x", c);
      else if (is_unsafe_char (c))
        g_string_append_printf (safe, "\\u%04x", c);
      else
        g_string_append_len (safe, text, g_utf8_next_char (text) - text);
      text = g_utf8_next_char (text);
    }
  return g_string_free (safe, FALSE);
}

/* One line, whatever the server put in its description, safe to print. */
static char *
one_line (const char *message)
{
  g_autofree char *line = g_strdup (message);

  g_strdelimit (line, "\r\n\t", ' ');
  return cli_escape (g_strstrip (line));
}

static char *
error_hint (Cli        *cli,
            CliExit     status,
            const char *task_id)
{
  g_autofree char *safe_id = NULL;

  if (status == CLI_EXIT_USAGE)
    return g_strdup_printf (" (see \"capsolver%s%s --help\")",
                            cli->command != NULL ? " " : "",
                            cli->command != NULL ? cli->command : "");
  /* a task of the in-process sandbox ends with the process */
  if (task_id == NULL || cli->sandbox != NULL)
    return g_strdup ("");
  if (status == CLI_EXIT_TIMEOUT || status == CLI_EXIT_INTERRUPTED ||
      status == CLI_EXIT_TERMINATED)
    {
      /* quoted, so that whatever the server made the id, pasting the
       * line runs that command and no other */
      g_autofree char *quoted = g_shell_quote (task_id);
      g_autofree char *safe = cli_escape (quoted);

      return g_strdup_printf ("; resume with: capsolver result %s", safe);
    }
  safe_id = cli_escape (task_id);
  return g_strdup_printf (" (task %s)", safe_id);
}

static void
print_error_json (const GError *error,
                  const char   *kind,
                  CliExit       status,
                  const char   *message,
                  const char   *task_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *code = cs_error_get_code_text (error);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, kind);
  json_builder_set_member_name (builder, "code");
  if (code != NULL)
    json_builder_add_string_value (builder, code);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "exitCode");
  json_builder_add_int_value (builder, status);
  json_builder_end_object (builder);
  if (task_id != NULL)
    {
      json_builder_set_member_name (builder, "taskId");
      json_builder_add_string_value (builder, task_id);
    }
  json_builder_end_object (builder);
  cli_print_builder (builder);
}

/* The library refuses a plain http:// base URL to another machine, naming
 * its property; the command has a flag for it instead. NULL for any other
 * error. */
static GError *
insecure_http_error (Cli          *cli,
                     const GError *error)
{
  const char *base_url;
  g_autofree char *scheme = NULL;
  g_autofree char *safe_url = NULL;

  if (cli->client == NULL || cli->sandbox != NULL ||
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) ||
      cs_client_get_allow_insecure_http (cli->client))
    return NULL;
  base_url = cs_client_get_base_url (cli->client);
  scheme = g_uri_parse_scheme (base_url);
  if (scheme == NULL || g_ascii_strcasecmp (scheme, "http") != 0)
    return NULL;
  safe_url = cs_client_redact (cli->client, NULL, base_url);
  return g_error_new (CLI_ERROR, CLI_ERROR_USAGE,
                      "base URL \"%s\" would send the API key in clear text to another "
                      "machine; nothing was sent: use https, or http to this machine "
                      "(127.0.0.0/8, ::1, localhost), or pass --allow-insecure-http if the "
                      "network to it is trusted", safe_url);
}

/* Prints @error as one line on stderr (and as JSON on stdout with --json),
 * and returns the exit status it means. */
int
cli_report_error (Cli          *cli,
                  const GError *error,
                  const char   *task_id)
{
  g_autoptr(GError) own_error = insecure_http_error (cli, error);
  const GError *shown = own_error != NULL ? own_error : error;
  const char *kind = NULL;
  CliExit status = classify_error (shown, &kind);
  g_autofree char *message = one_line (shown->message);
  g_autofree char *hint = error_hint (cli, status, task_id);

  fflush (stdout);
  fprintf (stderr, "capsolver%s%s: %s%s\n",
           cli->command != NULL ? " " : "", cli->command != NULL ? cli->command : "",
           message, hint);
  if (cli->json)
    print_error_json (shown, kind, status, message, task_id);
  return status;
}

/* json-glib escapes the control characters below 0x20 only: DEL, the C1
 * controls (0x9b starts an escape sequence too) and format characters
 * such as bidirectional overrides become \uXXXX escapes as well, which
 * mean the same to a JSON reader. They can only be inside strings. */
static char *
escape_json_text (char *text)
{
  GString *safe = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!is_unsafe_char (c))
        g_string_append_len (safe, p, g_utf8_next_char (p) - p);
      else if (c < 0x10000)
        g_string_append_printf (safe, "\\u%04x", c);
      else
        g_string_append_printf (safe, "\\u%04x\\u%04x", 0xd800 + ((c - 0x10000) >> 10),
                                0xdc00 + ((c - 0x10000) & 0x3ff));
    }
  g_free (text);
  return g_string_free (safe, FALSE);
}

/* Compact for programs, indented for a person at a terminal. */
char *
cli_json_to_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_pretty (generator, isatty (STDOUT_FILENO));
  json_generator_set_root (generator, node);
  return escape_json_text (json_generator_to_data (generator, NULL));
}

void
cli_print_json (JsonNode *node)
{
  g_autofree char *text = cli_json_to_text (node);

  printf ("%s\n", text);
  fflush (stdout);
}

/* Prints what @builder built. */
void
cli_print_builder (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  cli_print_json (root);
}

const char *
cli_task_status_nick (CsTaskStatus status)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (CS_TYPE_TASK_STATUS);
  GEnumValue *value = g_enum_get_value (klass, status);

  /* the nicks are static strings of the type, alive after the unref */
  return value != NULL ? value->value_nick : "unknown";
}

/* {"taskId": …, "status": …, "provider": …, "solution": {…}} */
JsonNode *
cli_task_to_json (CsTask *task)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  CsSolution *solution = cs_task_get_solution (task);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "taskId");
  if (cs_task_get_task_id (task) != NULL)
    json_builder_add_string_value (builder, cs_task_get_task_id (task));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, cli_task_status_nick (cs_task_get_status (task)));
  /* who has the task: with --provider NAME,NAME…, any of them */
  json_builder_set_member_name (builder, "provider");
  json_builder_add_string_value (builder, cs_provider_get_name (cs_task_get_provider (task)));
  if (solution != NULL)
    {
      g_autoptr(JsonNode) object = json_node_init_object (json_node_alloc (),
                                                          cs_solution_get_json (solution));

      json_builder_set_member_name (builder, "solution");
      json_builder_add_value (builder, g_steal_pointer (&object));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* A member of a solution as a person reads it: strings bare, the rest as
 * JSON. */
static char *
member_to_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = NULL;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  generator = json_generator_new ();
  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* The answer alone when there is one answer (the text of an image, a
 * token), so that `ANSWER=$(capsolver solve …)` works; every member
 * otherwise. */
void
cli_print_solution (CsSolution *solution)
{
  const char *answer = cs_solution_get_text (solution);
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  if (answer == NULL)
    answer = cs_solution_get_token (solution);
  if (answer != NULL)
    {
      g_autofree char *safe = cli_escape (answer);

      printf ("%s\n", safe);
      fflush (stdout);
      return;
    }
  json_object_iter_init (&iter, cs_solution_get_json (solution));
  while (json_object_iter_next (&iter, &member, &node))
    {
      g_autofree char *text = member_to_text (node);
      g_autofree char *safe_member = cli_escape (member);
      g_autofree char *safe_text = cli_escape (text);

      printf ("%s: %s\n", safe_member, safe_text);
    }
  fflush (stdout);
}
