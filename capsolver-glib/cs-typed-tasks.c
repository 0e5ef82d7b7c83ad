/* cs-typed-tasks.c: the catalogue of typed tasks
 *
 * Every typed task is a row of the table of task types (cs-task-family.c),
 * which names its class, and a class declaration here. One mechanism
 * serves them all: class_init installs a property per field of the row,
 * and the properties are views over the task's fields written through the
 * task's one writer, so what a property holds is exactly what
 * cs_task_to_json() sends, an unset property sends nothing, and setting a
 * field with the generic setters notifies its property.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-private.h"
#include "cs-typed-tasks.h"

/* The instance of every typed task starts with this. */
typedef struct {
  CsTask   parent_instance;
  gboolean enterprise;
} CsTypedTask;

#define TYPED_TASK(object) ((CsTypedTask *) (object))

/* Property ids: the enterprise switch, then one per field of the row. */
enum {
  PROP_0,
  PROP_ENTERPRISE,
  PROP_FIRST_FIELD,
};

static const CsTaskFamily *
family_of (gpointer instance)
{
  return _cs_task_family_of_gtype (G_TYPE_FROM_INSTANCE (instance));
}

static const CsTaskField *
field_of (gpointer instance,
          guint    prop_id)
{
  return family_of (instance)->fields[prop_id - PROP_FIRST_FIELD];
}

/* --- The class ------------------------------------------------------------ */

static void
typed_task_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  const CsTaskField *field;
  JsonNode *node;

  if (prop_id == PROP_ENTERPRISE)
    {
      g_value_set_boolean (value, TYPED_TASK (object)->enterprise);
      return;
    }

  field = field_of (object, prop_id);
  node = cs_task_get_field (CS_TASK (object), field->member);
  if (node != NULL)
    _cs_task_field_to_value (field, node, value);
}

static void
typed_task_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CsTypedTask *self = TYPED_TASK (object);
  const CsTaskField *field;

  if (prop_id == PROP_ENTERPRISE)
    {
      if (self->enterprise != g_value_get_boolean (value))
        {
          self->enterprise = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          g_object_notify (object, "type-name");
        }
      return;
    }

  field = field_of (object, prop_id);
  _cs_task_write_field (CS_TASK (object), field->member, _cs_task_field_from_value (field, value));
}

/* The variant follows the properties: with a proxy or ProxyLess, and
 * enterprise when asked. cs_task_set_type_name() overrides it. */
static const char *
typed_task_get_type_name (CsTask *task)
{
  const CsTaskFamily *family = family_of (task);
  gboolean with_proxy = family->proxy == CS_PROXY_REQUIREMENT_REQUIRED ||
                        (family->proxy == CS_PROXY_REQUIREMENT_OPTIONAL &&
                         cs_task_get_proxy (task) != NULL);

  return cs_task_type_get_wire_name (family, with_proxy, TYPED_TASK (task)->enterprise);
}

/* The class of a row of the table: the row names the class, and its
 * class_init installs a property per field. */
static void
typed_task_class_setup (gpointer klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const CsTaskFamily *family = _cs_task_family_of_gtype (G_TYPE_FROM_CLASS (klass));
  guint prop_id = PROP_FIRST_FIELD;

  g_assert (family != NULL);

  object_class->get_property = typed_task_get_property;
  object_class->set_property = typed_task_set_property;
  CS_TASK_CLASS (klass)->get_type_name = typed_task_get_type_name;

  for (const CsTaskField * const *field = family->fields; *field != NULL; field++, prop_id++)
    if ((*field)->property != NULL)
      g_object_class_install_property (object_class, prop_id, _cs_task_field_param_spec (*field));

  if (family->spelling.enterprise_proxyless != NULL || family->spelling.enterprise_proxy != NULL)
    g_object_class_install_property (object_class, PROP_ENTERPRISE,
      g_param_spec_boolean ("enterprise", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY));
}

/* A typed task: its instance, its type and a class_init that reads the
 * row of the table that names the class. */
