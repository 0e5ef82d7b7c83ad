/* test-task-types.c: the public schema of task types (CsTaskType)
 *
 * /task-types/every-type/NAME runs for every row of the table: it builds
 * each variant of the type from the schema alone (its class, its required
 * fields filled with their examples, a proxy where one is needed), and
 * solves it on the sandbox. A row without a class, without an example for
 * a required field, or without a sandbox answer fails there, by name.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mock-server.h"

/* A 1x1 grey PNG: the image of every image field. */
#define PNG_BASE64 \
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
#define PROXY_TEXT "http:192.0.2.10:8080:user:pass"

static CsSandbox *sandbox;

/* --- Building a task from the schema ------------------------------------- */

/* Sets @field to its example, or to the test image; FALSE if the schema
 * gives nothing to set. */
static gboolean
set_example (CsTask            *task,
             const CsTaskField *field)
{
  const char *member = cs_task_field_get_member (field);
  const char *example = cs_task_field_get_example (field);
  CsTaskFieldKind kind = cs_task_field_get_kind (field);
  g_autoptr(JsonNode) node = NULL;

  if (cs_task_field_is_image (field))
    node = json_from_string (kind == CS_TASK_FIELD_KIND_STRV ? "[\"" PNG_BASE64 "\"]"
                                                             : "\"" PNG_BASE64 "\"", NULL);
  else if (example == NULL)
    return FALSE;
  else if (kind == CS_TASK_FIELD_KIND_STRING || kind == CS_TASK_FIELD_KIND_COOKIES)
    node = json_node_init_string (json_node_alloc (), example);
  else
    node = json_from_string (example, NULL);
  if (node == NULL)
    return FALSE;
  cs_task_set_json (task, member, node);
  return TRUE;
}

/* Fills the required fields of @task: where a field is required unless
 * another is there, the first of the two. FALSE (and the test failed) if
 * the schema cannot. */
static gboolean
fill_required (CsTask           *task,
               const CsTaskType *type)
{
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);

  for (guint i = 0; i < n_fields; i++)
    {
      const char *unless = cs_task_field_get_required_unless (fields[i]);

      if (!cs_task_field_is_required (fields[i]) ||
          (unless != NULL && cs_task_get_field (task, unless) != NULL))
        continue;
      if (!set_example (task, fields[i]))
        {
          g_test_fail_printf ("%s: the required field %s has no example (or not JSON)",
                              cs_task_type_get_name (type), cs_task_field_get_member (fields[i]));
          return FALSE;
        }
    }
  return TRUE;
}

static CsClient *
sandbox_client (void)
{
  CsClient *client = cs_client_new (CS_SANDBOX_DEFAULT_KEY);

  cs_client_set_base_url (client, cs_sandbox_get_base_url (sandbox));
  cs_client_set_first_poll_delay (client, 2);
  cs_client_set_poll_interval (client, 2);
  cs_client_set_deadline (client, MOCK_WAIT_TIMEOUT * 1000);
  return client;
}

/* One variant of @type, built from the schema, solved on the sandbox. */
static void
solve_variant (const CsTaskType *type,
               gboolean          with_proxy,
               gboolean          enterprise)
{
  const char *wire_name = cs_task_type_get_wire_name (type, with_proxy, enterprise);
  g_autoptr(CsClient) client = sandbox_client ();
  g_autoptr(CsTask) task = cs_task_type_new_task (type);
  g_autoptr(CsProxy) proxy = cs_proxy_new_from_string (PROXY_TEXT, NULL);
  g_autoptr(CsSolution) solution = NULL;
  g_autoptr(GError) error = NULL;

  if (with_proxy)
    cs_task_set_proxy (task, proxy);
  if (enterprise)
    g_object_set (task, "enterprise", TRUE, NULL);
  if (!fill_required (task, type))
    return;

  /* the class picks the variant's name, and the name leads back to the type */
  g_assert_cmpstr (cs_task_get_type_name (task), ==, wire_name);
  g_assert_true (cs_task_get_task_type (task) == type);

  if (!cs_task_validate (task, &error))
    {
      g_test_fail_printf ("%s: the task of its examples is invalid: %s", wire_name,
                          error->message);
      return;
    }
  solution = cs_client_solve (client, task, NULL, &error);
  if (solution == NULL)
    {
      g_test_fail_printf ("%s: the sandbox does not solve it: %s", wire_name, error->message);
      return;
    }
  g_assert_cmpint (cs_task_get_status (task), ==, CS_TASK_STATUS_READY);
}

/* What a property of each kind holds. */
static GType
kind_value_type (CsTaskFieldKind kind)
{
  switch (kind)
    {
    case CS_TASK_FIELD_KIND_STRING:
      return G_TYPE_STRING;
    case CS_TASK_FIELD_KIND_BOOLEAN:
      return G_TYPE_BOOLEAN;
    case CS_TASK_FIELD_KIND_INT:
      return G_TYPE_INT64;
    case CS_TASK_FIELD_KIND_DOUBLE:
      return G_TYPE_DOUBLE;
    case CS_TASK_FIELD_KIND_STRV:
    case CS_TASK_FIELD_KIND_COOKIES:
      return G_TYPE_STRV;
    case CS_TASK_FIELD_KIND_OBJECT:
      return JSON_TYPE_OBJECT;
    default:
      return G_TYPE_INVALID;
    }
}

