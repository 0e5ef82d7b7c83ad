/* cli-types.c: `capsolver types`, a printout of the library's task types
 *
 * Everything here reads the library's schema of task types (CsTaskType):
 * their type names, whether they need a proxy, their fields. A type added
 * to the library's table is listed, checked and sent by the command with
 * no line here.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "capsolver.h"

/* The field @name of @type: its member, or the object that holds it
 * ("metadata" for metadata.action, to be set whole with metadata:=…). */
const CsTaskField *
cli_task_type_find_field (const CsTaskType *type,
                          const char       *name)
{
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);
  gsize length = strlen (name);

  for (guint i = 0; i < n_fields; i++)
    {
      const char *member = cs_task_field_get_member (fields[i]);

      if (strncmp (member, name, length) == 0 && (member[length] == '\0' || member[length] == '.'))
        return fields[i];
    }
  return NULL;
}

/* The type name closest to @type_name, as a static string of the schema. */
static const char *
closest_type_name (const char *type_name)
{
  guint n_types;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *closest = NULL;

  for (guint i = 0; i < n_types; i++)
    {
      g_auto(GStrv) type_names = cs_task_type_dup_wire_names (types[i]);

      for (char **name = type_names; *name != NULL; name++)
        g_ptr_array_add (names, g_steal_pointer (name));
    }
  g_ptr_array_add (names, NULL);
  closest = cs_suggest_name (type_name, (const char * const *) names->pdata);
  return closest != NULL ? g_intern_string (closest) : NULL;
}

gboolean
cli_unknown_type_error (GError     **error,
                        const char  *type_name)
{
  const char *closest = closest_type_name (type_name);
  g_autofree char *safe = cli_escape (type_name);

  if (closest != NULL)
    return cli_usage_error (error, "unknown task type \"%s\": did you mean %s? "
                                   "(\"capsolver types\" lists them)", safe, closest);
  return cli_usage_error (error, "unknown task type \"%s\" (\"capsolver types\" lists them; "
                                 "--no-check sends it anyway)", safe);
}

/* --- Reading the schema ----------------------------------------------------- */

/* Whether a field is required whatever else the task has. */
static gboolean
always_required (const CsTaskField *field)
{
  return cs_task_field_is_required (field) && cs_task_field_get_required_unless (field) == NULL;
}

/* The groups of fields of which a task needs one, from the "unless" rule:
 * the fields required unless the same member is there make a group
 * (GeeTest's gt and challenge, unless captchaId), and so does a member
 * that such a rule names but that is in no group (ImageToText's images,
 * the alternative of body). Each group is a GStrv of members. */
static GPtrArray *
one_of_groups (const CsTaskType *type)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GHashTable) grouped = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);

  for (guint i = 0; i < n_fields; i++)
    {
      const char *unless = cs_task_field_get_required_unless (fields[i]);
      g_autoptr(GStrvBuilder) group = NULL;

      if (!cs_task_field_is_required (fields[i]) || unless == NULL ||
          g_ptr_array_find_with_equal_func (keys, unless, g_str_equal, NULL))
        continue;
      g_ptr_array_add (keys, (gpointer) unless);
      group = g_strv_builder_new ();
      for (guint j = i; j < n_fields; j++)
        if (g_strcmp0 (cs_task_field_get_required_unless (fields[j]), unless) == 0)
          {
            g_strv_builder_add (group, cs_task_field_get_member (fields[j]));
            g_hash_table_add (grouped, (gpointer) cs_task_field_get_member (fields[j]));
          }
      g_ptr_array_add (groups, g_strv_builder_end (group));
    }
  for (guint i = 0; i < keys->len; i++)
    if (!g_hash_table_contains (grouped, keys->pdata[i]))
      {
        char **group = g_new0 (char *, 2);

        group[0] = g_strdup (keys->pdata[i]);
        g_ptr_array_add (groups, group);
      }
  return groups;
}

/* The nick of an enumeration value: "required", "string"… */
static const char *
enum_nick (GType type,
           int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);

  return g_intern_string (g_enum_get_value (klass, value)->value_nick);
}

/* --- capsolver types ------------------------------------------------------------ */

/* --provider: the names of that provider, or -1 for the library's own. */
static int names_of = -1;

static char **
type_names (const CsTaskType *type)
{
  if (names_of < 0)
    return cs_task_type_dup_wire_names (type);
  return cs_task_type_dup_provider_names (type, (CsProvider) names_of);
}

/* The type TYPE names, in the library's names or the provider's. */
static const CsTaskType *
find_type (const char *name)
{
  const CsTaskType *type = cs_task_type_lookup (name);
  guint n_types;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);

  for (guint i = 0; type == NULL && names_of >= 0 && i < n_types; i++)
    {
      g_auto(GStrv) names = type_names (types[i]);

      for (char **n = names; *n != NULL && type == NULL; n++)
        if (g_ascii_strcasecmp (*n, name) == 0)
          type = types[i];
    }
  return type;
}