#define CS_DEFINE_TYPED_TASK(TypeName, type_name)               \
  struct _##TypeName                                            \
  {                                                             \
    CsTypedTask parent_instance;                                \
  };                                                            \
  G_DEFINE_FINAL_TYPE (TypeName, type_name, CS_TYPE_TASK)       \
  static void                                                   \
  type_name##_class_init (TypeName##Class *klass)               \
  {                                                             \
    typed_task_class_setup (klass);                             \
  }                                                             \
  static void                                                   \
  type_name##_init (TypeName *self)                             \
  {                                                             \
  }

/* --- Images ----------------------------------------------------------------- */

static void
set_image (gpointer    task,
           const char *member,
           GBytes     *image)
{
  _cs_task_write_field (task, member, _cs_task_field_image_node (image));
}

static void
append_image (gpointer    task,
              const char *member,
              GBytes     *image)
{
  JsonNode *node = cs_task_get_field (task, member);
  JsonArray *images = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node)
                                                                   : NULL;

  _cs_task_write_field (task, member, _cs_task_field_images_append (images, image));
}

/* The many families whose constructor takes the page and the site key. */
static CsTask *
new_site_key_task (GType       type,
                   const char *website_url,
                   const char *website_key)
{
  return g_object_new (type, "website-url", website_url, "website-key", website_key, NULL);
}

/* --- Image to text ------------------------------------------------------- */

/**
 * CsImageToTextTask:
 *
 * An `ImageToTextTask`: the text of an image, answered at once in
 * [method@Solution.get_text]. With [property@ImageToTextTask:module] set to
 * `number`, up to nine images are sent in [property@ImageToTextTask:images]
 * instead of [property@ImageToTextTask:body], and
 * [method@Solution.get_answers] holds their answers.
 *
 * Since: 1.0
 */

/**
 * CsImageToTextTask:body:
 *
 * The image, base64-encoded without a `data:` prefix (`body`).
 *
 * Since: 1.0
 */

/**
 * CsImageToTextTask:images:
 *
 * Up to nine base64 images, for the `number` module (`images`).
 *
 * Since: 1.0
 */

/**
 * CsImageToTextTask:module:
 *
 * The recognition module, such as `common` (the service's default),
 * `number` or `module_001` (`module`).
 *
 * Since: 1.0
 */

/**
 * CsImageToTextTask:website-url:
 *
 * The page the image comes from (`websiteURL`), which helps recognition.
 *
 * Since: 1.0
 */

/**
 * CsImageToTextTask:score:
 *
 * The minimum confidence of the answer (`score`; older modules only).
 *
 * Since: 1.0
 */

/**
 * CsImageToTextTask:case-sensitive:
 *
 * Whether the answer keeps upper and lower case apart (`case`; older
 * modules only).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsImageToTextTask, cs_image_to_text_task)

/**
 * cs_image_to_text_task_new:
 * @body: (nullable): the image, base64-encoded without a `data:` prefix,
 *   or %NULL to send [property@ImageToTextTask:images] instead
 *
 * Creates an `ImageToTextTask`.
 *
 * Returns: (transfer full): a new [class@ImageToTextTask]
 *
 * Since: 1.0
 */
CsTask *
cs_image_to_text_task_new (const char *body)
{
  return g_object_new (CS_TYPE_IMAGE_TO_TEXT_TASK, "body", body, NULL);
}

/**
 * cs_image_to_text_task_new_from_bytes:
 * @image: the image file's contents (PNG, JPEG, GIF or WebP)
 *
 * Creates an `ImageToTextTask` for an image in memory.
 *
 * Returns: (transfer full): a new [class@ImageToTextTask]
 *
 * Since: 1.0
 */
CsTask *
cs_image_to_text_task_new_from_bytes (GBytes *image)
{
  CsTask *task;

  g_return_val_if_fail (image != NULL, NULL);

  task = g_object_new (CS_TYPE_IMAGE_TO_TEXT_TASK, NULL);
  set_image (task, "body", image);
  return task;
}

