/* cli-verbose.c: --verbose, the HTTP exchange on stderr with its secrets
 * hidden
 *
 * Requests carry the API key (clientKey) and, in tasks with a proxy, the
 * proxy's password (proxyPassword, or the last part of proxy). They are
 * shown with those values replaced, and the key is replaced wherever else
 * it appears, so that a verbose log can be pasted into a bug report.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "capsolver.h"

#define HIDDEN "[hidden]"

/* The proxy string of a task with its password hidden, keeping the form
 * the user gave: scheme:host:port:login:password or
 * scheme://login:password@host:port. */
static char *
hide_proxy_password (const char *text)
{
  g_autoptr(CsProxy) proxy = cs_proxy_new_from_string (text, NULL);
  const char *password;
  const char *at;

  password = proxy != NULL ? cs_proxy_get_password (proxy) : NULL;
  if (password == NULL || *password == '\0')
    {
      /* not a proxy the library reads, or no password: hide it all, in
       * case it holds one in a form the library does not know */
      return proxy != NULL ? g_strdup (text) : g_strdup (HIDDEN);
    }
  at = strrchr (text, '@');
  if (at != NULL)
    {
      const char *colon = g_strstr_len (text, at - text, "://");
      const char *separator = colon != NULL ? strchr (colon + 3, ':') : NULL;

      if (separator != NULL && separator < at)
        return g_strdup_printf ("%.*s" HIDDEN "%s", (int) (separator + 1 - text), text, at);
      return g_strdup (HIDDEN);
    }
  if (g_str_has_suffix (text, password))
    return g_strdup_printf ("%.*s" HIDDEN, (int) (strlen (text) - strlen (password)), text);
  return g_strdup (HIDDEN);
}

static void
hide_in_object (JsonObject *object)
{
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;
  g_autoptr(GPtrArray) hidden = g_ptr_array_new ();

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &node))
    {
      if (JSON_NODE_HOLDS_OBJECT (node))
        hide_in_object (json_node_get_object (node));
      else if (g_str_equal (member, "clientKey") || g_str_equal (member, "proxyPassword"))
        g_ptr_array_add (hidden, (gpointer) member);
      else if (g_str_equal (member, "proxy") && JSON_NODE_HOLDS_VALUE (node) &&
               json_node_get_value_type (node) == G_TYPE_STRING)
        {
          g_autofree char *safe = hide_proxy_password (json_node_get_string (node));

          json_node_set_string (node, safe);
        }
    }
  /* set after the walk: setting members while iterating is not allowed */
  for (guint i = 0; i < hidden->len; i++)
    json_object_set_string_member (object, g_ptr_array_index (hidden, i), HIDDEN);
}

/* A body with its secret members hidden, or NULL if it is not JSON. */
static char *
hide_in_json (const char *data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, data, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  hide_in_object (json_node_get_object (root));
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* Replaces every occurrence of @secret in @text. */
static char *
hide_text (const char *text,
           const char *secret)
{
  g_auto(GStrv) parts = NULL;

  if (secret == NULL || *secret == '\0')
    return g_strdup (text);
  parts = g_strsplit (text, secret, -1);
  return g_strjoinv (HIDDEN, parts);
}

static void
print_line (SoupLogger         *logger,
            SoupLoggerLogLevel  level,
            char                direction,
            const char         *data,
            gpointer            user_data)
{
  CsClient *client = user_data;
  g_autofree char *json = hide_in_json (data);
  g_autofree char *text = hide_text (json != NULL ? json : data, cs_client_get_api_key (client));
  g_autofree char *safe = cli_escape (text);

  fprintf (stderr, "%c %s\n", direction, safe);
}

/* Shows every request of @client and its answer on stderr, headers and
 * bodies. */
void
cli_verbose_attach (CsClient *client)
{
  g_autoptr(SoupLogger) logger = soup_logger_new (SOUP_LOGGER_LOG_BODY);

  /* the client outlives its session's features */
  soup_logger_set_printer (logger, print_line, client, NULL);
  soup_session_add_feature (cs_client_get_session (client), SOUP_SESSION_FEATURE (logger));
}
