/* cs-task-type.c: the public, read-only view of the table of task types
 *
 * A CsTaskType is a row of the table in cs-task-family.c and a CsTaskField
 * one of its fields: static data, so both are boxed types whose copy
 * returns the same pointer and whose free does nothing.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-private.h"

/**
 * CsTaskType:
 *
 * A task type the library knows: a family of `task.type` names that share
 * their fields, such as `recaptcha-v2` for `ReCaptchaV2TaskProxyLess`,
 * `ReCaptchaV2Task` and their Enterprise variants.
 *
 * The task types are static data, the same table the typed tasks, the
 * validation of [method@Task.validate], the sandbox and the `capsolver`
 * command read: [func@TaskType.get_all] lists them,
 * [func@TaskType.lookup] finds the one of a type name and
 * [method@Task.get_task_type] the one of a task. Each has a name, its type
 * names with and without a proxy ([method@TaskType.get_wire_name]),
 * whether it needs a proxy, its typed class, and its fields
 * ([method@TaskType.get_fields]), each a [struct@TaskField].
 *
 * A type is identified by its name; its type names are the service's
 * spelling. Nothing in a type changes while the program runs: the pointers
 * stay valid for its whole life, copying a type returns the same pointer
 * and freeing it does nothing, so it can be kept and compared freely.
 *
 * A program can build a form for any type from this data alone:
 *
 * ```c
 * const CsTaskType *type = cs_task_type_lookup ("AntiTurnstileTaskProxyLess");
 * guint n_fields;
 * const CsTaskField * const *fields = cs_task_type_get_fields (type, &n_fields);
 *
 * for (guint i = 0; i < n_fields; i++)
 *   g_print ("%s%s\n", cs_task_field_get_member (fields[i]),
 *            cs_task_field_is_required (fields[i]) ? " (required)" : "");
 * ```
 *
 * Since: 1.0
 */

/**
 * CsTaskField:
 *
 * A field of a [struct@TaskType]: the member of the `task` object it
 * fills (`websiteURL`, or `metadata.action` for member `action` of object
 * `metadata`), the property of the typed task that holds it, what it holds,
 * whether it is required, and an example value.
 *
 * Like task types, fields are static data: copying one returns the same
 * pointer and freeing it does nothing.
 *
 * Since: 1.0
 */

static gpointer
static_copy (gpointer data)
{
  return data;
}

static void
static_free (gpointer data)
{
}

G_DEFINE_BOXED_TYPE (CsTaskType, cs_task_type, static_copy, static_free)
G_DEFINE_BOXED_TYPE (CsTaskField, cs_task_field, static_copy, static_free)

/* --- The types ------------------------------------------------------------- */

/**
 * cs_task_type_get_all:
 * @n_types: (out): the number of types
 *
 * Lists every task type the library knows.
 *
 * Returns: (array length=n_types) (transfer none): the task types
 *
 * Since: 1.0
 */
const CsTaskType * const *
cs_task_type_get_all (guint *n_types)
{
  g_return_val_if_fail (n_types != NULL, NULL);

  return _cs_task_family_get_all (n_types);
}

/**
 * cs_task_type_find:
 * @name: the name of a task type, such as `recaptcha-v2`
 *
 * Finds a task type by its name (see [method@TaskType.get_name]).
 *
 * Returns: (transfer none) (nullable): the task type, or %NULL if the
 *   library knows none of that name
 *
 * Since: 1.0
 */
const CsTaskType *
cs_task_type_find (const char *name)
{
  const CsTaskFamily * const *families;
  guint n_families;

  g_return_val_if_fail (name != NULL, NULL);

  families = _cs_task_family_get_all (&n_families);
  for (guint i = 0; i < n_families; i++)
    if (strcmp (families[i]->name, name) == 0)
      return families[i];
  return NULL;
}

