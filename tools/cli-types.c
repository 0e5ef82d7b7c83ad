/* cli-types.c: the task types the library knows, their fields, and
 * `capsolver types`
 *
 * The library describes its task types through its typed task classes
 * only: their type names (cs_task_get_type_name() with and without a
 * proxy, and with the enterprise property), their fields (properties; the
 * JSON member each writes is found by setting it), and which fields are
 * required (cs_task_validate() on a task that lacks only that one). This
 * file reads that once and keeps it.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "capsolver.h"

/* A string the service could take for any string field, images included:
 * the first bytes of a PNG in base64. */
#define SAMPLE_TEXT "iVBORw0KGgoAAAANSUhEUg=="
#define SAMPLE_PROXY "http:192.0.2.1:8080"

static void
cli_task_type_free (CliTaskType *type)
{
  g_strfreev (type->type_names);
  g_ptr_array_unref (type->fields);
  g_ptr_array_unref (type->one_of);
  g_free (type);
}

static void
cli_field_free (CliField *field)
{
  g_free (field->name);
  g_free (field->property);
  g_free (field);
}

/* --- Reading the classes --------------------------------------------------- */

static void
set_sample (CsTask     *task,
            GParamSpec *pspec,
            gboolean    cookie_form)
{
  GType value_type = G_PARAM_SPEC_VALUE_TYPE (pspec);

  if (value_type == G_TYPE_STRING)
    g_object_set (task, pspec->name, SAMPLE_TEXT, NULL);
  else if (value_type == G_TYPE_BOOLEAN)
    g_object_set (task, pspec->name, TRUE, NULL);
  else if (value_type == G_TYPE_INT64)
    g_object_set (task, pspec->name, (gint64) 1, NULL);
  else if (value_type == G_TYPE_DOUBLE)
    g_object_set (task, pspec->name, 0.5, NULL);
  else if (value_type == G_TYPE_STRV)
    {
      /* images are base64 strings, cookies name=value ones */
      const char * const strv[] = { cookie_form ? "name=value" : SAMPLE_TEXT, NULL };

      g_object_set (task, pspec->name, strv, NULL);
    }
  else if (value_type == JSON_TYPE_OBJECT)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "name", "value");
      g_object_set (task, pspec->name, object, NULL);
    }
}

/* The member a field's property writes: "websiteURL", or "metadata.action"
 * for member action of object metadata. @cookie_form says whether the
 * property took only name=value strings. */
static char *
member_of_property (GType       gtype,
                    GParamSpec *pspec,
                    gboolean   *cookie_form)
{
  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_autoptr(CsTask) task = g_object_new (gtype, NULL);
      g_autoptr(JsonObject) json = NULL;
      JsonObjectIter iter;
      const char *member;
      JsonNode *node;

      *cookie_form = attempt == 1;
      set_sample (task, pspec, *cookie_form);
      json = cs_task_to_json (task);
      json_object_iter_init (&iter, json);
      while (json_object_iter_next (&iter, &member, &node))
        {
          JsonObject *inner;

          if (g_str_equal (member, "type"))
            continue;
          inner = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
          if (inner != NULL && G_PARAM_SPEC_VALUE_TYPE (pspec) != JSON_TYPE_OBJECT &&
              json_object_get_size (inner) == 1)
            {
              g_autoptr(GList) members = json_object_get_members (inner);

              return g_strconcat (member, ".", (char *) members->data, NULL);
            }
          return g_strdup (member);
        }
    }
  return NULL;
}

static gboolean
task_is_valid (CsTask *task)
{
  return cs_task_validate (task, NULL);
}

static void
set_field_sample (CsTask   *task,
                  CliField *field)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (task),
                                                    field->property);

  set_sample (task, pspec, field->cookie_form);
}

static void
add_proxy (CsTask *task)
{
  g_autoptr(CsProxy) proxy = cs_proxy_new_from_string (SAMPLE_PROXY, NULL);

  cs_task_set_proxy (task, proxy);
}

/* A task of @type with every field set but @skip, and a proxy if asked. */
static CsTask *
new_filled_task (CliTaskType *type,
                 CliField    *skip,
                 gboolean     with_proxy)
{
  CsTask *task = g_object_new (type->gtype, NULL);

  for (guint i = 0; i < type->fields->len; i++)
    {
      CliField *field = g_ptr_array_index (type->fields, i);

      if (field != skip)
        set_field_sample (task, field);
    }
  if (with_proxy)
    add_proxy (task);
  return task;
}