/**
 * cs_image_to_text_task_new_from_file:
 * @file: an image file (PNG, JPEG, GIF or WebP)
 * @error: return location for a [struct@GLib.Error], or %NULL
 *
 * Creates an `ImageToTextTask` for an image file. The file is read at once,
 * blocking; read it yourself and use [ctor@ImageToTextTask.new_from_bytes]
 * from a user interface.
 *
 * Returns: (transfer full): a new [class@ImageToTextTask], or %NULL with
 *   @error set when the file cannot be read
 *
 * Since: 1.0
 */
CsTask *
cs_image_to_text_task_new_from_file (GFile   *file,
                                     GError **error)
{
  g_autoptr(GBytes) image = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  image = g_file_load_bytes (file, NULL, NULL, error);
  if (image == NULL)
    return NULL;
  return cs_image_to_text_task_new_from_bytes (image);
}

/**
 * cs_image_to_text_task_add_image:
 * @task: a [class@ImageToTextTask]
 * @image: the image file's contents
 *
 * Adds an image to [property@ImageToTextTask:images], the batch form of
 * the `number` module.
 *
 * Since: 1.0
 */
void
cs_image_to_text_task_add_image (CsImageToTextTask *task,
                                 GBytes            *image)
{
  g_return_if_fail (CS_IS_IMAGE_TO_TEXT_TASK (task));
  g_return_if_fail (image != NULL);

  append_image (task, "images", image);
}

/* --- reCAPTCHA classification --------------------------------------------- */

/**
 * CsReCaptchaClassificationTask:
 *
 * A `ReCaptchaV2Classification` task: which tiles of a reCAPTCHA image
 * grid show the object asked for, answered at once (see
 * [method@Solution.get_objects] and [method@Solution.get_has_object]).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaClassificationTask:image:
 *
 * The whole grid or one tile, base64-encoded (`image`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaClassificationTask:question:
 *
 * The label id of the object asked for, such as `/m/0k4j` for cars
 * (`question`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaClassificationTask:website-url:
 *
 * The page the reCAPTCHA is on (`websiteURL`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaClassificationTask:website-key:
 *
 * The site key of the reCAPTCHA (`websiteKey`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsReCaptchaClassificationTask, cs_recaptcha_classification_task)

/**
 * cs_recaptcha_classification_task_new:
 * @image: the image file's contents: a 3x3 or 4x4 grid, or one tile
 * @question: the label id, such as `/m/0k4j`
 *
 * Creates a `ReCaptchaV2Classification` task.
 *
 * Returns: (transfer full): a new [class@ReCaptchaClassificationTask]
 *
 * Since: 1.0
 */
CsTask *
cs_recaptcha_classification_task_new (GBytes     *image,
                                      const char *question)
{
  CsTask *task;

  g_return_val_if_fail (image != NULL, NULL);

  task = g_object_new (CS_TYPE_RECAPTCHA_CLASSIFICATION_TASK, "question", question, NULL);
  set_image (task, "image", image);
  return task;
}

/* --- AWS WAF classification ------------------------------------------------ */

/**
 * CsAwsWafClassificationTask:
 *
 * An `AwsWafClassification` task: the answer to an AWS WAF image puzzle,
 * answered at once (see [method@Solution.get_objects],
 * [method@Solution.get_box] and [method@Solution.get_distance]).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafClassificationTask:images:
 *
 * The puzzle's images, base64-encoded: nine for the `aws:grid:*`
 * questions, one otherwise (`images`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafClassificationTask:question:
 *
 * The puzzle's question, such as `aws:grid:chair` (`question`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafClassificationTask:website-url:
 *
 * The page the puzzle is on (`websiteURL`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsAwsWafClassificationTask, cs_aws_waf_classification_task)

/**
 * cs_aws_waf_classification_task_new:
 * @question: the puzzle's question, such as `aws:grid:chair`
 *
 * Creates an `AwsWafClassification` task; add its images with
 * [method@AwsWafClassificationTask.add_image].
 *
 * Returns: (transfer full): a new [class@AwsWafClassificationTask]
 *
 * Since: 1.0
 */
CsTask *
cs_aws_waf_classification_task_new (const char *question)
{
  return g_object_new (CS_TYPE_AWS_WAF_CLASSIFICATION_TASK, "question", question, NULL);
}

