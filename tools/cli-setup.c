/* cli-setup.c: the options every command shares, and the client (or the
 * in-process sandbox) they set up
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "capsolver.h"

/* The options every command shares write into @cli, wherever they appear
 * on the command line. */
void
cli_add_common_options (GOptionContext *context,
                        Cli            *cli)
{
  const GOptionEntry entries[] = {
    { "api-key", 0, 0, G_OPTION_ARG_STRING, &cli->api_key,
      "The API key (default: $CAPSOLVER_API_KEY, or the provider's variable)", "KEY" },
    { "base-url", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli->base_urls,
      "The first provider's service address (default: $CAPSOLVER_BASE_URL, "
      "$CAPSOLVER_COMPATIBLE_BASE_URL, or the provider's first: " CS_DEFAULT_BASE_URL
      "); given again, or as URL,URL, the endpoints to fail over to, in order", "URL" },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &cli->provider_name,
      "Speak NAME's dialect: capsolver (the default), anti-captcha, 2captcha, capmonster or "
      "compatible (\"capsolver providers\" lists them); a list NAME,NAME… routes the tasks "
      "the first cannot take to the next, each with the key of its own variable",
      "NAME[,NAME…]" },
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

/* An option wins over the environment (@variable, nullable), which wins
 * over the default. */
static const char *
pick_setting (const char  *option_value,
              const char  *option_name,
              const char  *variable,
              const char **origin)
{
  const char *value = variable != NULL ? g_getenv (variable) : NULL;

  if (option_value != NULL)
    {
      *origin = option_name;
      return option_value;
    }
  *origin = variable != NULL ? variable : option_name;
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

/* The providers --provider names, in order (CapSolver without one): a
 * list is a chain of clients (CsClient:fallback). */
static GArray *
pick_providers (Cli     *cli,
                GError **error)
{
  g_autoptr(GArray) providers = g_array_new (FALSE, FALSE, sizeof (CsProvider));
  g_auto(GStrv) names = NULL;
  CsProvider provider = CS_PROVIDER_CAPSOLVER;

  if (cli->provider_name == NULL)
    {
      g_array_append_val (providers, provider);
      return g_steal_pointer (&providers);
    }
  names = g_strsplit (cli->provider_name, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!cli_parse_provider ("--provider", names[i], &provider, error))
        return NULL;
      for (guint j = 0; j < providers->len; j++)
        if (g_array_index (providers, CsProvider, j) == provider)
          {
            cli_usage_error (error, "--provider: %s is named twice",
                             cs_provider_get_name (provider));
            return NULL;
          }
      g_array_append_val (providers, provider);
    }
  return g_steal_pointer (&providers);
}

/* The environment variable of a provider's key: the one its own SDKs or
 * their users read, so that a key already set for them is found. Never
 * another provider's: a CapSolver key is not sent to Anti-Captcha. */
const char *
cli_key_variable (CsProvider provider)
{
  switch (provider)
    {
    case CS_PROVIDER_ANTI_CAPTCHA:
      return "ANTICAPTCHA_API_KEY";
    case CS_PROVIDER_TWOCAPTCHA:
      return "APIKEY_2CAPTCHA";
    case CS_PROVIDER_CAPMONSTER:
      return "CAPMONSTER_API_KEY";
    case CS_PROVIDER_COMPATIBLE:
      /* another service, whatever dialect it speaks */
      return "CAPSOLVER_COMPATIBLE_API_KEY";
    case CS_PROVIDER_CAPSOLVER:
    default:
      return "CAPSOLVER_API_KEY";
    }
}

static gboolean
chain_holds (GArray     *providers,
             CsProvider  provider)
{
  for (guint i = 0; i < providers->len; i++)
    if (g_array_index (providers, CsProvider, i) == provider)
      return TRUE;
  return FALSE;
}

/* The address the environment names for the client of providers[@index]
 * (--base-url names only the first's). CAPSOLVER_BASE_URL is CapSolver's;
 * a compatible service has CAPSOLVER_COMPATIBLE_BASE_URL, and when first
 * also CAPSOLVER_BASE_URL, but only with no CapSolver client in the chain:
 * else one variable would send both keys to one address. */
static const char *
base_url_from_environment (GArray      *providers,
                           guint        index,
                           const char **origin)
{
  CsProvider provider = g_array_index (providers, CsProvider, index);
  const char *variables[2] = { NULL, NULL };

  if (provider == CS_PROVIDER_CAPSOLVER)
    variables[0] = "CAPSOLVER_BASE_URL";
  else if (provider == CS_PROVIDER_COMPATIBLE)
    {
      variables[0] = "CAPSOLVER_COMPATIBLE_BASE_URL";
      if (index == 0 && !chain_holds (providers, CS_PROVIDER_CAPSOLVER))
        variables[1] = "CAPSOLVER_BASE_URL";
    }
  for (guint i = 0; i < G_N_ELEMENTS (variables) && variables[i] != NULL; i++)
    {
      const char *value = g_getenv (variables[i]);

      if (value != NULL && *value != '\0')
        {
          *origin = variables[i];
          return value;
        }
    }
  return NULL;
}

/* The endpoints @urls names (a comma list, from @origin), checked, without
 * trailing slashes. */
static GStrv
parse_base_urls (const char  *urls,
                 const char  *origin,
                 GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_strsplit (urls, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *url = g_strstrip (parts[i]);
      gsize length = strlen (url);

      if (*url == '\0')
        {
          cli_usage_error (error, "%s \"%s\" has an empty address in its list", origin, urls);
          return NULL;
        }
      if (!check_base_url (url, origin, error))
        return NULL;
      while (length > 0 && url[length - 1] == '/')
        url[--length] = '\0';
      g_strv_builder_add (builder, url);
    }
  return g_strv_builder_end (builder);
}

/* The endpoints of the client of providers[@index]: --base-url's (each
 * time given) for the first, else the environment's; NULL with no error
 * when neither names one. */
static GStrv
pick_base_urls (Cli         *cli,
                GArray      *providers,
                guint        index,
                GError     **error)
{
  g_autofree char *given = NULL;
  const char *origin = "--base-url";
  const char *urls;

  if (index == 0 && cli->base_urls != NULL)
    urls = given = g_strjoinv (",", cli->base_urls);
  else
    urls = base_url_from_environment (providers, index, &origin);
  if (urls == NULL)
    return NULL;
  return parse_base_urls (urls, origin, error);
}

/* The usage error of a compatible client of providers[@index] with no
 * address: where its address can come from. */
static gboolean
compatible_needs_base_url (GArray   *providers,
                           guint     index,
                           GError  **error)
{
  if (index > 0)
    return cli_usage_error (error, "--provider: compatible after the first provider needs "
                                   "CAPSOLVER_COMPATIBLE_BASE_URL (--base-url is the first's, "
                                   "CAPSOLVER_BASE_URL CapSolver's)");
  if (chain_holds (providers, CS_PROVIDER_CAPSOLVER))
    return cli_usage_error (error, "--provider compatible needs --base-url URL, or "
                                   "CAPSOLVER_COMPATIBLE_BASE_URL (with capsolver in the chain, "
                                   "CAPSOLVER_BASE_URL is CapSolver's)");
  return cli_usage_error (error, "--provider compatible needs --base-url URL, or "
                                 "CAPSOLVER_COMPATIBLE_BASE_URL or CAPSOLVER_BASE_URL");
}

static gboolean
start_local_sandbox (Cli         *cli,
                     CsProvider   provider,
                     GError     **error)
{
  if (cli->base_urls != NULL)
    return cli_usage_error (error, "--sandbox and --base-url cannot be used together");

  cli->sandbox = cs_sandbox_new ();
  /* the sandbox speaks the provider's dialect, as the provider would */
  cs_sandbox_set_dialect (cli->sandbox, provider);
  if (!cs_sandbox_start (cli->sandbox, 0, error))
    return FALSE;
  /* the environment's key is for the real service; only --api-key
   * replaces the sandbox's own */
  cli->client = g_object_new (CS_TYPE_CLIENT,
                              "api-key", cli->api_key != NULL ? cli->api_key
                                                              : CS_SANDBOX_DEFAULT_KEY,
                              "provider", provider,
                              "base-url", cs_sandbox_get_base_url (cli->sandbox),
                              NULL);
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

/* The service address that the options and the environment name, checked,
 * without trailing slashes: the first of their list (whose key the
 * endpoints share); the provider's first when they name none. */
gboolean
cli_pick_base_url (Cli      *cli,
                   char    **base_url,
                   GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) providers = pick_providers (cli, error);
  g_auto(GStrv) urls = NULL;
  CsProvider provider;

  if (providers == NULL)
    return FALSE;
  provider = g_array_index (providers, CsProvider, 0);
  urls = pick_base_urls (cli, providers, 0, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (urls != NULL)
    *base_url = g_strdup (urls[0]);
  else if (cs_provider_get_base_urls (provider)[0] != NULL)
    *base_url = g_strdup (cs_provider_get_base_urls (provider)[0]);
  else
    return compatible_needs_base_url (providers, 0, error);
  return TRUE;
}

/* The key the keyring holds for @base_url (NULL: the default), or NULL
 * with the usage error that says where a key can come from. */
static char *
key_from_keyring (const char  *base_url,
                  const char  *variable,
                  GError     **error)
{
  g_autoptr(GError) keyring_error = NULL;
  g_autofree char *key = cs_keyring_lookup_key (base_url, NULL, &keyring_error);
  g_autofree char *reason = NULL;

  if (key != NULL)
    return g_steal_pointer (&key);
  if (keyring_error != NULL)
    reason = g_strdup (keyring_error->message);
  else
    reason = g_strdup_printf ("the keyring has no key for %s",
                              base_url != NULL ? base_url : CS_DEFAULT_BASE_URL);
  cli_usage_error (error, "no API key: pass --api-key KEY, set %s, store one "
                          "with \"capsolver key set\", or try --sandbox (%s)", variable, reason);
  return NULL;
}

/* The client of providers[@index], after the first of --provider: its
 * key from its own variable or the keyring, its own address (its provider's,
 * or its variable's), never the first's --api-key or --base-url; with
 * --sandbox, a sandbox of its own in its dialect. */
static CsClient *
new_fallback_client (Cli           *cli,
                     GArray        *providers,
                     guint          index,
                     GTlsDatabase  *database,
                     GError       **error)
{
  CsProvider provider = g_array_index (providers, CsProvider, index);
  g_autofree char *stored_key = NULL;
  g_auto(GStrv) base_urls = NULL;
  g_autoptr(GError) url_error = NULL;
  const char *api_key, *origin;
  CsClient *client;

  if (cli->use_sandbox)
    {
      CsSandbox *sandbox = cs_sandbox_new ();

      cs_sandbox_set_dialect (sandbox, provider);
      if (cli->fallback_sandboxes == NULL)
        cli->fallback_sandboxes = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (cli->fallback_sandboxes, sandbox);
      if (!cs_sandbox_start (sandbox, 0, error))
        return NULL;
      client = g_object_new (CS_TYPE_CLIENT, "api-key", CS_SANDBOX_DEFAULT_KEY,
                             "provider", provider,
                             "base-url", cs_sandbox_get_base_url (sandbox), NULL);
      cs_client_set_app_id (client, cli->app_id);
      return client;
    }

  base_urls = pick_base_urls (cli, providers, index, &url_error);
  if (url_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&url_error));
      return NULL;
    }
  if (base_urls == NULL && provider == CS_PROVIDER_COMPATIBLE)
    {
      compatible_needs_base_url (providers, index, error);
      return NULL;
    }
  api_key = pick_setting (NULL, "--provider", cli_key_variable (provider), &origin);
  if (api_key == NULL)
    {
      stored_key = key_from_keyring (base_urls != NULL ? base_urls[0]
                                                       : cs_provider_get_base_urls (provider)[0],
                                     cli_key_variable (provider), error);
      if (stored_key == NULL)
        return NULL;
      api_key = stored_key;
    }
  client = g_object_new (CS_TYPE_CLIENT, "api-key", api_key, "provider", provider, NULL);
  if (base_urls != NULL)
    cs_client_set_base_urls (client, (const char * const *) base_urls);
  cs_client_set_allow_insecure_http (client, cli->allow_insecure_http);
  cs_client_set_tls_database (client, database);
  cs_client_set_app_id (client, cli->app_id);
  return client;
}

