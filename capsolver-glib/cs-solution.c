/* cs-solution.c: the answer to a solved task
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"
#include "cs-dialect.h"

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
  /* what the reply said beside the solution, where it said it */
  double      cost;           /* -1: none */
  char       *ip;
  gint64      task_create_time;
  gint64      task_end_time;
  gint64      solve_count;    /* -1: none */
  CsProvider  provider;       /* of the client that read it */
};

G_DEFINE_FINAL_TYPE (CsSolution, cs_solution, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_JSON,
  PROP_COST,
  PROP_IP,
  PROP_TASK_CREATE_TIME,
  PROP_TASK_END_TIME,
  PROP_SOLVE_COUNT,
  PROP_PROVIDER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
solution_finalize (GObject *object)
{
  CsSolution *self = CS_SOLUTION (object);

  g_clear_pointer (&self->object, json_object_unref);
  g_free (self->ip);

  G_OBJECT_CLASS (cs_solution_parent_class)->finalize (object);
}

static void
solution_get_property (GObject    *object,
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
    case PROP_COST:
      g_value_set_double (value, self->cost);
      break;
    case PROP_IP:
      g_value_set_string (value, self->ip);
      break;
    case PROP_TASK_CREATE_TIME:
      g_value_set_int64 (value, self->task_create_time);
      break;
    case PROP_TASK_END_TIME:
      g_value_set_int64 (value, self->task_end_time);
      break;
    case PROP_SOLVE_COUNT:
      g_value_set_int64 (value, self->solve_count);
      break;
    case PROP_PROVIDER:
      g_value_set_enum (value, self->provider);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
solution_set_property (GObject      *object,
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

  object_class->finalize = solution_finalize;
  object_class->get_property = solution_get_property;
  object_class->set_property = solution_set_property;

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

  /**
   * CsSolution:cost: (getter get_cost)
   *
   * What the task cost in USD, as the reply that carried the solution
   * said (`cost`, a number or a number written as text: Anti-Captcha and
   * 2Captcha send it), or -1 when it said nothing.
   *
   * Since: 1.0
   */
  properties[PROP_COST] =
    g_param_spec_double ("cost", NULL, NULL, -1, G_MAXDOUBLE, -1,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * CsSolution:ip: (getter get_ip)
   *
   * The address the provider says the task was sent from (`ip`), or
   * %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_IP] =
    g_param_spec_string ("ip", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * CsSolution:task-create-time: (getter get_task_create_time)
   *
   * When the provider created the task (the reply's `createTime`, beside
   * the solution), in Unix seconds, or 0 when the reply said nothing.
   *
   * Since: 1.0
   */
  properties[PROP_TASK_CREATE_TIME] =
    g_param_spec_int64 ("task-create-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * CsSolution:task-end-time: (getter get_task_end_time)
   *
   * When the provider solved the task (the reply's `endTime`), in Unix
   * seconds, or 0 when the reply said nothing.
   *
   * Since: 1.0
   */
  properties[PROP_TASK_END_TIME] =
    g_param_spec_int64 ("task-end-time", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * CsSolution:solve-count: (getter get_solve_count)
   *
   * How many workers solved the task (`solveCount`, a number or a number
   * written as text), or -1 when the reply said nothing.
   *
   * Since: 1.0
   */
  properties[PROP_SOLVE_COUNT] =
    g_param_spec_int64 ("solve-count", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * CsSolution:provider: (getter get_provider)
   *
   * The provider that solved the task: the [property@Client:provider] of
   * the client whose reply carried the solution, which in a chain of
   * [property@Client:fallback] clients may be another than the client
   * called. %CS_PROVIDER_CAPSOLVER for a solution made with
   * [ctor@Solution.new].
   *
   * Since: 1.0
   */
  properties[PROP_PROVIDER] =
    g_param_spec_enum ("provider", NULL, NULL, CS_TYPE_PROVIDER, CS_PROVIDER_CAPSOLVER,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_solution_init (CsSolution *self)
{
  self->cost = -1;
  self->solve_count = -1;
}

/* The fields of the reply that carried the solution, read by its dialect. */
void
_cs_solution_set_result_fields (CsSolution           *solution,
                                const CsDialectReply *fields)
{
  if ((fields->fields & CS_DIALECT_HAS_COST) != 0 && fields->cost >= 0)
    solution->cost = fields->cost;
  if ((fields->fields & CS_DIALECT_HAS_IP) != 0)
    _cs_set_str (&solution->ip, fields->ip);
  if ((fields->fields & CS_DIALECT_HAS_CREATE_TIME) != 0 && fields->create_time > 0)
    solution->task_create_time = fields->create_time;
  if ((fields->fields & CS_DIALECT_HAS_END_TIME) != 0 && fields->end_time > 0)
    solution->task_end_time = fields->end_time;
  if ((fields->fields & CS_DIALECT_HAS_SOLVE_COUNT) != 0 && fields->solve_count >= 0)
    solution->solve_count = fields->solve_count;
}

/* The provider whose reply carried the solution. */
void
_cs_solution_set_provider (CsSolution *solution,
                           CsProvider  provider)
{
  solution->provider = provider;
}

/**
 * cs_solution_get_provider: (get-property provider)
 * @solution: a [class@Solution]
 *
 * Gets the provider that solved the task (see [property@Solution:provider]).
 *
 * Returns: the provider
 *
 * Since: 1.0
 */
CsProvider
cs_solution_get_provider (CsSolution *solution)
{
  g_return_val_if_fail (CS_IS_SOLUTION (solution), CS_PROVIDER_CAPSOLVER);
  return solution->provider;
}

/**
 * cs_solution_get_cost: (get-property cost)
 * @solution: a [class@Solution]
 *
 * Gets what the task cost in USD, as the provider's reply said (see
 * [property@Solution:cost]). The client also adds it to
 * [method@Client.get_usage]'s cost.
 *
 * Returns: the cost, or -1 when the reply carried none
 *
 * Since: 1.0
 */
double
cs_solution_get_cost (CsSolution *solution)
{
  g_return_val_if_fail (CS_IS_SOLUTION (solution), -1);
  return solution->cost;
}

/**
 * cs_solution_get_ip: (get-property ip)
 * @solution: a [class@Solution]
 *
 * Gets the address the provider says the task came from.
 *
 * Returns: (nullable): the address, or %NULL when the reply carried none
 *
 * Since: 1.0
 */
const char *
cs_solution_get_ip (CsSolution *solution)
{
  g_return_val_if_fail (CS_IS_SOLUTION (solution), NULL);
  return solution->ip;
}

/**
 * cs_solution_get_task_create_time: (get-property task-create-time)
 * @solution: a [class@Solution]
 *
 * Gets when the provider created the task, from the reply's
 * `createTime` (not the solution's: see [method@Solution.get_create_time]).
 *
 * Returns: Unix seconds, or 0 when the reply carried none
 *
 * Since: 1.0
 */
gint64
cs_solution_get_task_create_time (CsSolution *solution)
{
  g_return_val_if_fail (CS_IS_SOLUTION (solution), 0);
  return solution->task_create_time;
}

/**
 * cs_solution_get_task_end_time: (get-property task-end-time)
 * @solution: a [class@Solution]
 *
 * Gets when the provider solved the task, from the reply's `endTime`.
 *
 * Returns: Unix seconds, or 0 when the reply carried none
 *
 * Since: 1.0
 */
gint64
cs_solution_get_task_end_time (CsSolution *solution)
{
  g_return_val_if_fail (CS_IS_SOLUTION (solution), 0);
  return solution->task_end_time;
}

/**
 * cs_solution_get_solve_count: (get-property solve-count)
 * @solution: a [class@Solution]
 *
 * Gets how many workers solved the task, from the reply's `solveCount`.
 *
 * Returns: the count, or -1 when the reply carried none
 *
 * Since: 1.0
 */
gint64
cs_solution_get_solve_count (CsSolution *solution)
{
  g_return_val_if_fail (CS_IS_SOLUTION (solution), -1);
  return solution->solve_count;
}

/**
 * cs_solution_new:
 * @object: a `solution` object
 *
 * Wraps a `solution` object. The client does this for every ready task;
 * tests and callbacks can do it for objects they received otherwise.
 *
 * Returns: (transfer full): a new [class@Solution]
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
 * @solution: a [class@Solution]
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
 * @solution: a [class@Solution]
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
 * @solution: a [class@Solution]
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
 * @solution: a [class@Solution]
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
 * @solution: a [class@Solution]
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
 * @solution: a [class@Solution]
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
 * @solution: a [class@Solution]
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
 * @solution: a [class@Solution]
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
 * @solution: a [class@Solution]
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
 * @solution: a [class@Solution]
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

/**
 * cs_solution_get_sec_ch_ua:
 * @solution: a [class@Solution]
 *
 * Gets the `Sec-CH-UA` header value the token was obtained with
 * (`secChUa`).
 *
 * Returns: (nullable): the header value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_sec_ch_ua (CsSolution *solution)
{
  return cs_solution_get_string (solution, "secChUa");
}

/**
 * cs_solution_get_cookie:
 * @solution: a [class@Solution]
 *
 * Gets the `cookie` member: the `aws-waf-token` of an AWS WAF task, the
 * `datadome` cookie of a DataDome task.
 *
 * Returns: (nullable): the cookie, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_cookie (CsSolution *solution)
{
  return cs_solution_get_string (solution, "cookie");
}

/**
 * cs_solution_get_recaptcha_ca_t:
 * @solution: a [class@Solution]
 *
 * Gets the `recaptcha-ca-t` value a reCAPTCHA task returns in session mode.
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_recaptcha_ca_t (CsSolution *solution)
{
  return cs_solution_get_string (solution, "recaptcha-ca-t");
}

/**
 * cs_solution_get_recaptcha_ca_e:
 * @solution: a [class@Solution]
 *
 * Gets the `recaptcha-ca-e` value a reCAPTCHA task returns when the site
 * needs it.
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_recaptcha_ca_e (CsSolution *solution)
{
  return cs_solution_get_string (solution, "recaptcha-ca-e");
}

/**
 * cs_solution_get_classification_type:
 * @solution: a [class@Solution]
 *
 * Gets the `type` member: `multi` for a reCAPTCHA grid, `single` for one
 * tile (and `turnstile` for a Turnstile token).
 *
 * Returns: (nullable): the type, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_classification_type (CsSolution *solution)
{
  return cs_solution_get_string (solution, "type");
}

/* Milliseconds or seconds, as the service sent it; 0 when absent. */
static gint64
get_time (CsSolution *solution,
          const char *field)
{
  gint64 value = 0;

  return cs_solution_get_int (solution, field, &value) ? value : 0;
}

/**
 * cs_solution_get_expire_time:
 * @solution: a [class@Solution]
 *
 * Gets when the token expires (`expireTime`), a Unix time in the unit the
 * service sent.
 *
 * Returns: the time, or 0 when the solution has none
 *
 * Since: 1.0
 */
gint64
cs_solution_get_expire_time (CsSolution *solution)
{
  return get_time (solution, "expireTime");
}

/**
 * cs_solution_get_create_time:
 * @solution: a [class@Solution]
 *
 * Gets when the token was made (`createTime`), a Unix time in
 * milliseconds.
 *
 * Returns: the time, or 0 when the solution has none
 *
 * Since: 1.0
 */
gint64
cs_solution_get_create_time (CsSolution *solution)
{
  return get_time (solution, "createTime");
}

/**
 * cs_solution_get_answers:
 * @solution: a [class@Solution]
 *
 * Gets the answers of an `ImageToTextTask` sent with several images
 * (`answers`), one per image, numbers written as text.
 *
 * Returns: (transfer full) (array zero-terminated=1) (element-type utf8) (nullable):
 *   the answers, or %NULL when the solution has none
 *
 * Since: 1.0
 */
GStrv
cs_solution_get_answers (CsSolution *solution)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  JsonArray *answers;

  g_return_val_if_fail (CS_IS_SOLUTION (solution), NULL);

  answers = _cs_json_get_array (solution->object, "answers");
  if (answers == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < json_array_get_length (answers); i++)
    {
      g_autofree char *answer = _cs_json_dup_scalar (json_array_get_element (answers, i));

      if (answer != NULL)
        g_strv_builder_add (builder, answer);
    }
  return g_strv_builder_end (builder);
}

static void
insert_cookie (const char *name,
               const char *value,
               gpointer    user_data)
{
  g_hash_table_replace (user_data, g_strdup (name), g_strdup (value));
}

/**
 * cs_solution_get_cookies:
 * @solution: a [class@Solution]
 *
 * Gets the `cookies` member as a map from cookie name to value, whichever
 * form the service sent: an object (`{"cf_clearance": "…"}`), a string
 * (`"a=1; b=2"`) or an array of `{"name": …, "value": …}` objects.
 *
 * Returns: (transfer full) (element-type utf8 utf8) (nullable): the
 *   cookies, or %NULL when the solution has no `cookies` member
 *
 * Since: 1.0
 */
GHashTable *
cs_solution_get_cookies (CsSolution *solution)
{
  GHashTable *cookies;

  g_return_val_if_fail (CS_IS_SOLUTION (solution), NULL);

  if (!json_object_has_member (solution->object, "cookies"))
    return NULL;
  cookies = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  _cs_cookies_foreach (json_object_get_member (solution->object, "cookies"),
                       insert_cookie, cookies);
  return cookies;
}

/* Appends what one array element holds to values; elements of another
 * shape are left out. */
typedef void (*ReadElementFunc) (JsonNode *element,
                                 GArray   *values);

/* Reads an array member into a C array of what read_element appends.
 * NULL means absent; an empty answer is an empty (zero-terminated) array. */
static gpointer
read_array (CsSolution      *solution,
            const char      *member,
            guint            element_size,
            ReadElementFunc  read_element,
            gsize           *n_values)
{
  GArray *values;
  JsonArray *array;

  g_return_val_if_fail (CS_IS_SOLUTION (solution), NULL);
  g_return_val_if_fail (n_values != NULL, NULL);

  *n_values = 0;
  array = _cs_json_get_array (solution->object, member);
  if (array == NULL)
    return NULL;
  values = g_array_new (TRUE, FALSE, element_size);
  for (guint i = 0; i < json_array_get_length (array); i++)
    read_element (json_array_get_element (array, i), values);
  *n_values = values->len;
  return g_array_free (values, FALSE);
}

static void
read_index (JsonNode *element,
            GArray   *values)
{
  gint64 number;
  int index;

  if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_INT64)
    return;
  number = json_node_get_int (element);
  if (number < 0 || number > G_MAXINT)
    return;
  index = number;
  g_array_append_val (values, index);
}

static void
read_number (JsonNode *element,
             GArray   *values)
{
  GType type = JSON_NODE_HOLDS_VALUE (element) ? json_node_get_value_type (element)
                                               : G_TYPE_INVALID;
  double value;

  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return;
  value = json_node_get_double (element);
  g_array_append_val (values, value);
}

/* {"x1", "y1", "x2", "y2"}: four numbers, or nothing if one is missing. */
static void
read_rect (JsonNode *element,
           GArray   *values)
{
  static const char * const corners[] = { "x1", "y1", "x2", "y2" };
  JsonObject *rect = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
  double coordinates[G_N_ELEMENTS (corners)];

  for (gsize i = 0; i < G_N_ELEMENTS (corners); i++)
    if (!_cs_json_get_double (rect, corners[i], &coordinates[i]))
      return;
  g_array_append_vals (values, coordinates, G_N_ELEMENTS (corners));
}

/**
 * cs_solution_get_objects:
 * @solution: a [class@Solution]
 * @n_objects: (out): where to store the number of indices
 *
 * Gets the indices of the grid tiles that show the object asked for
 * (`objects`), counted from 0, of a reCAPTCHA or AWS WAF classification.
 * An empty array means no tile does.
 *
 * Returns: (transfer full) (array length=n_objects) (nullable): the
 *   indices, or %NULL when the solution has none
 *
 * Since: 1.0
 */
int *
cs_solution_get_objects (CsSolution *solution,
                         gsize      *n_objects)
{
  return read_array (solution, "objects", sizeof (int), read_index, n_objects);
}

/**
 * cs_solution_get_has_object:
 * @solution: a [class@Solution]
 *
 * Tells whether the single tile of a reCAPTCHA classification shows the
 * object asked for (`hasObject`).
 *
 * Returns: %TRUE if it does; %FALSE if it does not or the solution does
 *   not say
 *
 * Since: 1.0
 */
gboolean
cs_solution_get_has_object (CsSolution *solution)
{
  gboolean has_object = FALSE;

  return cs_solution_get_boolean (solution, "hasObject", &has_object) && has_object;
}

/**
 * cs_solution_get_size:
 * @solution: a [class@Solution]
 *
 * Gets the grid size of a reCAPTCHA classification (`size`): 3 or 4 for a
 * grid, 1 for a single tile.
 *
 * Returns: the size, or 0 when the solution has none
 *
 * Since: 1.0
 */
guint
cs_solution_get_size (CsSolution *solution)
{
  gint64 size = 0;

  if (!cs_solution_get_int (solution, "size", &size) || size < 0 || size > G_MAXUINT)
    return 0;
  return size;
}

/**
 * cs_solution_get_box:
 * @solution: a [class@Solution]
 * @n_values: (out): where to store the number of coordinates
 *
 * Gets the `box` member: the `[x, y]` point to click of an AWS WAF
 * classification, or the `[x1, y1, x2, y2]` box of a VisionEngine task.
 *
 * Returns: (transfer full) (array length=n_values) (nullable): the
 *   coordinates, or %NULL when the solution has none
 *
 * Since: 1.0
 */
double *
cs_solution_get_box (CsSolution *solution,
                     gsize      *n_values)
{
  return read_array (solution, "box", sizeof (double), read_number, n_values);
}

/**
 * cs_solution_get_rects:
 * @solution: a [class@Solution]
 * @n_values: (out): where to store the number of coordinates, four per
 *   rectangle
 *
 * Gets the rectangles of a VisionEngine `shein` answer (`rects`, objects
 * with `x1`, `y1`, `x2` and `y2`), flattened: `x1, y1, x2, y2` of the
 * first rectangle, then of the second, and so on. A rectangle missing a
 * coordinate is left out.
 *
 * Returns: (transfer full) (array length=n_values) (nullable): the
 *   coordinates, or %NULL when the solution has none
 *
 * Since: 1.0
 */
double *
cs_solution_get_rects (CsSolution *solution,
                       gsize      *n_values)
{
  return read_array (solution, "rects", sizeof (double), read_rect, n_values);
}

/**
 * cs_solution_get_distance:
 * @solution: a [class@Solution]
 * @distance: (out) (optional): where to store the distance
 *
 * Gets the `distance` member: how far to move a slider, in pixels
 * (VisionEngine `slider_1`, AWS WAF `bifurcatedzoo` questions).
 *
 * Returns: %TRUE if the solution has a distance
 *
 * Since: 1.0
 */
gboolean
cs_solution_get_distance (CsSolution *solution,
                          double     *distance)
{
  return cs_solution_get_double (solution, "distance", distance);
}

/**
 * cs_solution_get_angle:
 * @solution: a [class@Solution]
 * @angle: (out) (optional): where to store the angle
 *
 * Gets the `angle` member: how far to turn a rotation puzzle, in degrees
 * (VisionEngine `rotate_1` and `rotate_2`).
 *
 * Returns: %TRUE if the solution has an angle
 *
 * Since: 1.0
 */
gboolean
cs_solution_get_angle (CsSolution *solution,
                       double     *angle)
{
  return cs_solution_get_double (solution, "angle", angle);
}

/**
 * cs_solution_get_geetest_challenge:
 * @solution: a [class@Solution]
 *
 * Gets the `challenge` of a GeeTest version 3 answer.
 *
 * Returns: (nullable): the challenge, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_geetest_challenge (CsSolution *solution)
{
  return cs_solution_get_string (solution, "challenge");
}

/**
 * cs_solution_get_geetest_validate:
 * @solution: a [class@Solution]
 *
 * Gets the `validate` of a GeeTest version 3 answer.
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_geetest_validate (CsSolution *solution)
{
  return cs_solution_get_string (solution, "validate");
}

/**
 * cs_solution_get_geetest_seccode:
 * @solution: a [class@Solution]
 *
 * Gets the `seccode` of a GeeTest version 3 answer, when the service sends
 * one (usually `validate` followed by `|jordan`).
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_geetest_seccode (CsSolution *solution)
{
  return cs_solution_get_string (solution, "seccode");
}

/**
 * cs_solution_get_geetest_captcha_id:
 * @solution: a [class@Solution]
 *
 * Gets the `captcha_id` of a GeeTest version 4 answer.
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_geetest_captcha_id (CsSolution *solution)
{
  return cs_solution_get_string (solution, "captcha_id");
}

/**
 * cs_solution_get_geetest_captcha_output:
 * @solution: a [class@Solution]
 *
 * Gets the `captcha_output` of a GeeTest version 4 answer.
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_geetest_captcha_output (CsSolution *solution)
{
  return cs_solution_get_string (solution, "captcha_output");
}

/**
 * cs_solution_get_geetest_gen_time:
 * @solution: a [class@Solution]
 *
 * Gets the `gen_time` of a GeeTest version 4 answer, a Unix time written
 * as text, as GeeTest wants it back.
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_geetest_gen_time (CsSolution *solution)
{
  return cs_solution_get_string (solution, "gen_time");
}

/**
 * cs_solution_get_geetest_lot_number:
 * @solution: a [class@Solution]
 *
 * Gets the `lot_number` of a GeeTest version 4 answer.
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_geetest_lot_number (CsSolution *solution)
{
  return cs_solution_get_string (solution, "lot_number");
}

/**
 * cs_solution_get_geetest_pass_token:
 * @solution: a [class@Solution]
 *
 * Gets the `pass_token` of a GeeTest version 4 answer.
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_geetest_pass_token (CsSolution *solution)
{
  return cs_solution_get_string (solution, "pass_token");
}

/**
 * cs_solution_get_geetest_risk_type:
 * @solution: a [class@Solution]
 *
 * Gets the `risk_type` of a GeeTest version 4 answer, such as `slide`.
 *
 * Returns: (nullable): the value, or %NULL
 *
 * Since: 1.0
 */
const char *
cs_solution_get_geetest_risk_type (CsSolution *solution)
{
  return cs_solution_get_string (solution, "risk_type");
}