/* Whether the required fields, @a and @b (each may be NULL) make a valid
 * task of @type. */
static gboolean
completes_task (CliTaskType *type,
                CliField    *a,
                CliField    *b)
{
  g_autoptr(CsTask) task = g_object_new (type->gtype, NULL);

  for (guint i = 0; i < type->fields->len; i++)
    {
      CliField *field = g_ptr_array_index (type->fields, i);

      if (field->required || field == a || field == b)
        set_field_sample (task, field);
    }
  add_proxy (task);
  return task_is_valid (task);
}

static void
add_group (CliTaskType *type,
           CliField    *a,
           CliField    *b)
{
  char **group = g_new0 (char *, 3);

  group[0] = g_strdup (a->name);
  group[1] = b != NULL ? g_strdup (b->name) : NULL;
  g_ptr_array_add (type->one_of, group);
}

/* Some types need one of several fields (an ImageToTextTask its body or
 * its images; a GeeTestTask captchaId, or gt and challenge): the optional
 * fields, alone or in pairs, that complete the required ones. */
static void
read_one_of (CliTaskType *type)
{
  g_autoptr(GHashTable) single = g_hash_table_new (NULL, NULL);
  GPtrArray *fields = type->fields;

  if (completes_task (type, NULL, NULL))
    return;
  for (guint i = 0; i < fields->len; i++)
    if (completes_task (type, g_ptr_array_index (fields, i), NULL))
      {
        g_hash_table_add (single, g_ptr_array_index (fields, i));
        add_group (type, g_ptr_array_index (fields, i), NULL);
      }
  for (guint i = 0; i < fields->len; i++)
    for (guint j = i + 1; j < fields->len; j++)
      {
        CliField *a = g_ptr_array_index (fields, i);
        CliField *b = g_ptr_array_index (fields, j);

        if (!a->required && !b->required && !g_hash_table_contains (single, a) &&
            !g_hash_table_contains (single, b) && completes_task (type, a, b))
          add_group (type, a, b);
      }
}

static void
read_fields (CliTaskType *type)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (type->gtype);
  guint n_pspecs;
  g_autofree GParamSpec **pspecs = g_object_class_list_properties (G_OBJECT_CLASS (klass),
                                                                   &n_pspecs);

  for (guint i = 0; i < n_pspecs; i++)
    {
      CliField *field;
      gboolean cookie_form;
      char *name;

      /* the fields are the properties of the class itself, not CsTask's */
      if (pspecs[i]->owner_type != type->gtype)
        continue;
      name = member_of_property (type->gtype, pspecs[i], &cookie_form);
      if (name == NULL)
        continue;
      field = g_new0 (CliField, 1);
      field->name = name;
      field->property = g_strdup (pspecs[i]->name);
      field->value_type = G_PARAM_SPEC_VALUE_TYPE (pspecs[i]);
      field->cookie_form = cookie_form;
      g_ptr_array_add (type->fields, field);
    }

  for (guint i = 0; i < type->fields->len; i++)
    {
      CliField *field = g_ptr_array_index (type->fields, i);
      g_autoptr(CsTask) task = new_filled_task (type, field, TRUE);

      field->required = !task_is_valid (task);
    }
}

/* The type names of @type: without a proxy, with one, and enterprise. */
static void
read_names (CliTaskType *type)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  gboolean enterprise = g_object_class_find_property (g_type_class_peek (type->gtype),
                                                      "enterprise") != NULL;

  for (int variant = 0; variant < (enterprise ? 4 : 2); variant++)
    {
      g_autoptr(CsTask) task = new_filled_task (type, NULL, variant % 2 == 1);
      const char *name;

      if (variant >= 2)
        g_object_set (task, "enterprise", TRUE, NULL);
      name = cs_task_get_type_name (task);
      if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_add (names, NULL);
  type->type_names = (char **) g_ptr_array_steal (names, NULL);
}

static void
read_needs_proxy (CliTaskType *type)
{
  g_autoptr(CsTask) without = new_filled_task (type, NULL, FALSE);
  g_autoptr(CsTask) with = new_filled_task (type, NULL, TRUE);

  type->needs_proxy = !task_is_valid (without) && task_is_valid (with);
}

/* The typed task classes of the library, one per family: the library has
 * no public list of them, so a new family needs a line here. */