/**
 * cs_aws_waf_classification_task_add_image:
 * @task: a [class@AwsWafClassificationTask]
 * @image: the image file's contents
 *
 * Adds an image to [property@AwsWafClassificationTask:images].
 *
 * Since: 1.0
 */
void
cs_aws_waf_classification_task_add_image (CsAwsWafClassificationTask *task,
                                          GBytes                     *image)
{
  g_return_if_fail (CS_IS_AWS_WAF_CLASSIFICATION_TASK (task));
  g_return_if_fail (image != NULL);

  append_image (task, "images", image);
}

/* --- VisionEngine ----------------------------------------------------------- */

/**
 * CsVisionEngineTask:
 *
 * A `VisionEngine` task: a slider, rotation or object puzzle, answered at
 * once (see [method@Solution.get_distance], [method@Solution.get_angle],
 * [method@Solution.get_box] and [method@Solution.get_rects]).
 *
 * Since: 1.0
 */

/**
 * CsVisionEngineTask:module:
 *
 * The kind of puzzle: `slider_1`, `rotate_1`, `rotate_2`, `shein`…
 * (`module`).
 *
 * Since: 1.0
 */

/**
 * CsVisionEngineTask:image:
 *
 * The puzzle piece or picture, base64-encoded (`image`).
 *
 * Since: 1.0
 */

/**
 * CsVisionEngineTask:image-background:
 *
 * The background image, base64-encoded, for the modules that have one
 * (`imageBackground`).
 *
 * Since: 1.0
 */

/**
 * CsVisionEngineTask:question:
 *
 * The question, for the modules that ask one, such as `shein`
 * (`question`).
 *
 * Since: 1.0
 */

/**
 * CsVisionEngineTask:website-url:
 *
 * The page the puzzle is on (`websiteURL`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsVisionEngineTask, cs_vision_engine_task)

/**
 * cs_vision_engine_task_new:
 * @module: the kind of puzzle, such as `slider_1`
 * @image: the image file's contents
 *
 * Creates a `VisionEngine` task.
 *
 * Returns: (transfer full): a new [class@VisionEngineTask]
 *
 * Since: 1.0
 */
CsTask *
cs_vision_engine_task_new (const char *module,
                           GBytes     *image)
{
  CsTask *task;

  g_return_val_if_fail (image != NULL, NULL);

  task = g_object_new (CS_TYPE_VISION_ENGINE_TASK, "module", module, NULL);
  set_image (task, "image", image);
  return task;
}

/**
 * cs_vision_engine_task_set_image_background:
 * @task: a [class@VisionEngineTask]
 * @image: the background image file's contents
 *
 * Sets [property@VisionEngineTask:image-background] from an image in
 * memory.
 *
 * Since: 1.0
 */
void
cs_vision_engine_task_set_image_background (CsVisionEngineTask *task,
                                            GBytes             *image)
{
  g_return_if_fail (CS_IS_VISION_ENGINE_TASK (task));
  g_return_if_fail (image != NULL);

  set_image (task, "imageBackground", image);
}

/* --- reCAPTCHA v2 ------------------------------------------------------------- */