/**
 * cs_task_type_lookup:
 * @wire_name: a `task.type` name, such as `ReCaptchaV2TaskProxyLess`
 *
 * Finds the task type of a type name as the service reads it: any of its
 * type names, in any case (`GeetestTaskProxyless` is a
 * `GeeTestTaskProxyLess`).
 *
 * Returns: (transfer none) (nullable): the task type, or %NULL if the
 *   library does not know the name
 *
 * Since: 1.0
 */
const CsTaskType *
cs_task_type_lookup (const char *wire_name)
{
  g_return_val_if_fail (wire_name != NULL, NULL);

  return _cs_task_family_lookup (wire_name, NULL);
}

/**
 * cs_task_get_task_type:
 * @task: a [class@Task]
 *
 * Gets the task type of the type name @task sends (see
 * [method@Task.get_type_name]).
 *
 * Returns: (transfer none) (nullable): the task type, or %NULL for a type
 *   name the library does not know
 *
 * Since: 1.0
 */
const CsTaskType *
cs_task_get_task_type (CsTask *task)
{
  g_return_val_if_fail (CS_IS_TASK (task), NULL);

  return _cs_task_family_lookup (cs_task_get_type_name (task), NULL);
}

/**
 * cs_task_type_get_name:
 * @type: a [struct@TaskType]
 *
 * Gets the name of the type: the family of its type names, lower case
 * with dashes, such as `recaptcha-v2` or `image-to-text`. It names the
 * type whatever a service calls it.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
cs_task_type_get_name (const CsTaskType *type)
{
  g_return_val_if_fail (type != NULL, NULL);

  return type->name;
}

/**
 * cs_task_type_get_wire_name:
 * @type: a [struct@TaskType]
 * @with_proxy: the variant solved through your proxy
 * @enterprise: the reCAPTCHA Enterprise variant
 *
 * Gets the `task.type` of one variant of the type: with a proxy or
 * without, Enterprise or not. A type that never takes a proxy has only
 * the variant without one, a type that needs a proxy only the one with.
 *
 * Returns: (nullable): the type name, or %NULL if the type has no such
 *   variant
 *
 * Since: 1.0
 */
const char *
cs_task_type_get_wire_name (const CsTaskType *type,
                            gboolean          with_proxy,
                            gboolean          enterprise)
{
  const CsTaskSpelling *names;

  g_return_val_if_fail (type != NULL, NULL);

  names = &type->spelling;
  if (enterprise)
    return with_proxy ? names->enterprise_proxy : names->enterprise_proxyless;
  return with_proxy ? names->proxy : names->proxyless;
}

/**
 * cs_task_type_dup_wire_names:
 * @type: a [struct@TaskType]
 *
 * Gets every type name of the type: without a proxy, with one, then the
 * Enterprise ones, as far as the type has them. The first is the one a
 * typed task sends when no proxy is set.
 *
 * Returns: (transfer full) (array zero-terminated=1): the type names
 *
 * Since: 1.0
 */
char **
cs_task_type_dup_wire_names (const CsTaskType *type)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (type != NULL, NULL);

  builder = g_strv_builder_new ();
  for (int enterprise = 0; enterprise < 2; enterprise++)
    for (int with_proxy = 0; with_proxy < 2; with_proxy++)
      {
        const char *name = cs_task_type_get_wire_name (type, with_proxy, enterprise);

        if (name != NULL)
          g_strv_builder_add (builder, name);
      }
  return g_strv_builder_end (builder);
}

/**
 * cs_task_type_get_proxy_requirement:
 * @type: a [struct@TaskType]
 *
 * Gets whether tasks of the type are solved through a proxy: never, when
 * one is set, or always (then [method@Task.validate] refuses a task
 * without one).
 *
 * Returns: the proxy requirement
 *
 * Since: 1.0
 */
CsProxyRequirement
cs_task_type_get_proxy_requirement (const CsTaskType *type)
{
  g_return_val_if_fail (type != NULL, CS_PROXY_REQUIREMENT_NONE);

  return type->proxy;
}