static GType (* const typed_task_types[]) (void) = {
  cs_image_to_text_task_get_type,
  cs_recaptcha_v2_task_get_type,
  cs_recaptcha_v3_task_get_type,
  cs_turnstile_task_get_type,
  cs_cloudflare_challenge_task_get_type,
  cs_aws_waf_task_get_type,
  cs_datadome_task_get_type,
  cs_geetest_task_get_type,
  cs_mtcaptcha_task_get_type,
  cs_friendly_captcha_task_get_type,
  cs_yandex_captcha_task_get_type,
  cs_recaptcha_classification_task_get_type,
  cs_aws_waf_classification_task_get_type,
  cs_vision_engine_task_get_type,
};

/* Every task type the library knows, read once. */
GPtrArray *
cli_task_types (void)
{
  static GPtrArray *types;

  if (types != NULL)
    return types;
  types = g_ptr_array_new_with_free_func ((GDestroyNotify) cli_task_type_free);
  for (gsize i = 0; i < G_N_ELEMENTS (typed_task_types); i++)
    {
      CliTaskType *type = g_new0 (CliTaskType, 1);

      type->gtype = typed_task_types[i] ();
      type->fields = g_ptr_array_new_with_free_func ((GDestroyNotify) cli_field_free);
      type->one_of = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      read_fields (type);
      read_one_of (type);
      read_names (type);
      read_needs_proxy (type);
      g_ptr_array_add (types, type);
    }
  return types;
}

/* The service reads type names without regard to case: so does this. */
const CliTaskType *
cli_task_type_lookup (const char *type_name)
{
  GPtrArray *types = cli_task_types ();

  for (guint i = 0; i < types->len; i++)
    {
      CliTaskType *type = g_ptr_array_index (types, i);

      for (char **name = type->type_names; *name != NULL; name++)
        if (g_ascii_strcasecmp (*name, type_name) == 0)
          return type;
    }
  return NULL;
}

/* The field @name of @type: its whole name, or the object that holds it
 * ("metadata" for metadata.action). */
const CliField *
cli_task_type_find_field (const CliTaskType *type,
                          const char        *name)
{
  for (guint i = 0; i < type->fields->len; i++)
    {
      CliField *field = g_ptr_array_index (type->fields, i);
      const char *dot = strchr (field->name, '.');

      if (g_str_equal (field->name, name) ||
          (dot != NULL && strlen (name) == (gsize) (dot - field->name) &&
           strncmp (field->name, name, dot - field->name) == 0))
        return field;
    }
  return NULL;
}

/* --- Did you mean ------------------------------------------------------------ */

/* Edits (insert, delete, replace, ignoring case) from @a to @b. */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

/* The candidate closest to @word, if it is close enough to be a typo. */
const char *
cli_closest (const char         *word,
             const char * const *candidates)
{
  const char * const *first = candidates;
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  guint limit = MAX (2, strlen (word) / 3);

  for (; *candidates != NULL; candidates++)
    {
      guint distance = edit_distance (word, *candidates);

      if (distance < best_distance)
        {
          best = *candidates;
          best_distance = distance;
        }
    }
  if (best_distance <= limit)
    return best;
  /* "geetest" for GeeTestTaskProxyLess */
  for (candidates = first; strlen (word) >= 3 && *candidates != NULL; candidates++)
    {
      g_autofree char *lower_word = g_ascii_strdown (word, -1);
      g_autofree char *lower = g_ascii_strdown (*candidates, -1);

      if (strstr (lower, lower_word) != NULL)
        return *candidates;
    }
  return NULL;
}

/* Every type name, for cli_closest(). */
static GPtrArray *
all_type_names (void)
{
  GPtrArray *types = cli_task_types ();
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < types->len; i++)
    {
      CliTaskType *type = g_ptr_array_index (types, i);

      for (char **name = type->type_names; *name != NULL; name++)
        g_ptr_array_add (names, *name);
    }
  g_ptr_array_add (names, NULL);
  return names;
}

const char *
cli_closest_type_name (const char *type_name)
{
  g_autoptr(GPtrArray) names = all_type_names ();

  return cli_closest (type_name, (const char * const *) names->pdata);
}

/* --- capsolver types ------------------------------------------------------------ */

typedef enum {
  LIST_HUMAN,
  LIST_NAMES,
  LIST_JSON,
} ListForm;

static void
print_field_names (const CliTaskType *type,
                   gboolean           required)
{
  gboolean any = FALSE;

  printf ("  %s:", required ? "required" : "optional");
  for (guint i = 0; i < type->fields->len; i++)
    {
      CliField *field = g_ptr_array_index (type->fields, i);

      if (field->required == required)
        {
          printf (" %s", field->name);
          any = TRUE;
        }
    }
  printf ("%s\n", any ? "" : " none");
}