/**
 * CsReCaptchaV2Task:
 *
 * A reCAPTCHA v2 task. Its type is `ReCaptchaV2TaskProxyLess`, or
 * `ReCaptchaV2Task` when a proxy is set, and the `Enterprise` variants when
 * [property@ReCaptchaV2Task:enterprise] is set. The token is in
 * [method@Solution.get_token].
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:enterprise:
 *
 * Whether the site uses reCAPTCHA Enterprise: selects the
 * `ReCaptchaV2EnterpriseTask` types. It is not a field of the task.
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:website-url:
 *
 * The page the reCAPTCHA is on (`websiteURL`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:website-key:
 *
 * The site key of the reCAPTCHA (`websiteKey`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:page-action:
 *
 * The `sa` parameter of the `/anchor` request, when the site sends one
 * (`pageAction`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:recaptcha-data-s-value:
 *
 * The `data-s` value of a non-enterprise reCAPTCHA
 * (`recaptchaDataSValue`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:enterprise-payload:
 *
 * Extra enterprise parameters, such as `{"s": "…"}`
 * (`enterprisePayload`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:invisible:
 *
 * Whether the reCAPTCHA is invisible (`isInvisible`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:session:
 *
 * Whether to solve in session mode, which also returns a `recaptcha-ca-t`
 * value (`isSession`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:api-domain:
 *
 * The domain the reCAPTCHA script is loaded from,
 * `http://www.google.com/` or `http://www.recaptcha.net/` (`apiDomain`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:cookies:
 *
 * Cookies for the solver's requests, as `name=value` strings; sent as
 * `cookies`, an array of name and value objects.
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV2Task:user-agent:
 *
 * The user agent the token will be used with (`userAgent`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsReCaptchaV2Task, cs_recaptcha_v2_task)

/**
 * cs_recaptcha_v2_task_new:
 * @website_url: the page the reCAPTCHA is on
 * @website_key: the site key
 *
 * Creates a reCAPTCHA v2 task.
 *
 * Returns: (transfer full): a new [class@ReCaptchaV2Task]
 *
 * Since: 1.0
 */
CsTask *
cs_recaptcha_v2_task_new (const char *website_url,
                          const char *website_key)
{
  return new_site_key_task (CS_TYPE_RECAPTCHA_V2_TASK, website_url, website_key);
}

/* --- reCAPTCHA v3 ------------------------------------------------------------- */

/**
 * CsReCaptchaV3Task:
 *
 * A reCAPTCHA v3 task. Its type is `ReCaptchaV3TaskProxyLess`, or
 * `ReCaptchaV3Task` when a proxy is set, and the `Enterprise` variants when
 * [property@ReCaptchaV3Task:enterprise] is set. The token is in
 * [method@Solution.get_token].
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV3Task:enterprise:
 *
 * Whether the site uses reCAPTCHA Enterprise: selects the
 * `ReCaptchaV3EnterpriseTask` types. It is not a field of the task.
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV3Task:page-action:
 *
 * The action passed to `grecaptcha.execute`, such as `verify`
 * (`pageAction`).
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV3Task:min-score:
 *
 * The lowest score wanted, from 0.1 to 0.9 (`minScore`; older
 * documentation only).
 *
 * Since: 1.0
 */

/* The fields v3 shares with v2 mean the same. */

/**
 * CsReCaptchaV3Task:website-url:
 *
 * As [property@ReCaptchaV2Task:website-url].
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV3Task:website-key:
 *
 * As [property@ReCaptchaV2Task:website-key].
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV3Task:enterprise-payload:
 *
 * As [property@ReCaptchaV2Task:enterprise-payload].
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV3Task:session:
 *
 * As [property@ReCaptchaV2Task:session].
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV3Task:api-domain:
 *
 * As [property@ReCaptchaV2Task:api-domain].
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV3Task:cookies:
 *
 * As [property@ReCaptchaV2Task:cookies].
 *
 * Since: 1.0
 */

/**
 * CsReCaptchaV3Task:user-agent:
 *
 * As [property@ReCaptchaV2Task:user-agent].
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsReCaptchaV3Task, cs_recaptcha_v3_task)

/**
 * cs_recaptcha_v3_task_new:
 * @website_url: the page the reCAPTCHA is on
 * @website_key: the site key
 *
 * Creates a reCAPTCHA v3 task.
 *
 * Returns: (transfer full): a new [class@ReCaptchaV3Task]
 *
 * Since: 1.0
 */
CsTask *
cs_recaptcha_v3_task_new (const char *website_url,
                          const char *website_key)
{
  return new_site_key_task (CS_TYPE_RECAPTCHA_V3_TASK, website_url, website_key);
}

/* --- Turnstile --------------------------------------------------------------- */

/**
 * CsTurnstileTask:
 *
 * A Cloudflare Turnstile task (`AntiTurnstileTaskProxyLess`). The token is
 * in [method@Solution.get_token].
 *
 * Since: 1.0
 */

/**
 * CsTurnstileTask:website-url:
 *
 * The page the widget is on (`websiteURL`).
 *
 * Since: 1.0
 */

