/* cli-verbose.c: --verbose, the HTTP exchange on stderr with its secrets
 * hidden, and what the run spent
 *
 * Requests carry the API key (clientKey) and, in tasks with a proxy, the
 * proxy's login and password; the service repeats them in its replies, in
 * other cases and encodings. Every line goes through the library's own
 * redaction, cs_client_redact(), with the task of the call under way: the
 * rule that hides them in the library's errors and log hides them here,
 * so that a verbose log can be pasted into a bug report. At the end of
 * the run, the client's counters follow, each line starting with "= ".
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>

#include "capsolver.h"

static void
print_line (SoupLogger         *logger,
            SoupLoggerLogLevel  level,
            char                direction,
            const char         *data,
            gpointer            user_data)
{
  Cli *cli = user_data;
  g_autofree char *text = cs_client_redact (cli->client, cli->task, data);
  g_autofree char *safe = cli_escape (text);

  fprintf (stderr, "%c %s\n", direction, safe);
}

/* Shows every request of the client of @cli and its answer on stderr,
 * headers and bodies. */
void
cli_verbose_attach (Cli *cli)
{
  g_autoptr(SoupLogger) logger = soup_logger_new (SOUP_LOGGER_LOG_BODY);

  /* @cli outlives its client, whose session holds the logger */
  soup_logger_set_printer (logger, print_line, cli, NULL);
  soup_session_add_feature (cs_client_get_session (cli->client), SOUP_SESSION_FEATURE (logger));
}

/* "account: refused: ERROR_KEY_DENIED_ACCESS: …" while the account's
 * breaker holds requests back, or NULL. */
static char *
account_line (CsClient *client)
{
  CsAccountState state = cs_client_get_account_state (client);
  g_autoptr(GEnumClass) klass = NULL;
  g_autoptr(GError) reason = NULL;
  g_autofree char *held = NULL;

  if (state == CS_ACCOUNT_STATE_USABLE)
    return NULL;
  klass = g_type_class_ref (CS_TYPE_ACCOUNT_STATE);
  held = state == CS_ACCOUNT_STATE_PAUSED
         ? g_strdup_printf ("paused for %u s", cs_client_get_paused_for (client))
         : g_strdup (g_enum_get_value (klass, state)->value_nick);
  reason = cs_client_dup_account_error (client);
  return g_strdup_printf ("account: %s: %s", held,
                          reason != NULL ? reason->message : "no reason given");
}

/* The counters of the client of @cli, if the run made one, and the state
 * of its account when it holds requests back, as one block on stderr. */
void
cli_verbose_print_usage (Cli *cli)
{
  g_autoptr(CsUsage) usage = NULL;
  g_autofree char *text = NULL;
  g_autofree char *account = NULL;
  g_auto(GStrv) lines = NULL;

  if (cli->client == NULL)
    return;
  usage = cs_client_get_usage (cli->client);
  text = cs_usage_to_string (usage);
  lines = g_strsplit (g_strchomp (text), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    fprintf (stderr, "= %s\n", lines[i]);
  account = account_line (cli->client);
  if (account != NULL)
    fprintf (stderr, "= %s\n", account);
}