typedef enum {
  LIST_HUMAN,
  LIST_NAMES,
  LIST_JSON,
} ListForm;

typedef gboolean (*FieldFilter) (const CsTaskField *field);

static gboolean
is_optional (const CsTaskField *field)
{
  return !always_required (field);
}

static void
print_fields (const CsTaskType *type,
              const char       *label,
              FieldFilter       filter)
{
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);
  gboolean any = FALSE;

  printf ("  %s:", label);
  for (guint i = 0; i < n_fields; i++)
    if (filter (fields[i]))
      {
        printf (" %s", cs_task_field_get_member (fields[i]));
        any = TRUE;
      }
  printf ("%s\n", any ? "" : " none");
}

static gboolean
has_image (const CsTaskType *type)
{
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);

  for (guint i = 0; i < n_fields; i++)
    if (cs_task_field_is_image (fields[i]))
      return TRUE;
  return FALSE;
}

/* An argument as a shell reads it: quoted only when it must be. */
static char *
shell_word (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_./:=@%+,", *p) == NULL)
      return g_shell_quote (text);
  return g_strdup (text);
}

/* `capsolver solve` of a task with the required fields of @type, filled
 * with their examples: where a rule makes one field or another required,
 * the first. */
static void
print_example (const CsTaskType *type)
{
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);
  g_auto(GStrv) names = cs_task_type_dup_wire_names (type);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();

  printf ("  example: capsolver solve %s", names[0]);
  for (guint i = 0; i < n_fields; i++)
    {
      const char *member = cs_task_field_get_member (fields[i]);
      const char *unless = cs_task_field_get_required_unless (fields[i]);
      const char *example = cs_task_field_get_example (fields[i]);
      g_autofree char *argument = NULL;
      g_autofree char *word = NULL;

      if (!cs_task_field_is_required (fields[i]) ||
          (unless != NULL && g_ptr_array_find_with_equal_func (chosen, unless, g_str_equal, NULL)))
        continue;
      g_ptr_array_add (chosen, (gpointer) member);
      if (cs_task_field_is_image (fields[i]))
        argument = g_strconcat (member, "@=FILE", NULL);
      else
        argument = g_strconcat (member,
                                cs_task_field_get_kind (fields[i]) == CS_TASK_FIELD_KIND_STRING
                                ? "=" : ":=", example != NULL ? example : "TEXT", NULL);
      word = shell_word (argument);
      printf (" %s", word);
    }
  if (cs_task_type_get_proxy_requirement (type) == CS_PROXY_REQUIREMENT_REQUIRED)
    printf (" --proxy PROXY");
  printf ("\n");
}

static void
print_type_human (const CsTaskType *type,
                  gboolean          with_example)
{
  g_auto(GStrv) wire_names = type_names (type);
  g_autofree char *names = g_strjoinv (", ", wire_names);
  g_autoptr(GPtrArray) groups = one_of_groups (type);

  if (names_of >= 0)
    printf ("%s (%s)\n", names, cs_task_type_get_name (type));
  else
    printf ("%s\n", names);
  print_fields (type, "required", always_required);
  if (groups->len > 0)
    {
      printf ("  and one of:");
      for (guint i = 0; i < groups->len; i++)
        {
          g_autofree char *group = g_strjoinv ("+", g_ptr_array_index (groups, i));

          printf ("%s %s", i > 0 ? " |" : "", group);
        }
      printf ("\n");
    }
  print_fields (type, "optional", is_optional);
  if (has_image (type))
    print_fields (type, "images (FIELD@=FILE)", cs_task_field_is_image);
  switch (cs_task_type_get_proxy_requirement (type))
    {
    case CS_PROXY_REQUIREMENT_REQUIRED:
      printf ("  needs --proxy\n");
      break;
    case CS_PROXY_REQUIREMENT_OPTIONAL:
      printf ("  takes --proxy\n");
      break;
    case CS_PROXY_REQUIREMENT_NONE:
    default:
      break;
    }
  if (with_example)
    print_example (type);
}

static void
add_members (JsonBuilder      *builder,
             const char       *name,
             const CsTaskType *type,
             FieldFilter       filter)
{
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);

  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_fields; i++)
    if (filter (fields[i]))
      json_builder_add_string_value (builder, cs_task_field_get_member (fields[i]));
  json_builder_end_array (builder);
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_boolean_member (JsonBuilder *builder,
                    const char  *name,
                    gboolean     value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_boolean_value (builder, value);
}

static void
add_field_json (JsonBuilder       *builder,
                const CsTaskField *field)
{
  json_builder_begin_object (builder);
  add_string_member (builder, "member", cs_task_field_get_member (field));
  add_string_member (builder, "property", cs_task_field_get_property_name (field));
  add_string_member (builder, "kind", enum_nick (CS_TYPE_TASK_FIELD_KIND,
                                                 cs_task_field_get_kind (field)));
  add_boolean_member (builder, "required", cs_task_field_is_required (field));
  add_string_member (builder, "requiredUnless", cs_task_field_get_required_unless (field));
  add_boolean_member (builder, "image", cs_task_field_is_image (field));
  add_string_member (builder, "example", cs_task_field_get_example (field));
  json_builder_end_object (builder);
}