/**
 * CsTurnstileTask:website-key:
 *
 * The site key of the widget (`websiteKey`).
 *
 * Since: 1.0
 */

/**
 * CsTurnstileTask:action:
 *
 * The widget's `data-action` (`metadata.action`).
 *
 * Since: 1.0
 */

/**
 * CsTurnstileTask:cdata:
 *
 * The widget's `data-cdata` (`metadata.cdata`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsTurnstileTask, cs_turnstile_task)

/**
 * cs_turnstile_task_new:
 * @website_url: the page the widget is on
 * @website_key: the site key
 *
 * Creates a Turnstile task.
 *
 * Returns: (transfer full): a new [class@TurnstileTask]
 *
 * Since: 1.0
 */
CsTask *
cs_turnstile_task_new (const char *website_url,
                       const char *website_key)
{
  return new_site_key_task (CS_TYPE_TURNSTILE_TASK, website_url, website_key);
}

/* --- Cloudflare challenge ----------------------------------------------------- */

/**
 * CsCloudflareChallengeTask:
 *
 * A Cloudflare challenge task (`AntiCloudflareTask`), for the "Just a
 * moment…" page. It always needs a static or sticky proxy. The
 * `cf_clearance` cookie is in [method@Solution.get_cookies].
 *
 * Since: 1.0
 */

/**
 * CsCloudflareChallengeTask:website-url:
 *
 * The page behind the challenge (`websiteURL`).
 *
 * Since: 1.0
 */

/**
 * CsCloudflareChallengeTask:user-agent:
 *
 * The Chrome user agent the site will be browsed with (`userAgent`).
 *
 * Since: 1.0
 */

/**
 * CsCloudflareChallengeTask:html:
 *
 * The challenge page just fetched through the same proxy, for the sites
 * that need it (`html`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsCloudflareChallengeTask, cs_cloudflare_challenge_task)

/**
 * cs_cloudflare_challenge_task_new:
 * @website_url: the page behind the challenge
 * @proxy: (nullable): the proxy to solve through; required before sending
 *
 * Creates a Cloudflare challenge task.
 *
 * Returns: (transfer full): a new [class@CloudflareChallengeTask]
 *
 * Since: 1.0
 */
CsTask *
cs_cloudflare_challenge_task_new (const char *website_url,
                                  CsProxy    *proxy)
{
  return g_object_new (CS_TYPE_CLOUDFLARE_CHALLENGE_TASK,
                       "website-url", website_url, "proxy", proxy, NULL);
}

/* --- AWS WAF ------------------------------------------------------------------ */

/**
 * CsAwsWafTask:
 *
 * An AWS WAF task: `AntiAwsWafTaskProxyLess`, or `AntiAwsWafTask` when a
 * proxy is set. The `aws-waf-token` cookie is in
 * [method@Solution.get_token].
 *
 * Since: 1.0
 */

/**
 * CsAwsWafTask:website-url:
 *
 * The protected page (`websiteURL`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafTask:aws-key:
 *
 * The `key` of `window.gokuProps` on the challenge page (`awsKey`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafTask:aws-iv:
 *
 * The `iv` of `window.gokuProps` (`awsIv`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafTask:aws-context:
 *
 * The `context` of `window.gokuProps` (`awsContext`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafTask:aws-challenge-js:
 *
 * The address of `challenge.js` (`awsChallengeJS`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafTask:aws-api-js:
 *
 * The address of `jsapi.js` (`awsApiJs`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafTask:aws-problem-url:
 *
 * The problem endpoint, with `num_solutions_required` (`awsProblemUrl`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafTask:aws-api-key:
 *
 * The API key of the problem endpoint (`awsApiKey`).
 *
 * Since: 1.0
 */

/**
 * CsAwsWafTask:aws-existing-token:
 *
 * The previous `aws-waf-token`, when there is one (`awsExistingToken`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsAwsWafTask, cs_aws_waf_task)

/**
 * cs_aws_waf_task_new:
 * @website_url: the protected page
 *
 * Creates an AWS WAF task.
 *
 * Returns: (transfer full): a new [class@AwsWafTask]
 *
 * Since: 1.0
 */