/* The typed class has a property of the right type per field. */
static gboolean
check_class (const CsTaskType *type)
{
  GType gtype = cs_task_type_get_task_gtype (type);
  g_autoptr(GTypeClass) klass = NULL;
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);

  if (!g_type_is_a (gtype, CS_TYPE_TASK) || gtype == CS_TYPE_TASK)
    {
      g_test_fail_printf ("%s has no typed class: declare one in cs-typed-tasks.[ch] and "
                          "name its _get_type in the row", cs_task_type_get_name (type));
      return FALSE;
    }
  klass = g_type_class_ref (gtype);
  for (guint i = 0; i < n_fields; i++)
    {
      const char *property = cs_task_field_get_property_name (fields[i]);
      GParamSpec *pspec = property != NULL ? g_object_class_find_property (G_OBJECT_CLASS (klass),
                                                                           property) : NULL;

      if (property == NULL)
        continue;
      g_assert_nonnull (pspec);
      g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) ==
                     kind_value_type (cs_task_field_get_kind (fields[i])));
    }
  return TRUE;
}

/* Without one of its always-required fields, a task is refused in words
 * that name the field. */
static void
check_required_fields_named (const CsTaskType *type)
{
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);
  g_autoptr(CsProxy) proxy = cs_proxy_new_from_string (PROXY_TEXT, NULL);

  for (guint i = 0; i < n_fields; i++)
    {
      const char *member = cs_task_field_get_member (fields[i]);
      g_autoptr(CsTask) task = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = NULL;

      if (!cs_task_field_is_required (fields[i]) ||
          cs_task_field_get_required_unless (fields[i]) != NULL)
        continue;
      task = cs_task_type_new_task (type);
      cs_task_set_proxy (task, proxy);
      if (!fill_required (task, type))
        return;
      cs_task_remove_field (task, member);
      g_assert_false (cs_task_validate (task, &error));
      g_assert_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA);
      expected = g_strconcat ("ERROR_INVALID_TASK_DATA: missing required field ", member, NULL);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

static void
test_every_type (gconstpointer data)
{
  const CsTaskType *type = data;

  if (!check_class (type))
    return;
  check_required_fields_named (type);
  for (int enterprise = 0; enterprise < 2; enterprise++)
    for (int with_proxy = 0; with_proxy < 2; with_proxy++)
      if (cs_task_type_get_wire_name (type, with_proxy, enterprise) != NULL)
        solve_variant (type, with_proxy, enterprise);
}

/* --- The table as data ----------------------------------------------------- */

/* The names say what the proxy requirement says, and no name is two types'. */
static void
test_names (void)
{
  guint n_types;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  g_assert_cmpuint (n_types, >=, 14);
  for (guint i = 0; i < n_types; i++)
    {
      const CsTaskType *type = types[i];
      CsProxyRequirement proxy = cs_task_type_get_proxy_requirement (type);
      g_auto(GStrv) names = cs_task_type_dup_wire_names (type);

      g_assert_true (cs_task_type_find (cs_task_type_get_name (type)) == type);
      g_assert_true ((cs_task_type_get_wire_name (type, FALSE, FALSE) != NULL) ==
                     (proxy != CS_PROXY_REQUIREMENT_REQUIRED));
      g_assert_true ((cs_task_type_get_wire_name (type, TRUE, FALSE) != NULL) ==
                     (proxy != CS_PROXY_REQUIREMENT_NONE));
      g_assert_nonnull (names[0]);
      g_assert_cmpstr (names[0], ==, cs_task_type_get_wire_name (type, FALSE, FALSE) != NULL
                                     ? cs_task_type_get_wire_name (type, FALSE, FALSE)
                                     : cs_task_type_get_wire_name (type, TRUE, FALSE));
      for (gsize j = 0; names[j] != NULL; j++)
        {
          g_autofree char *lower = g_ascii_strdown (names[j], -1);

          g_assert_false (g_hash_table_contains (seen, lower));
          g_assert_true (cs_task_type_lookup (names[j]) == type);
          g_assert_true (cs_task_type_lookup (lower) == type);
          g_hash_table_add (seen, g_steal_pointer (&lower));
        }
    }
  g_assert_null (cs_task_type_lookup ("HCaptchaTaskProxyLess"));
  g_assert_null (cs_task_type_find ("ReCaptchaV2Task"));
}

/* Each field is found by its member and its property; an "unless" names a
 * field of the same type. */