static void
print_type_human (const CliTaskType *type)
{
  g_autofree char *names = g_strjoinv (", ", type->type_names);

  printf ("%s\n", names);
  print_field_names (type, TRUE);
  if (type->one_of->len > 0)
    {
      printf ("  and one of:");
      for (guint i = 0; i < type->one_of->len; i++)
        {
          g_autofree char *group = g_strjoinv ("+", g_ptr_array_index (type->one_of, i));

          printf ("%s %s", i > 0 ? " |" : "", group);
        }
      printf ("\n");
    }
  print_field_names (type, FALSE);
  if (type->needs_proxy)
    printf ("  needs --proxy\n");
}

static void
add_strings (JsonBuilder       *builder,
             const char        *member,
             const CliTaskType *type,
             int                required)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; i < type->fields->len; i++)
    {
      CliField *field = g_ptr_array_index (type->fields, i);

      if (field->required == required)
        json_builder_add_string_value (builder, field->name);
    }
  json_builder_end_array (builder);
}

static void
add_type_json (JsonBuilder       *builder,
               const CliTaskType *type)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "types");
  json_builder_begin_array (builder);
  for (char **name = type->type_names; *name != NULL; name++)
    json_builder_add_string_value (builder, *name);
  json_builder_end_array (builder);
  add_strings (builder, "required", type, TRUE);
  add_strings (builder, "optional", type, FALSE);
  json_builder_set_member_name (builder, "oneOf");
  json_builder_begin_array (builder);
  for (guint i = 0; i < type->one_of->len; i++)
    {
      json_builder_begin_array (builder);
      for (char **name = g_ptr_array_index (type->one_of, i); *name != NULL; name++)
        json_builder_add_string_value (builder, *name);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "needsProxy");
  json_builder_add_boolean_value (builder, type->needs_proxy);
  json_builder_end_object (builder);
}

static void
print_types (GPtrArray *types,
             ListForm   form,
             gboolean   fields_only)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < types->len; i++)
    {
      CliTaskType *type = g_ptr_array_index (types, i);

      if (form == LIST_JSON)
        add_type_json (builder, type);
      else if (form == LIST_HUMAN)
        {
          if (i > 0)
            printf ("\n");
          print_type_human (type);
        }
      else if (fields_only)
        for (guint j = 0; j < type->fields->len; j++)
          printf ("%s\n", ((CliField *) g_ptr_array_index (type->fields, j))->name);
      else
        for (char **name = type->type_names; *name != NULL; name++)
          printf ("%s\n", *name);
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
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  gboolean names = FALSE;
  const GOptionEntry entries[] = {
    { "names", 0, 0, G_OPTION_ARG_NONE, &names,
      "Print the type names, or with TYPE its field names, one a line", NULL },
    { NULL }
  };
  GPtrArray *types = cli_task_types ();

  g_option_context_set_summary (context, "List the task types this version knows, with their "
                                         "required and optional fields, or the fields of "
                                         "TYPE. Checked on this machine: no request is sent.");
  g_option_context_add_main_entries (context, entries, NULL);
  cli_add_common_options (context, cli);
  if (!cli_parse_options (cli, context, &argc, &argv, &error))
    return cli_report_error (cli, error, NULL);
  if (argc > 2)
    {
      cli_usage_error (&error, "one task type only, not \"%s\"", argv[2]);
      return cli_report_error (cli, error, NULL);
    }
  if (argc == 2)
    {
      const CliTaskType *type = cli_task_type_lookup (argv[1]);

      if (type == NULL)
        {
          cli_unknown_type_error (&error, argv[1]);
          return cli_report_error (cli, error, NULL);
        }
      g_ptr_array_add (chosen, (gpointer) type);
      types = chosen;
    }
  print_types (types, cli->json ? LIST_JSON : names ? LIST_NAMES : LIST_HUMAN, argc == 2);
  return CLI_EXIT_OK;
}

gboolean
cli_unknown_type_error (GError     **error,
                        const char  *type_name)
{
  const char *closest = cli_closest_type_name (type_name);
  g_autofree char *safe = cli_escape (type_name);

  if (closest != NULL)
    return cli_usage_error (error, "unknown task type \"%s\": did you mean %s? "
                                   "(\"capsolver types\" lists them)", safe, closest);
  return cli_usage_error (error, "unknown task type \"%s\" (\"capsolver types\" lists them; "
                                 "--no-check sends it anyway)", safe);
}