static void
add_type_json (JsonBuilder      *builder,
               const CsTaskType *type)
{
  g_auto(GStrv) names = type_names (type);
  g_autoptr(GPtrArray) groups = one_of_groups (type);
  CsProxyRequirement proxy = cs_task_type_get_proxy_requirement (type);
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);

  json_builder_begin_object (builder);
  add_string_member (builder, "name", cs_task_type_get_name (type));
  json_builder_set_member_name (builder, "types");
  json_builder_begin_array (builder);
  for (char **name = names; *name != NULL; name++)
    json_builder_add_string_value (builder, *name);
  json_builder_end_array (builder);
  add_members (builder, "required", type, always_required);
  add_members (builder, "optional", type, is_optional);
  json_builder_set_member_name (builder, "oneOf");
  json_builder_begin_array (builder);
  for (guint i = 0; i < groups->len; i++)
    {
      json_builder_begin_array (builder);
      for (char **member = g_ptr_array_index (groups, i); *member != NULL; member++)
        json_builder_add_string_value (builder, *member);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  add_string_member (builder, "proxy", enum_nick (CS_TYPE_PROXY_REQUIREMENT, proxy));
  add_boolean_member (builder, "needsProxy", proxy == CS_PROXY_REQUIREMENT_REQUIRED);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_fields; i++)
    add_field_json (builder, fields[i]);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
print_names (const CsTaskType *type,
             gboolean          fields_only)
{
  g_auto(GStrv) names = type_names (type);
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);

  if (fields_only)
    for (guint i = 0; i < n_fields; i++)
      printf ("%s\n", cs_task_field_get_member (fields[i]));
  else
    for (char **name = names; *name != NULL; name++)
      printf ("%s\n", *name);
}

static void
print_types (const CsTaskType * const *types,
             guint                     n_types,
             ListForm                  form,
             gboolean                  one)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0, shown = 0; i < n_types; i++)
    {
      g_auto(GStrv) names = type_names (types[i]);

      if (names[0] == NULL)
        continue;
      if (form == LIST_JSON)
        add_type_json (builder, types[i]);
      else if (form == LIST_HUMAN)
        {
          if (shown++ > 0)
            printf ("\n");
          print_type_human (types[i], one);
        }
      else
        print_names (types[i], one);
    }
  json_builder_end_array (builder);
  if (form == LIST_JSON)
    cli_print_builder (builder);
}

int
cli_command_types (Cli   *cli,
                   int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("[TYPE]");
  g_autoptr(GError) error = NULL;
  gboolean names = FALSE;
  CsProvider provider = CS_PROVIDER_CAPSOLVER;
  const GOptionEntry entries[] = {
    { "names", 0, 0, G_OPTION_ARG_NONE, &names,
      "Print the type names, or with TYPE its field names, one a line", NULL },
    { NULL }
  };
  guint n_types;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);
  const CsTaskType *chosen[1];

  g_option_context_set_summary (context, "List the task types this version knows, with their "
                                         "required and optional fields, or the fields of "
                                         "TYPE with an example. Checked on this machine: no "
                                         "request is sent.");
  g_option_context_set_description (context,
    "With --provider, the fields are the library's: the provider names some\n"
    "of them otherwise, as the Providers page of the documentation says.");
  g_option_context_add_main_entries (context, entries, NULL);
  cli_add_common_options (context, cli);
  if (!cli_parse_options (cli, context, &argc, &argv, &error))
    return cli_report_error (cli, error, NULL);
  if (argc > 2)
    {
      cli_usage_error (&error, "one task type only, not \"%s\"", argv[2]);
      return cli_report_error (cli, error, NULL);
    }
  /* --provider, a common option: the types NAME has, in its names */
  if (cli->provider_name != NULL)
    {
      if (!cli_parse_provider ("--provider", cli->provider_name, &provider, &error))
        return cli_report_error (cli, error, NULL);
      names_of = provider;
    }
  if (argc == 2)
    {
      chosen[0] = find_type (argv[1]);
      if (chosen[0] == NULL)
        {
          cli_unknown_type_error (&error, argv[1]);
          return cli_report_error (cli, error, NULL);
        }
      if (names_of >= 0)
        {
          g_auto(GStrv) provider_names = type_names (chosen[0]);

          if (provider_names[0] == NULL)
            {
              g_autofree char *safe = cli_escape (argv[1]);

              cli_usage_error (&error, "%s has no task of type %s (\"capsolver providers\" lists "
                                       "who has which)",
                               cs_provider_get_display_name (provider), safe);
              return cli_report_error (cli, error, NULL);
            }
        }
      types = chosen;
      n_types = 1;
    }
  print_types (types, n_types, cli->json ? LIST_JSON : names ? LIST_NAMES : LIST_HUMAN,
               argc == 2);
  return CLI_EXIT_OK;
}