CsTask *
cs_aws_waf_task_new (const char *website_url)
{
  return g_object_new (CS_TYPE_AWS_WAF_TASK, "website-url", website_url, NULL);
}

/* --- DataDome ----------------------------------------------------------------- */

/**
 * CsDataDomeTask:
 *
 * A DataDome task (`DatadomeSliderTask`), for the slider and the device
 * check. It always needs a proxy. The `datadome` cookie is in
 * [method@Solution.get_token].
 *
 * Since: 1.0
 */

/**
 * CsDataDomeTask:captcha-url:
 *
 * The address of the captcha frame; it must contain `t=fe` (`captchaUrl`).
 *
 * Since: 1.0
 */

/**
 * CsDataDomeTask:user-agent:
 *
 * The user agent the site will be browsed with, one of those the service
 * accepts (`userAgent`).
 *
 * Since: 1.0
 */

/**
 * CsDataDomeTask:website-url:
 *
 * The protected page (`websiteURL`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsDataDomeTask, cs_datadome_task)

/**
 * cs_datadome_task_new:
 * @captcha_url: the address of the captcha frame
 * @user_agent: the user agent the site will be browsed with
 * @proxy: (nullable): the proxy to solve through; required before sending
 *
 * Creates a DataDome task.
 *
 * Returns: (transfer full): a new [class@DataDomeTask]
 *
 * Since: 1.0
 */
CsTask *
cs_datadome_task_new (const char *captcha_url,
                      const char *user_agent,
                      CsProxy    *proxy)
{
  return g_object_new (CS_TYPE_DATADOME_TASK, "captcha-url", captcha_url,
                       "user-agent", user_agent, "proxy", proxy, NULL);
}

/* --- GeeTest ------------------------------------------------------------------ */

/**
 * CsGeeTestTask:
 *
 * A GeeTest task: `GeeTestTaskProxyLess`, or `GeeTestTask` when a proxy
 * is set. Version 3 is asked with [property@GeeTestTask:gt] and
 * [property@GeeTestTask:challenge], version 4 with
 * [property@GeeTestTask:captcha-id]. The answer is in
 * [method@Solution.get_geetest_validate] and its siblings (version 3) or
 * [method@Solution.get_geetest_captcha_output] and its siblings (version 4).
 *
 * Since: 1.0
 */

/**
 * CsGeeTestTask:website-url:
 *
 * The page the captcha is on (`websiteURL`).
 *
 * Since: 1.0
 */

/**
 * CsGeeTestTask:gt:
 *
 * The `gt` of a version 3 captcha (`gt`).
 *
 * Since: 1.0
 */

/**
 * CsGeeTestTask:challenge:
 *
 * The `challenge` of a version 3 captcha; it changes every time
 * (`challenge`).
 *
 * Since: 1.0
 */

/**
 * CsGeeTestTask:captcha-id:
 *
 * The captcha id of a version 4 captcha (`captchaId`).
 *
 * Since: 1.0
 */

/**
 * CsGeeTestTask:api-server-subdomain:
 *
 * The GeeTest API server the site uses, such as `api.geetest.com`
 * (`geetestApiServerSubdomain`).
 *
 * Since: 1.0
 */

/**
 * CsGeeTestTask:risk-type:
 *
 * The kind of version 4 puzzle, such as `slide` or `ai`, when the page
 * states it (`riskType`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsGeeTestTask, cs_geetest_task)

/**
 * cs_geetest_task_new_v3:
 * @website_url: the page the captcha is on
 * @gt: the captcha's `gt`
 * @challenge: the captcha's `challenge`, fresh
 *
 * Creates a GeeTest version 3 task.
 *
 * Returns: (transfer full): a new [class@GeeTestTask]
 *
 * Since: 1.0
 */
CsTask *
cs_geetest_task_new_v3 (const char *website_url,
                        const char *gt,
                        const char *challenge)
{
  return g_object_new (CS_TYPE_GEETEST_TASK, "website-url", website_url,
                       "gt", gt, "challenge", challenge, NULL);
}