/**
 * cs_task_type_get_task_gtype:
 * @type: a [struct@TaskType]
 *
 * Gets the typed task class of the type, such as
 * `CS_TYPE_RECAPTCHA_V2_TASK`: its properties are the fields of the type.
 *
 * Returns: the [alias@GObject.Type] of the class, a subclass of [class@Task]
 *
 * Since: 1.0
 */
GType
cs_task_type_get_task_gtype (const CsTaskType *type)
{
  g_return_val_if_fail (type != NULL, G_TYPE_INVALID);

  return type->get_type != NULL ? type->get_type () : G_TYPE_INVALID;
}

/**
 * cs_task_type_new_task:
 * @type: a [struct@TaskType]
 *
 * Creates a task of the type, an instance of its typed class with no
 * field set. Its fields can then be set by their properties or, with the
 * generic setters such as [method@Task.set_string], by their members.
 *
 * Returns: (transfer full): a new task
 *
 * Since: 1.0
 */
CsTask *
cs_task_type_new_task (const CsTaskType *type)
{
  GType gtype;

  g_return_val_if_fail (type != NULL, NULL);

  gtype = cs_task_type_get_task_gtype (type);
  g_return_val_if_fail (g_type_is_a (gtype, CS_TYPE_TASK), NULL);
  return g_object_new (gtype, NULL);
}

/**
 * cs_task_type_get_fields:
 * @type: a [struct@TaskType]
 * @n_fields: (out): the number of fields
 *
 * Lists the fields of the type, in the order the service documents them.
 *
 * Returns: (array length=n_fields) (transfer none): the fields
 *
 * Since: 1.0
 */
const CsTaskField * const *
cs_task_type_get_fields (const CsTaskType *type,
                         guint            *n_fields)
{
  guint n = 0;

  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (n_fields != NULL, NULL);

  while (type->fields[n] != NULL)
    n++;
  *n_fields = n;
  return type->fields;
}

/**
 * cs_task_type_lookup_field:
 * @type: a [struct@TaskType]
 * @name: the member of a field, such as `metadata.action`, or the name of
 *   its property, such as `action`
 *
 * Finds a field of the type by its member or by its property.
 *
 * Returns: (transfer none) (nullable): the field, or %NULL if the type has
 *   none of that name
 *
 * Since: 1.0
 */
const CsTaskField *
cs_task_type_lookup_field (const CsTaskType *type,
                           const char       *name)
{
  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  for (const CsTaskField * const *field = type->fields; *field != NULL; field++)
    if (strcmp ((*field)->member, name) == 0 || g_strcmp0 ((*field)->property, name) == 0)
      return *field;
  return NULL;
}

/* --- The fields ----------------------------------------------------------- */

/**
 * cs_task_field_get_member:
 * @field: a [struct@TaskField]
 *
 * Gets the member of the `task` object that the field fills, as the
 * generic setters such as [method@Task.set_string] take it: `websiteURL`,
 * or `metadata.action` for member `action` of the object `metadata`.
 *
 * Returns: the member
 *
 * Since: 1.0
 */
const char *
cs_task_field_get_member (const CsTaskField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return field->member;
}

/**
 * cs_task_field_get_property_name:
 * @field: a [struct@TaskField]
 *
 * Gets the name of the property of the typed task that holds the field,
 * such as `website-url`.
 *
 * Returns: (nullable): the property name, or %NULL if the field is set
 *   through the generic setters only
 *
 * Since: 1.0
 */
const char *
cs_task_field_get_property_name (const CsTaskField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return field->property;
}

/**
 * cs_task_field_get_kind:
 * @field: a [struct@TaskField]
 *
 * Gets what the field holds.
 *
 * Returns: the kind of the field
 *
 * Since: 1.0
 */
CsTaskFieldKind
cs_task_field_get_kind (const CsTaskField *field)
{
  g_return_val_if_fail (field != NULL, CS_TASK_FIELD_KIND_STRING);

  return field->kind;
}

