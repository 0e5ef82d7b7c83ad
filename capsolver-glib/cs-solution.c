/* cs-solution.c: the answer to a solved task
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"

/**
 * CsSolution:
 *
 * The `solution` object of a ready task. Typed getters read the fields
 * each task family returns and give %NULL (or %FALSE) when a field is
 * absent or of an unexpected type; [method@Solution.get_json] keeps
 * everything the service sent, so no field is ever lost to a change of
 * shape.
 *
 * Since: 1.0
 */

struct _CsSolution
{
  GObject     parent_instance;

  JsonObject *object;
};

G_DEFINE_FINAL_TYPE (CsSolution, cs_solution, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_JSON,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
cs_solution_finalize (GObject *object)
{
  CsSolution *self = CS_SOLUTION (object);

  g_clear_pointer (&self->object, json_object_unref);

  G_OBJECT_CLASS (cs_solution_parent_class)->finalize (object);
}

static void
cs_solution_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CsSolution *self = CS_SOLUTION (object);

  switch (prop_id)
    {
    case PROP_JSON:
      g_value_set_boxed (value, self->object);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_solution_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CsSolution *self = CS_SOLUTION (object);

  switch (prop_id)
    {
    case PROP_JSON:
      g_clear_pointer (&self->object, json_object_unref);
      self->object = g_value_dup_boxed (value);
      if (self->object == NULL)
        self->object = json_object_new ();
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_solution_class_init (CsSolutionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cs_solution_finalize;
  object_class->get_property = cs_solution_get_property;
  object_class->set_property = cs_solution_set_property;

  /**
   * CsSolution:json: (getter get_json)
   *
   * The `solution` object as the service sent it.
   *
   * Since: 1.0
   */
  properties[PROP_JSON] =
    g_param_spec_boxed ("json", NULL, NULL, JSON_TYPE_OBJECT,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_solution_init (CsSolution *self)
{
}

/**
 * cs_solution_new:
 * @object: a `solution` object
 *
 * Wraps a `solution` object. The client does this for every ready task;
 * tests and callbacks can do it for objects they received otherwise.
 *
 * Returns: (transfer full): a new #CsSolution
 *
 * Since: 1.0
 */
CsSolution *
cs_solution_new (JsonObject *object)
{
  g_return_val_if_fail (object != NULL, NULL);

  return g_object_new (CS_TYPE_SOLUTION, "json", object, NULL);
}

/**
 * cs_solution_get_json: (get-property json)
 * @solution: a #CsSolution
 *
 * Gets the `solution` object as the service sent it.
 *
 * Returns: (transfer none): the JSON object
 *
 * Since: 1.0
 */
JsonObject *
cs_solution_get_json (CsSolution *solution)
{
  g_return_val_if_fail (CS_IS_SOLUTION (solution), NULL);

  return solution->object;
}

/**
 * cs_solution_to_string:
 * @solution: a #CsSolution
 *
 * Writes the solution as JSON text.
 *
 * Returns: (transfer full): the JSON text
 *
 * Since: 1.0
 */
char *
cs_solution_to_string (CsSolution *solution)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (CS_IS_SOLUTION (solution), NULL);

  bytes = _cs_json_to_bytes (solution->object);
  data = g_bytes_get_data (bytes, &length);
  return g_strndup (data, length);
}

/**
 * cs_solution_has_field:
 * @solution: a #CsSolution
 * @field: the name of a member of the solution
 *
 * Tells whether the solution has a member, of any type.
 *
 * Returns: %TRUE if @field is present
 *
 * Since: 1.0
 */
gboolean
cs_solution_has_field (CsSolution *solution,
                       const char *field)
{
  g_return_val_if_fail (CS_IS_SOLUTION (solution), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  return json_object_has_member (solution->object, field);
}

/**
 * cs_solution_get_string:
 * @solution: a #CsSolution
 * @field: the name of a member of the solution, such as `gRecaptchaResponse`
 *
 * Gets a string member of the solution.
 *
 * Returns: (nullable): the string, or %NULL if @field is absent or not a string
 *
 * Since: 1.0
 */
const char *
cs_solution_get_string (CsSolution *solution,
                        const char *field)
{
  g_return_val_if_fail (CS_IS_SOLUTION (solution), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  return _cs_json_get_string (solution->object, field);
}

/**
 * cs_solution_get_int:
 * @solution: a #CsSolution
 * @field: the name of a member of the solution
 * @value: (out) (optional): where to store the integer
 *
 * Gets an integer member of the solution.
 *
 * Returns: %TRUE if @field is present and an integer
 *
 * Since: 1.0
 */
gboolean
cs_solution_get_int (CsSolution *solution,
                     const char *field,
                     gint64     *value)
{
  gint64 v = 0;

  g_return_val_if_fail (CS_IS_SOLUTION (solution), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if (!_cs_json_get_int (solution->object, field, &v))
    return FALSE;
  if (value != NULL)
    *value = v;
  return TRUE;
}

/**
 * cs_solution_get_double:
 * @solution: a #CsSolution
 * @field: the name of a member of the solution
 * @value: (out) (optional): where to store the number
 *
 * Gets a number member of the solution (an integer is converted).
 *
 * Returns: %TRUE if @field is present and a number
 *
 * Since: 1.0
 */
gboolean
cs_solution_get_double (CsSolution *solution,
                        const char *field,
                        double     *value)
{
  double v = 0;

  g_return_val_if_fail (CS_IS_SOLUTION (solution), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if (!_cs_json_get_double (solution->object, field, &v))
    return FALSE;
  if (value != NULL)
    *value = v;
  return TRUE;
}

/**
 * cs_solution_get_boolean:
 * @solution: a #CsSolution
 * @field: the name of a member of the solution
 * @value: (out) (optional): where to store the boolean
 *
 * Gets a boolean member of the solution.
 *
 * Returns: %TRUE if @field is present and a boolean
 *
 * Since: 1.0
 */
gboolean
cs_solution_get_boolean (CsSolution *solution,
                         const char *field,
                         gboolean   *value)
{
  gboolean v = FALSE;

  g_return_val_if_fail (CS_IS_SOLUTION (solution), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if (!_cs_json_get_boolean (solution->object, field, &v))
    return FALSE;
  if (value != NULL)
    *value = v;
  return TRUE;
}

/**
 * cs_solution_get_text:
 * @solution: a #CsSolution
 *
 * Gets the recognised text of an image task (`text`).
 *
 * Returns: (nullable): the text, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_text (CsSolution *solution)
{
  return cs_solution_get_string (solution, "text");
}

/**
 * cs_solution_get_token:
 * @solution: a #CsSolution
 *
 * Gets the token to submit to the site, whichever field carries it:
 * `gRecaptchaResponse` (reCAPTCHA), `token` (Turnstile, Cloudflare,
 * MTCaptcha) or `cookie` (AWS WAF, DataDome).
 *
 * Returns: (nullable): the token, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_token (CsSolution *solution)
{
  static const char * const token_fields[] = { "gRecaptchaResponse", "token", "cookie" };

  g_return_val_if_fail (CS_IS_SOLUTION (solution), NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (token_fields); i++)
    {
      const char *token = _cs_json_get_string (solution->object, token_fields[i]);

      if (token != NULL)
        return token;
    }
  return NULL;
}

/**
 * cs_solution_get_user_agent:
 * @solution: a #CsSolution
 *
 * Gets the user agent the token was obtained with (`userAgent`); the
 * site must be requested with the same one.
 *
 * Returns: (nullable): the user agent, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_user_agent (CsSolution *solution)
{
  return cs_solution_get_string (solution, "userAgent");
}

/* TYPED GETTERS (issue 4): the remaining getters of cs-solution.h. */