/**
 * cs_geetest_task_new_v4:
 * @website_url: the page the captcha is on
 * @captcha_id: the captcha id
 *
 * Creates a GeeTest version 4 task.
 *
 * Returns: (transfer full): a new [class@GeeTestTask]
 *
 * Since: 1.0
 */
CsTask *
cs_geetest_task_new_v4 (const char *website_url,
                        const char *captcha_id)
{
  return g_object_new (CS_TYPE_GEETEST_TASK, "website-url", website_url,
                       "captcha-id", captcha_id, NULL);
}

/* --- Tasks with a page and a site key only --------------------------------- */

/**
 * CsMtCaptchaTask:
 *
 * An MTCaptcha task: `MtCaptchaTaskProxyLess`, or `MtCaptchaTask` when a
 * proxy is set. The token is in [method@Solution.get_token].
 *
 * Since: 1.0
 */

/**
 * CsMtCaptchaTask:website-url:
 *
 * The page the captcha is on (`websiteURL`).
 *
 * Since: 1.0
 */

/**
 * CsMtCaptchaTask:website-key:
 *
 * The site key, `MTPublic-…` (`websiteKey`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsMtCaptchaTask, cs_mtcaptcha_task)

/**
 * CsFriendlyCaptchaTask:
 *
 * A Friendly Captcha task (`FriendlyCaptchaTaskProxyless`). The token is
 * in [method@Solution.get_token].
 *
 * Since: 1.0
 */

/**
 * CsFriendlyCaptchaTask:website-url:
 *
 * The page the widget is on (`websiteURL`).
 *
 * Since: 1.0
 */

/**
 * CsFriendlyCaptchaTask:website-key:
 *
 * The widget's `data-sitekey` (`websiteKey`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsFriendlyCaptchaTask, cs_friendly_captcha_task)

/**
 * CsYandexCaptchaTask:
 *
 * A Yandex SmartCaptcha task (`YandexCaptchaTaskProxyLess`). The token is
 * in [method@Solution.get_token].
 *
 * Since: 1.0
 */

/**
 * CsYandexCaptchaTask:website-url:
 *
 * The page the captcha is on (`websiteURL`).
 *
 * Since: 1.0
 */

/**
 * CsYandexCaptchaTask:website-key:
 *
 * The site key, `ysc1_…` (`websiteKey`).
 *
 * Since: 1.0
 */

CS_DEFINE_TYPED_TASK (CsYandexCaptchaTask, cs_yandex_captcha_task)

/**
 * cs_mtcaptcha_task_new:
 * @website_url: the page the captcha is on
 * @website_key: the site key
 *
 * Creates an MTCaptcha task.
 *
 * Returns: (transfer full): a new [class@MtCaptchaTask]
 *
 * Since: 1.0
 */
CsTask *
cs_mtcaptcha_task_new (const char *website_url,
                       const char *website_key)
{
  return new_site_key_task (CS_TYPE_MTCAPTCHA_TASK, website_url, website_key);
}

/**
 * cs_friendly_captcha_task_new:
 * @website_url: the page the widget is on
 * @website_key: the site key
 *
 * Creates a Friendly Captcha task.
 *
 * Returns: (transfer full): a new [class@FriendlyCaptchaTask]
 *
 * Since: 1.0
 */
CsTask *
cs_friendly_captcha_task_new (const char *website_url,
                              const char *website_key)
{
  return new_site_key_task (CS_TYPE_FRIENDLY_CAPTCHA_TASK, website_url, website_key);
}

/**
 * cs_yandex_captcha_task_new:
 * @website_url: the page the captcha is on
 * @website_key: the site key
 *
 * Creates a Yandex SmartCaptcha task.
 *
 * Returns: (transfer full): a new [class@YandexCaptchaTask]
 *
 * Since: 1.0
 */
CsTask *
cs_yandex_captcha_task_new (const char *website_url,
                            const char *website_key)
{
  return new_site_key_task (CS_TYPE_YANDEX_CAPTCHA_TASK, website_url, website_key);
}