/**
 * cs_task_field_is_required:
 * @field: a [struct@TaskField]
 *
 * Gets whether a task must have the field: [method@Task.validate] refuses
 * one without it, unless the task has the member
 * [method@TaskField.get_required_unless] names.
 *
 * Returns: %TRUE if the field is required
 *
 * Since: 1.0
 */
gboolean
cs_task_field_is_required (const CsTaskField *field)
{
  g_return_val_if_fail (field != NULL, FALSE);

  return (field->flags & CS_FIELD_REQUIRED) != 0;
}

/**
 * cs_task_field_get_required_unless:
 * @field: a [struct@TaskField]
 *
 * Gets the member whose presence makes a required field optional: a
 * GeeTest task needs `gt` and `challenge` unless it has `captchaId`, and
 * `captchaId` unless it has `gt`.
 *
 * Returns: (nullable): the member, or %NULL if the field is required
 *   without exception, or optional
 *
 * Since: 1.0
 */
const char *
cs_task_field_get_required_unless (const CsTaskField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return field->unless;
}

/**
 * cs_task_field_is_image:
 * @field: a [struct@TaskField]
 *
 * Gets whether the field holds an image (or, for a
 * %CS_TASK_FIELD_KIND_STRV field, images): a PNG, JPEG, GIF or WebP file
 * in base64, as [method@Task.set_image] writes it.
 *
 * Returns: %TRUE if the field holds images
 *
 * Since: 1.0
 */
gboolean
cs_task_field_is_image (const CsTaskField *field)
{
  g_return_val_if_fail (field != NULL, FALSE);

  return (field->flags & CS_FIELD_IMAGE) != 0;
}

/**
 * cs_task_field_get_example:
 * @field: a [struct@TaskField]
 *
 * Gets an example value of the field, as a user would type it: the text
 * of a string or cookies field (`https://example.com/login`,
 * `name=value`), the JSON of the other kinds (`true`, `0.7`). A form can
 * show it as a placeholder; the required fields of every type, filled
 * with their examples (and an image for an image field), make a task the
 * sandbox solves.
 *
 * Returns: (nullable): the example, or %NULL if the table gives none (as
 *   for images, which are files)
 *
 * Since: 1.0
 */
const char *
cs_task_field_get_example (const CsTaskField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return field->example;
}

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

/**
 * cs_suggest_name:
 * @word: a name that is none of @candidates, such as a misspelt field
 * @candidates: (array zero-terminated=1): the names @word may have meant
 *
 * Finds the candidate a misspelt @word most probably meant, for a "did you
 * mean" message: the closest by edit distance, ignoring case, when it is at
 * most a third of the length of @word (and at least 2) edits away; else the
 * first that contains @word, ignoring case, when @word has 3 characters or
 * more (`geetest` for `GeeTestTaskProxyLess`). The `capsolver` command and
 * the Python keywords of the typed tasks suggest by this rule.
 *
 * Returns: (transfer full) (nullable): a copy of the candidate, or %NULL
 *   when none is close enough
 *
 * Since: 1.0
 */
char *
cs_suggest_name (const char         *word,
                 const char * const *candidates)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;
  guint limit;

  g_return_val_if_fail (word != NULL, NULL);
  g_return_val_if_fail (candidates != NULL, NULL);

  limit = MAX (2, strlen (word) / 3);
  for (const char * const *candidate = candidates; *candidate != NULL; candidate++)
    {
      guint distance = edit_distance (word, *candidate);

      if (distance < best_distance)
        {
          best = *candidate;
          best_distance = distance;
        }
    }
  if (best_distance <= limit)
    return g_strdup (best);
  if (strlen (word) >= 3)
    {
      g_autofree char *lower_word = g_ascii_strdown (word, -1);

      for (const char * const *candidate = candidates; *candidate != NULL; candidate++)
        {
          g_autofree char *lower = g_ascii_strdown (*candidate, -1);

          if (strstr (lower, lower_word) != NULL)
            return g_strdup (*candidate);
        }
    }
  return NULL;
}
