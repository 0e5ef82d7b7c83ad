/* cs-task-family.c: the table of task types
 *
 * Every task type the library knows is a row here, and nowhere else: the
 * public schema (cs-task-type.c) reads these rows, the typed tasks build
 * their properties and their JSON from them, cs_task_validate() checks a
 * request against them before it is sent, the sandbox checks the requests
 * it receives against the same rows and answers with them, and the
 * command prints them. So the client, the sandbox and the command cannot
 * disagree on what a valid task is.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "cs-private.h"
#include "cs-typed-tasks.h"

#define REQ   CS_FIELD_REQUIRED
#define IMAGE CS_FIELD_IMAGE

/* A field of one row: property, member, kind, flags, the member whose
 * presence makes a required field optional, an example value. */
#define FIELD(property, member, kind, flags, unless, example) \
  (&(const CsTaskField) { property, member, CS_TASK_FIELD_KIND_##kind, flags, unless, example })

/* The fields many families share. */
#define EXAMPLE_URL "https://example.com/login"
#define EXAMPLE_USER_AGENT "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " \
                           "(KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36"

static const CsTaskField website_url_required =
  { "website-url", "websiteURL", CS_TASK_FIELD_KIND_STRING, REQ, NULL, EXAMPLE_URL };
static const CsTaskField website_url =
  { "website-url", "websiteURL", CS_TASK_FIELD_KIND_STRING, 0, NULL, EXAMPLE_URL };
static const CsTaskField user_agent =
  { "user-agent", "userAgent", CS_TASK_FIELD_KIND_STRING, 0, NULL, EXAMPLE_USER_AGENT };
static const CsTaskField page_action =
  { "page-action", "pageAction", CS_TASK_FIELD_KIND_STRING, 0, NULL, "login" };
static const CsTaskField enterprise_payload =
  { "enterprise-payload", "enterprisePayload", CS_TASK_FIELD_KIND_OBJECT, 0, NULL,
    "{\"s\":\"value\"}" };
static const CsTaskField session =
  { "session", "isSession", CS_TASK_FIELD_KIND_BOOLEAN, 0, NULL, "true" };
static const CsTaskField api_domain =
  { "api-domain", "apiDomain", CS_TASK_FIELD_KIND_STRING, 0, NULL, "http://www.recaptcha.net/" };
static const CsTaskField cookies =
  { "cookies", "cookies", CS_TASK_FIELD_KIND_COOKIES, 0, NULL, "name=value" };

/* The site key of each family looks its own. */
#define WEBSITE_KEY_REQUIRED(example) \
  FIELD ("website-key", "websiteKey", STRING, REQ, NULL, example)
#define RECAPTCHA_KEY "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-"

static const CsTaskField * const image_to_text_fields[] = {
  FIELD ("body", "body", STRING, REQ | IMAGE, "images", NULL),
  FIELD ("images", "images", STRV, IMAGE, NULL, NULL),
  FIELD ("module", "module", STRING, 0, NULL, "common"),
  &website_url,
  FIELD ("score", "score", DOUBLE, 0, NULL, "0.8"),
  FIELD ("case-sensitive", "case", BOOLEAN, 0, NULL, "true"),
  NULL
};

static const CsTaskField * const recaptcha_v2_fields[] = {
  &website_url_required,
  WEBSITE_KEY_REQUIRED (RECAPTCHA_KEY),
  &page_action,
  FIELD ("recaptcha-data-s-value", "recaptchaDataSValue", STRING, 0, NULL, NULL),
  &enterprise_payload,
  FIELD ("invisible", "isInvisible", BOOLEAN, 0, NULL, "true"),
  &session,
  &api_domain,
  &cookies,
  &user_agent,
  NULL
};

static const CsTaskField * const recaptcha_v3_fields[] = {
  &website_url_required,
  WEBSITE_KEY_REQUIRED (RECAPTCHA_KEY),
  &page_action,
  &enterprise_payload,
  &session,
  &api_domain,
  FIELD ("min-score", "minScore", DOUBLE, 0, NULL, "0.7"),
  &cookies,
  &user_agent,
  NULL
};

static const CsTaskField * const turnstile_fields[] = {
  &website_url_required,
  WEBSITE_KEY_REQUIRED ("0x4AAAAAAAexample"),
  FIELD ("action", "metadata.action", STRING, 0, NULL, "login"),
  FIELD ("cdata", "metadata.cdata", STRING, 0, NULL, NULL),
  NULL
};

static const CsTaskField * const cloudflare_challenge_fields[] = {
  &website_url_required,
  &user_agent,
  FIELD ("html", "html", STRING, 0, NULL, NULL),
  NULL
};

static const CsTaskField * const aws_waf_fields[] = {
  &website_url_required,
  FIELD ("aws-key", "awsKey", STRING, 0, NULL, NULL),
  FIELD ("aws-iv", "awsIv", STRING, 0, NULL, NULL),
  FIELD ("aws-context", "awsContext", STRING, 0, NULL, NULL),
  FIELD ("aws-challenge-js", "awsChallengeJS", STRING, 0, NULL, NULL),
  FIELD ("aws-api-js", "awsApiJs", STRING, 0, NULL, NULL),
  FIELD ("aws-problem-url", "awsProblemUrl", STRING, 0, NULL, NULL),
  FIELD ("aws-api-key", "awsApiKey", STRING, 0, NULL, NULL),
  FIELD ("aws-existing-token", "awsExistingToken", STRING, 0, NULL, NULL),
  NULL
};

static const CsTaskField * const datadome_fields[] = {
  FIELD ("captcha-url", "captchaUrl", STRING, REQ, NULL,
         "https://geo.captcha-delivery.com/captcha/?initialCid=example&t=fe"),
  FIELD ("user-agent", "userAgent", STRING, REQ, NULL, EXAMPLE_USER_AGENT),
  &website_url,
  NULL
};

/* Version 3 is asked with gt + challenge, version 4 with captchaId. */
static const CsTaskField * const geetest_fields[] = {
  &website_url_required,
  FIELD ("gt", "gt", STRING, REQ, "captchaId", "0123456789abcdef0123456789abcdef"),
  FIELD ("challenge", "challenge", STRING, REQ, "captchaId", "fedcba9876543210fedcba9876543210"),
  FIELD ("captcha-id", "captchaId", STRING, REQ, "gt", "00112233445566778899aabbccddeeff"),
  FIELD ("api-server-subdomain", "geetestApiServerSubdomain", STRING, 0, NULL,
         "api.geetest.com"),
  FIELD ("risk-type", "riskType", STRING, 0, NULL, "slide"),
  NULL
};

static const CsTaskField * const mtcaptcha_fields[] = {
  &website_url_required,
  WEBSITE_KEY_REQUIRED ("MTPublic-example"),
  NULL
};

static const CsTaskField * const friendly_captcha_fields[] = {
  &website_url_required,
  WEBSITE_KEY_REQUIRED ("FCMEXAMPLE"),
  NULL
};

static const CsTaskField * const yandex_fields[] = {
  &website_url_required,
  WEBSITE_KEY_REQUIRED ("ysc1_example"),
  NULL
};

static const CsTaskField * const recaptcha_classification_fields[] = {
  FIELD ("image", "image", STRING, REQ | IMAGE, NULL, NULL),
  FIELD ("question", "question", STRING, REQ, NULL, "/m/0k4j"),
  &website_url,
  FIELD ("website-key", "websiteKey", STRING, 0, NULL, RECAPTCHA_KEY),
  NULL
};

static const CsTaskField * const aws_waf_classification_fields[] = {
  FIELD ("images", "images", STRV, REQ | IMAGE, NULL, NULL),
  FIELD ("question", "question", STRING, REQ, NULL, "aws:toycarcity:carcity"),
  &website_url,
  NULL
};

static const CsTaskField * const vision_engine_fields[] = {
  FIELD ("module", "module", STRING, REQ, NULL, "ocr_gif"),
  FIELD ("image", "image", STRING, REQ | IMAGE, NULL, NULL),
  FIELD ("image-background", "imageBackground", STRING, IMAGE, NULL, NULL),
  FIELD ("question", "question", STRING, 0, NULL, NULL),
  &website_url,
  NULL
};

/* The members of a ready solution of which at least one is there. */
static const char * const SOLUTION_TEXT[] = { "text", "answers", NULL };
static const char * const SOLUTION_RECAPTCHA[] = { "gRecaptchaResponse", NULL };
static const char * const SOLUTION_TOKEN[] = { "token", NULL };
static const char * const SOLUTION_CLOUDFLARE[] = { "cookies", "token", NULL };
static const char * const SOLUTION_AWS_WAF[] = { "cookie", "cookies", NULL };
static const char * const SOLUTION_COOKIE[] = { "cookie", NULL };
static const char * const SOLUTION_GEETEST[] = { "validate", "captcha_output", NULL };
static const char * const SOLUTION_RECAPTCHA_CLASSIFICATION[] = { "objects", "hasObject", NULL };
static const char * const SOLUTION_AWS_WAF_CLASSIFICATION[] = {
  "objects", "box", "distance", NULL
};
static const char * const SOLUTION_VISION_ENGINE[] = {
  "distance", "angle", "box", "rects", "text", NULL
};

#define NONE     CS_PROXY_REQUIREMENT_NONE
#define OPTIONAL CS_PROXY_REQUIREMENT_OPTIONAL
#define REQUIRED CS_PROXY_REQUIREMENT_REQUIRED

/* One row per family: name, typed class, proxy requirement, CapSolver's
 * type names (ProxyLess, with a proxy, Enterprise ProxyLess, Enterprise
 * with a proxy), whether the service answers in createTask, fields, solve
 * time (ms: recognition tasks are answered in tens of milliseconds; token
 * tasks as the service's documentation gives), solution members. */
static const CsTaskFamily * const families[] = {
  &(const CsTaskFamily) {
    "image-to-text", cs_image_to_text_task_get_type, NONE,
    { "ImageToTextTask", NULL, NULL, NULL },
    TRUE, image_to_text_fields, { 10, 60 }, SOLUTION_TEXT },
  &(const CsTaskFamily) {
    "recaptcha-v2", cs_recaptcha_v2_task_get_type, OPTIONAL,
    { "ReCaptchaV2TaskProxyLess", "ReCaptchaV2Task",
      "ReCaptchaV2EnterpriseTaskProxyLess", "ReCaptchaV2EnterpriseTask" },
    FALSE, recaptcha_v2_fields, { 5000, 15000 }, SOLUTION_RECAPTCHA },
  &(const CsTaskFamily) {
    "recaptcha-v3", cs_recaptcha_v3_task_get_type, OPTIONAL,
    { "ReCaptchaV3TaskProxyLess", "ReCaptchaV3Task",
      "ReCaptchaV3EnterpriseTaskProxyLess", "ReCaptchaV3EnterpriseTask" },
    FALSE, recaptcha_v3_fields, { 2000, 6000 }, SOLUTION_RECAPTCHA },
  &(const CsTaskFamily) {
    "turnstile", cs_turnstile_task_get_type, NONE,
    { "AntiTurnstileTaskProxyLess", NULL, NULL, NULL },
    FALSE, turnstile_fields, { 3000, 10000 }, SOLUTION_TOKEN },
  &(const CsTaskFamily) {
    "cloudflare-challenge", cs_cloudflare_challenge_task_get_type, REQUIRED,
    { NULL, "AntiCloudflareTask", NULL, NULL },
    FALSE, cloudflare_challenge_fields, { 2000, 20000 }, SOLUTION_CLOUDFLARE },
  &(const CsTaskFamily) {
    "aws-waf", cs_aws_waf_task_get_type, OPTIONAL,
    { "AntiAwsWafTaskProxyLess", "AntiAwsWafTask", NULL, NULL },
    FALSE, aws_waf_fields, { 5000, 15000 }, SOLUTION_AWS_WAF },
  &(const CsTaskFamily) {
    "datadome", cs_datadome_task_get_type, REQUIRED,
    { NULL, "DatadomeSliderTask", NULL, NULL },
    FALSE, datadome_fields, { 1000, 20000 }, SOLUTION_COOKIE },
  &(const CsTaskFamily) {
    "geetest", cs_geetest_task_get_type, OPTIONAL,
    { "GeeTestTaskProxyLess", "GeeTestTask", NULL, NULL },
    FALSE, geetest_fields, { 2000, 10000 }, SOLUTION_GEETEST },
  &(const CsTaskFamily) {
    "mtcaptcha", cs_mtcaptcha_task_get_type, OPTIONAL,
    { "MtCaptchaTaskProxyLess", "MtCaptchaTask", NULL, NULL },
    FALSE, mtcaptcha_fields, { 5000, 30000 }, SOLUTION_TOKEN },
  &(const CsTaskFamily) {
    "friendly-captcha", cs_friendly_captcha_task_get_type, NONE,
    { "FriendlyCaptchaTaskProxyless", NULL, NULL, NULL },
    FALSE, friendly_captcha_fields, { 3000, 10000 }, SOLUTION_TOKEN },
  &(const CsTaskFamily) {
    "yandex", cs_yandex_captcha_task_get_type, NONE,
    { "YandexCaptchaTaskProxyLess", NULL, NULL, NULL },
    FALSE, yandex_fields, { 3000, 10000 }, SOLUTION_TOKEN },
  &(const CsTaskFamily) {
    "recaptcha-classification", cs_recaptcha_classification_task_get_type, NONE,
    { "ReCaptchaV2Classification", NULL, NULL, NULL },
    TRUE, recaptcha_classification_fields, { 10, 60 }, SOLUTION_RECAPTCHA_CLASSIFICATION },
  &(const CsTaskFamily) {
    "aws-waf-classification", cs_aws_waf_classification_task_get_type, NONE,
    { "AwsWafClassification", NULL, NULL, NULL },
    TRUE, aws_waf_classification_fields, { 10, 60 }, SOLUTION_AWS_WAF_CLASSIFICATION },
  &(const CsTaskFamily) {
    "vision-engine", cs_vision_engine_task_get_type, NONE,
    { "VisionEngine", NULL, NULL, NULL },
    TRUE, vision_engine_fields, { 10, 60 }, SOLUTION_VISION_ENGINE },
};

const CsTaskFamily * const *
_cs_task_family_get_all (guint *n_families)
{
  *n_families = G_N_ELEMENTS (families);
  return families;
}

static guint
type_name_hash (gconstpointer name)
{
  guint hash = 5381;

  for (const char *p = name; *p != '\0'; p++)
    hash = hash * 33 + (guchar) g_ascii_tolower (*p);
  return hash;
}

static gboolean
type_name_equal (gconstpointer a,
                 gconstpointer b)
{
  return g_ascii_strcasecmp (a, b) == 0;
}

static void
index_type_name (GHashTable *index,
                 const char *name,
                 gsize       family,
                 gboolean    with_proxy)
{
  /* 0 is "absent": a value is the family's position plus one, twice, and
   * whether the name solves through a proxy; the first place of a name
   * stays */
  if (name != NULL && !g_hash_table_contains (index, name))
    g_hash_table_insert (index, (gpointer) name, GSIZE_TO_POINTER ((family + 1) * 2 + with_proxy));
}

/* Every type name of every family, built once: a solve looks its family
 * up several times, and comparing with each spelling of each family in
 * turn was a noticeable part of what the client adds to a request. */
static GHashTable *
type_name_index (void)
{
  static GHashTable *index;

  if (g_once_init_enter (&index))
    {
      GHashTable *made = g_hash_table_new (type_name_hash, type_name_equal);

      for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
        {
          const CsTaskSpelling *names = &families[i]->spelling;

          index_type_name (made, names->proxy, i, TRUE);
          index_type_name (made, names->enterprise_proxy, i, TRUE);
          index_type_name (made, names->proxyless, i, FALSE);
          index_type_name (made, names->enterprise_proxyless, i, FALSE);
        }
      g_once_init_leave (&index, made);
    }
  return index;
}

/* The service matches type names without regard to case, and its own
 * documentation spells some two ways (DataDomeSliderTask,
 * GeetestTaskProxyless): so does the lookup. */
const CsTaskFamily *
_cs_task_family_lookup (const char *type_name,
                        gboolean   *with_proxy)
{
  gsize value;

  if (with_proxy != NULL)
    *with_proxy = FALSE;
  if (type_name == NULL)
    return NULL;

  value = GPOINTER_TO_SIZE (g_hash_table_lookup (type_name_index (), type_name));
  if (value == 0)
    return NULL;
  if (with_proxy != NULL)
    *with_proxy = (value & 1) != 0;
  return families[value / 2 - 1];
}

static GQuark
family_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("cs-task-family");
  return quark;
}

/* Found once per class, then kept on the type. */
const CsTaskFamily *
_cs_task_family_of_gtype (GType gtype)
{
  const CsTaskFamily *family = g_type_get_qdata (gtype, family_quark ());

  if (family != NULL || gtype == CS_TYPE_TASK)
    return family;
  for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
    if (families[i]->get_type != NULL && families[i]->get_type () == gtype)
      {
        g_type_set_qdata (gtype, family_quark (), (gpointer) families[i]);
        return families[i];
      }
  return NULL;
}

/* The solve time is low + (high - low) × t, where t follows the
 * triangular distribution on [0, 1] with its mode at 1/2 (the mean of two
 * uniform draws): no task is solved before low_ms nor after high_ms, most
 * near the middle. This is its quantile function. */
guint
_cs_task_family_solve_time (const CsTaskFamily *family,
                            double              p)
{
  double t;

  p = CLAMP (p, 0.0, 1.0);
  t = p < 0.5 ? sqrt (p / 2.0) : 1.0 - sqrt ((1.0 - p) / 2.0);
  return family->solve_time.low_ms +
         (guint) (t * (family->solve_time.high_ms - family->solve_time.low_ms) + 0.5);
}

/* The inverse of _cs_task_family_solve_time(): the fraction of the tasks
 * of @family solved within @msec. */
double
_cs_task_family_solved_within (const CsTaskFamily *family,
                               double              msec)
{
  double range = (double) family->solve_time.high_ms - family->solve_time.low_ms;
  double t = range > 0 ? (msec - family->solve_time.low_ms) / range
                       : (msec >= family->solve_time.low_ms ? 1.0 : 0.0);

  t = CLAMP (t, 0.0, 1.0);
  return t < 0.5 ? 2.0 * t * t : 1.0 - 2.0 * (1.0 - t) * (1.0 - t);
}

/* An ERROR_INVALID_TASK_DATA, as the service would answer it; FALSE. */
gboolean
_cs_invalid_task_data (GError     **error,
                       const char  *format,
                       ...)
{
  g_autofree char *description = NULL;
  va_list args;

  va_start (args, format);
  description = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, CS_ERROR, CS_ERROR_INVALID_TASK_DATA,
               "ERROR_INVALID_TASK_DATA: %s", description);
  return FALSE;
}