/* "scheme://host:port" of @url: where a key sent to it goes. */
static char *
url_origin (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  int port;

  if (uri == NULL)
    return g_strdup (url);
  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if (port < 0)
    port = g_str_equal (scheme, "https") ? 443 : 80;
  return g_strdup_printf ("%s://%s:%d", scheme, host, port);
}

/* Refuses a chain where two providers share an address: one of them would
 * receive the other's key (a compatible service given CapSolver's address,
 * say). */
static gboolean
check_keys_apart (Cli     *cli,
                  GError **error)
{
  g_autoptr(GHashTable) owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (CsClient *client = cli->client; client != NULL; client = cs_client_get_fallback (client))
    {
      const char * const *urls = cs_client_get_base_urls (client);
      CsProvider provider = cs_client_get_provider (client);

      for (guint i = 0; urls != NULL && urls[i] != NULL; i++)
        {
          g_autofree char *origin = url_origin (urls[i]);
          gpointer owner;

          if (g_hash_table_lookup_extended (owners, origin, NULL, &owner) &&
              GPOINTER_TO_INT (owner) != (int) provider)
            return cli_usage_error (error, "--provider: %s and %s would both send their key to "
                                           "%s; give each provider its own address",
                                    cs_provider_get_name (GPOINTER_TO_INT (owner)),
                                    cs_provider_get_name (provider), origin);
          g_hash_table_insert (owners, g_steal_pointer (&origin), GINT_TO_POINTER (provider));
        }
    }
  return TRUE;
}

