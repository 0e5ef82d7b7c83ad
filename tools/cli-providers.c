/* cli-providers.c: `capsolver providers`, the dialects the library knows
 *
 * Everything here reads the library's public description of the
 * providers (CsProvider, its nicknames, base URLs and type names): a
 * provider or a type added there is listed with no line here.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>

#include "capsolver.h"

/* The provider's names of each type it has, in the table's order. */
static void
print_provider_human (CsProvider  provider,
                      const char *nick)
{
  const char * const *urls = cs_provider_get_base_urls (provider);
  guint n_types;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);
  gboolean any = FALSE;

  printf ("%s (%s)\n", nick, cs_provider_get_display_name (provider));
  printf ("  endpoints:");
  for (guint i = 0; urls[i] != NULL; i++)
    printf (" %s", urls[i]);
  printf ("%s\n", urls[0] == NULL ? " the base URL you give (--base-url)" : "");
  printf ("  types:");
  for (guint i = 0; i < n_types; i++)
    {
      g_auto(GStrv) names = cs_task_type_dup_provider_names (types[i], provider);

      for (char **name = names; *name != NULL; name++)
        {
          printf (" %s", *name);
          any = TRUE;
        }
    }
  printf ("%s\n", any ? "" : " none");
}

static void
add_provider_json (JsonBuilder *builder,
                   CsProvider   provider,
                   const char  *nick)
{
  const char * const *urls = cs_provider_get_base_urls (provider);
  guint n_types;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, nick);
  json_builder_set_member_name (builder, "displayName");
  json_builder_add_string_value (builder, cs_provider_get_display_name (provider));
  json_builder_set_member_name (builder, "endpoints");
  json_builder_begin_array (builder);
  for (guint i = 0; urls[i] != NULL; i++)
    json_builder_add_string_value (builder, urls[i]);
  json_builder_end_array (builder);
  /* each family it has: the library's name, and the provider's */
  json_builder_set_member_name (builder, "types");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_types; i++)
    {
      g_auto(GStrv) names = cs_task_type_dup_provider_names (types[i], provider);

      if (names[0] == NULL)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "family");
      json_builder_add_string_value (builder, cs_task_type_get_name (types[i]));
      json_builder_set_member_name (builder, "types");
      json_builder_begin_array (builder);
      for (char **name = names; *name != NULL; name++)
        json_builder_add_string_value (builder, *name);
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

int
cli_command_providers (Cli   *cli,
                       int    argc,
                       char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GEnumClass) klass = g_type_class_ref (CS_TYPE_PROVIDER);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean names = FALSE;
  const GOptionEntry entries[] = {
    { "names", 0, 0, G_OPTION_ARG_NONE, &names,
      "Print the names to give --provider and --dialect, one a line", NULL },
    { NULL }
  };

  g_option_context_set_summary (context, "List the providers whose dialect of the protocol "
                                         "this version knows, their endpoints and the task "
                                         "types each has, in its own names. Checked on this "
                                         "machine: no request is sent.");
  g_option_context_set_description (context,
    "\"capsolver types --provider NAME\" gives the fields of each type.\n"
    "\"capsolver sandbox --dialect NAME\" serves a sandbox in that dialect.");
  g_option_context_add_main_entries (context, entries, NULL);
  cli_add_common_options (context, cli);
  if (!cli_parse_options (cli, context, &argc, &argv, &error))
    return cli_report_error (cli, error, NULL);
  if (argc > 1)
    {
      cli_usage_error (&error, "unexpected argument \"%s\"", argv[1]);
      return cli_report_error (cli, error, NULL);
    }

  json_builder_begin_array (builder);
  for (guint i = 0; i < klass->n_values; i++)
    {
      CsProvider provider = klass->values[i].value;
      const char *nick = cs_provider_get_name (provider);

      if (cli->json)
        add_provider_json (builder, provider, nick);
      else if (names)
        printf ("%s\n", nick);
      else
        {
          if (i > 0)
            printf ("\n");
          print_provider_human (provider, nick);
        }
    }
  json_builder_end_array (builder);
  if (cli->json)
    cli_print_builder (builder);
  return CLI_EXIT_OK;
}