static gboolean
has_proxy (JsonObject *task_json)
{
  return _cs_task_field_is_present (task_json, "proxy") ||
         (_cs_task_field_is_present (task_json, "proxyAddress") &&
          _cs_task_field_is_present (task_json, "proxyPort"));
}

static gboolean
validate_field (const CsTaskField  *field,
                JsonObject         *task_json,
                GError            **error)
{
  JsonNode *node;

  if (!_cs_task_field_is_present (task_json, field->member))
    {
      if ((field->flags & CS_FIELD_REQUIRED) == 0)
        return TRUE;
      if (field->unless == NULL)
        return _cs_invalid_task_data (error, "missing required field %s", field->member);
      if (!_cs_task_field_is_present (task_json, field->unless))
        return _cs_invalid_task_data (error, "missing required field %s (or %s)",
                                      field->member, field->unless);
      return TRUE;
    }

  node = _cs_task_field_lookup (task_json, field->member);
  if (!_cs_task_field_has_kind (node, field->kind))
    return _cs_invalid_task_data (error, "field %s has the wrong type", field->member);
  return TRUE;
}

gboolean
_cs_task_family_validate (const char  *type_name,
                          JsonObject  *task_json,
                          GError     **error)
{
  const CsTaskFamily *family;
  gboolean with_proxy;

  family = _cs_task_family_lookup (type_name, &with_proxy);
  if (family == NULL)
    return TRUE;

  for (const CsTaskField * const *field = family->fields; *field != NULL; field++)
    if (!validate_field (*field, task_json, error))
      return FALSE;

  if (with_proxy && !has_proxy (task_json))
    return _cs_invalid_task_data (error,
                                  "missing required field proxy (%s solves through your proxy)",
                                  type_name);
  return TRUE;
}

/* What a solved task costs, in millionths of a USD: the sandbox's prices,
 * near CapSolver's list prices, which it does not report per task. */
#define TOKEN_PRICE       800   /* 0.0008 USD */
#define RECOGNITION_PRICE 400   /* 0.0004 USD */

gint64
_cs_task_family_price (const CsTaskFamily *family)
{
  return family->synchronous ? RECOGNITION_PRICE : TOKEN_PRICE;
}