/* Chains a client of each provider after the first of --provider behind
 * cli->client. */
static gboolean
add_fallbacks (Cli           *cli,
               GTlsDatabase  *database,
               GError       **error)
{
  g_autoptr(GArray) providers = pick_providers (cli, error);
  CsClient *last = cli->client;

  if (providers == NULL)
    return FALSE;
  for (guint i = 1; i < providers->len; i++)
    {
      g_autoptr(CsClient) next = new_fallback_client (cli, providers, i, database, error);

      if (next == NULL)
        return FALSE;
      cs_client_set_fallback (last, next);
      last = next;
    }
  return cli->use_sandbox || check_keys_apart (cli, error);
}

/* Makes cli->client from the options, the environment and the keyring. */
gboolean
cli_setup_client (Cli     *cli,
                  GError **error)
{
  const char *api_key, *key_origin;
  g_autofree char *stored_key = NULL;
  g_autoptr(GError) url_error = NULL;
  g_auto(GStrv) base_urls = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GArray) providers = pick_providers (cli, error);
  CsProvider provider;

  if (providers == NULL)
    return FALSE;
  provider = g_array_index (providers, CsProvider, 0);
  if (cli->use_sandbox)
    {
      if (!start_local_sandbox (cli, provider, error))
        return FALSE;
      finish_client (cli);
      return add_fallbacks (cli, NULL, error);
    }

  base_urls = pick_base_urls (cli, providers, 0, &url_error);
  if (url_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&url_error));
      return FALSE;
    }
  if (base_urls == NULL && provider == CS_PROVIDER_COMPATIBLE)
    return compatible_needs_base_url (providers, 0, error);
  api_key = pick_setting (cli->api_key, "--api-key", cli_key_variable (provider), &key_origin);
  if (api_key == NULL)
    {
      g_autofree char *keyring_url = NULL;

      if (!cli_pick_base_url (cli, &keyring_url, error))
        return FALSE;
      stored_key = key_from_keyring (keyring_url, cli_key_variable (provider), error);
      if (stored_key == NULL)
        return FALSE;
      api_key = stored_key;
    }

  if (cli->ca_file != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      database = g_tls_file_database_new (cli->ca_file, &local_error);
      if (database == NULL)
        return cli_usage_error (error, "--ca-file: %s", local_error->message);
    }

  cli->client = g_object_new (CS_TYPE_CLIENT, "api-key", api_key, "provider", provider, NULL);
  /* the provider's endpoints unless given */
  cs_client_set_base_urls (cli->client, (const char * const *) base_urls);
  cs_client_set_allow_insecure_http (cli->client, cli->allow_insecure_http);
  cs_client_set_tls_database (cli->client, database);
  finish_client (cli);
  return add_fallbacks (cli, database, error);
}