static void
test_fields (void)
{
  guint n_types;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);
  const CsTaskType *turnstile = cs_task_type_lookup ("AntiTurnstileTaskProxyLess");
  const CsTaskField *action;

  for (guint i = 0; i < n_types; i++)
    {
      guint n_fields = 0;
      const CsTaskField * const *fields = cs_task_type_get_fields (types[i], &n_fields);

      g_assert_cmpuint (n_fields, >, 0);
      for (guint j = 0; j < n_fields; j++)
        {
          const char *unless = cs_task_field_get_required_unless (fields[j]);
          const char *property = cs_task_field_get_property_name (fields[j]);

          g_assert_true (cs_task_type_lookup_field (types[i],
                                                    cs_task_field_get_member (fields[j])) ==
                         fields[j]);
          if (property != NULL)
            g_assert_true (cs_task_type_lookup_field (types[i], property) == fields[j]);
          if (unless != NULL)
            {
              g_assert_true (cs_task_field_is_required (fields[j]));
              g_assert_nonnull (cs_task_type_lookup_field (types[i], unless));
            }
          if (cs_task_field_is_image (fields[j]))
            g_assert_true (cs_task_field_get_kind (fields[j]) == CS_TASK_FIELD_KIND_STRING ||
                           cs_task_field_get_kind (fields[j]) == CS_TASK_FIELD_KIND_STRV);
        }
    }

  action = cs_task_type_lookup_field (turnstile, "metadata.action");
  g_assert_nonnull (action);
  g_assert_true (cs_task_type_lookup_field (turnstile, "action") == action);
  g_assert_cmpstr (cs_task_field_get_property_name (action), ==, "action");
  g_assert_cmpint (cs_task_field_get_kind (action), ==, CS_TASK_FIELD_KIND_STRING);
  g_assert_false (cs_task_field_is_required (action));
  g_assert_null (cs_task_type_lookup_field (turnstile, "metadata"));
  g_assert_null (cs_task_type_lookup_field (turnstile, "body"));
}

/* Static data: a copy is the same pointer, a free does nothing. */
static void
test_boxed (void)
{
  const CsTaskType *type = cs_task_type_find ("recaptcha-v2");
  guint n_fields;
  const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);
  gpointer copy = g_boxed_copy (CS_TYPE_TASK_TYPE, type);
  gpointer field_copy = g_boxed_copy (CS_TYPE_TASK_FIELD, fields[0]);

  g_assert_true (copy == type);
  g_assert_true (field_copy == fields[0]);
  g_boxed_free (CS_TYPE_TASK_TYPE, copy);
  g_boxed_free (CS_TYPE_TASK_FIELD, field_copy);
  g_assert_cmpstr (cs_task_type_get_name (type), ==, "recaptcha-v2");
  g_assert_true (cs_task_type_get_task_gtype (type) == CS_TYPE_RECAPTCHA_V2_TASK);
}

/* A task of a type name the library does not know has no type. */
static void
test_unknown (void)
{
  g_autoptr(CsTask) task = cs_task_new ("HCaptchaTaskProxyLess");
  g_autoptr(CsTask) typed = cs_recaptcha_v2_task_new ("https://example.com/", "key");

  g_assert_null (cs_task_get_task_type (task));
  g_assert_true (cs_task_get_task_type (typed) == cs_task_type_find ("recaptcha-v2"));
  cs_task_set_type_name (typed, "HCaptchaTask");
  g_assert_null (cs_task_get_task_type (typed));
}

/* The rule of every "did you mean": the command's and the Python keywords'. */
static void
test_suggest_name (void)
{
  const char * const fields[] = { "websiteURL", "websiteKey", "isInvisible", NULL };
  const char * const types[] = { "ReCaptchaV2TaskProxyLess", "GeeTestTaskProxyLess", NULL };
  const char * const none[] = { NULL };
  struct { const char *word; const char * const *candidates; const char *expected; } cases[] = {
    { "isInvisble", fields, "isInvisible" },
    { "websiteurl", fields, "websiteURL" },     /* case is not an edit */
    { "websiteKye", fields, "websiteKey" },
    { "geetest", types, "GeeTestTaskProxyLess" },   /* contained */
    { "proxy", fields, NULL },
    { "ab", types, NULL },
    { "isInvisible", none, NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *suggestion = cs_suggest_name (cases[i].word, cases[i].candidates);

      g_assert_cmpstr (suggestion, ==, cases[i].expected);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  guint n_types;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/task-types/names", test_names);
  g_test_add_func ("/task-types/fields", test_fields);
  g_test_add_func ("/task-types/boxed", test_boxed);
  g_test_add_func ("/task-types/unknown", test_unknown);
  g_test_add_func ("/task-types/suggest-name", test_suggest_name);
  for (guint i = 0; i < n_types; i++)
    {
      g_autofree char *path = g_strconcat ("/task-types/every-type/",
                                           cs_task_type_get_name (types[i]), NULL);

      g_test_add_data_func (path, types[i], test_every_type);
    }

  sandbox = cs_sandbox_new ();
  if (!cs_sandbox_start (sandbox, 0, &error))
    g_error ("the sandbox does not start: %s", error->message);
  status = g_test_run ();
  cs_sandbox_stop (sandbox);
  g_clear_object (&sandbox);
  return status;
}