void
cli_clear (Cli *cli)
{
  g_clear_object (&cli->client);
  if (cli->sandbox != NULL)
    cs_sandbox_stop (cli->sandbox);
  g_clear_object (&cli->sandbox);
  for (guint i = 0; cli->fallback_sandboxes != NULL && i < cli->fallback_sandboxes->len; i++)
    cs_sandbox_stop (g_ptr_array_index (cli->fallback_sandboxes, i));
  g_clear_pointer (&cli->fallback_sandboxes, g_ptr_array_unref);
  g_clear_pointer (&cli->api_key, g_free);
  g_clear_pointer (&cli->base_urls, g_strfreev);
  g_clear_pointer (&cli->provider_name, g_free);
  g_clear_pointer (&cli->timeout_text, g_free);
  g_clear_pointer (&cli->app_id, g_free);
  g_clear_pointer (&cli->ca_file, g_free);
}

/* "capsolver, anti-captcha, 2captcha, capmonster or compatible" */
static char *
provider_names (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (CS_TYPE_PROVIDER);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < klass->n_values; i++)
    g_string_append_printf (text, "%s%s", i == 0 ? "" : i + 1 < klass->n_values ? ", " : " or ",
                            cs_provider_get_name (klass->values[i].value));
  return g_string_free (text, FALSE);
}

gboolean
cli_parse_provider (const char  *option,
                    const char  *name,
                    CsProvider  *provider,
                    GError     **error)
{
  g_autofree char *names = NULL;
  g_autofree char *safe = NULL;

  if (cs_provider_from_name (name, provider))
    return TRUE;
  names = provider_names ();
  safe = cli_escape (name);
  return cli_usage_error (error, "%s: unknown provider \"%s\": %s (\"capsolver providers\" "
                                 "lists them)", option, safe, names);
}
