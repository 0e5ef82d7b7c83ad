/* cs-task-family.c: the table of task families
 *
 * Every task type the library knows is a row here. The typed tasks build
 * their properties and their JSON from it, cs_task_validate() checks a
 * request against it before it is sent, and the sandbox checks the
 * requests it receives against the same rows, so the client and the
 * sandbox cannot disagree on what a valid task is.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>

#include "cs-private.h"

#define REQ   CS_FIELD_REQUIRED
#define IMAGE CS_FIELD_IMAGE

/* Shorthands for the fields most families share. */
#define WEBSITE_URL_REQUIRED { "website-url", "websiteURL", CS_FIELD_STRING, REQ, NULL }
#define WEBSITE_URL          { "website-url", "websiteURL", CS_FIELD_STRING, 0, NULL }
#define WEBSITE_KEY_REQUIRED { "website-key", "websiteKey", CS_FIELD_STRING, REQ, NULL }
#define USER_AGENT           { "user-agent", "userAgent", CS_FIELD_STRING, 0, NULL }
#define FIELDS_END           { NULL, NULL, 0, 0, NULL }

static const CsTaskField image_to_text_fields[] = {
  { "body", "body", CS_FIELD_STRING, REQ | IMAGE, "images" },
  { "images", "images", CS_FIELD_STRV, IMAGE, NULL },
  { "module", "module", CS_FIELD_STRING, 0, NULL },
  WEBSITE_URL,
  { "score", "score", CS_FIELD_DOUBLE, 0, NULL },
  { "case-sensitive", "case", CS_FIELD_BOOLEAN, 0, NULL },
  FIELDS_END
};

static const CsTaskField recaptcha_v2_fields[] = {
  WEBSITE_URL_REQUIRED,
  WEBSITE_KEY_REQUIRED,
  { "page-action", "pageAction", CS_FIELD_STRING, 0, NULL },
  { "recaptcha-data-s-value", "recaptchaDataSValue", CS_FIELD_STRING, 0, NULL },
  { "enterprise-payload", "enterprisePayload", CS_FIELD_OBJECT, 0, NULL },
  { "invisible", "isInvisible", CS_FIELD_BOOLEAN, 0, NULL },
  { "session", "isSession", CS_FIELD_BOOLEAN, 0, NULL },
  { "api-domain", "apiDomain", CS_FIELD_STRING, 0, NULL },
  { "cookies", "cookies", CS_FIELD_COOKIES, 0, NULL },
  USER_AGENT,
  FIELDS_END
};

static const CsTaskField recaptcha_v3_fields[] = {
  WEBSITE_URL_REQUIRED,
  WEBSITE_KEY_REQUIRED,
  { "page-action", "pageAction", CS_FIELD_STRING, 0, NULL },
  { "enterprise-payload", "enterprisePayload", CS_FIELD_OBJECT, 0, NULL },
  { "session", "isSession", CS_FIELD_BOOLEAN, 0, NULL },
  { "api-domain", "apiDomain", CS_FIELD_STRING, 0, NULL },
  { "min-score", "minScore", CS_FIELD_DOUBLE, 0, NULL },
  { "cookies", "cookies", CS_FIELD_COOKIES, 0, NULL },
  USER_AGENT,
  FIELDS_END
};

static const CsTaskField turnstile_fields[] = {
  WEBSITE_URL_REQUIRED,
  WEBSITE_KEY_REQUIRED,
  { "action", "metadata.action", CS_FIELD_STRING, 0, NULL },
  { "cdata", "metadata.cdata", CS_FIELD_STRING, 0, NULL },
  FIELDS_END
};

static const CsTaskField cloudflare_challenge_fields[] = {
  WEBSITE_URL_REQUIRED,
  USER_AGENT,
  { "html", "html", CS_FIELD_STRING, 0, NULL },
  FIELDS_END
};

static const CsTaskField aws_waf_fields[] = {
  WEBSITE_URL_REQUIRED,
  { "aws-key", "awsKey", CS_FIELD_STRING, 0, NULL },
  { "aws-iv", "awsIv", CS_FIELD_STRING, 0, NULL },
  { "aws-context", "awsContext", CS_FIELD_STRING, 0, NULL },
  { "aws-challenge-js", "awsChallengeJS", CS_FIELD_STRING, 0, NULL },
  { "aws-api-js", "awsApiJs", CS_FIELD_STRING, 0, NULL },
  { "aws-problem-url", "awsProblemUrl", CS_FIELD_STRING, 0, NULL },
  { "aws-api-key", "awsApiKey", CS_FIELD_STRING, 0, NULL },
  { "aws-existing-token", "awsExistingToken", CS_FIELD_STRING, 0, NULL },
  FIELDS_END
};

static const CsTaskField datadome_fields[] = {
  { "captcha-url", "captchaUrl", CS_FIELD_STRING, REQ, NULL },
  { "user-agent", "userAgent", CS_FIELD_STRING, REQ, NULL },
  WEBSITE_URL,
  FIELDS_END
};

/* Version 3 is asked with gt + challenge, version 4 with captchaId. */
static const CsTaskField geetest_fields[] = {
  WEBSITE_URL_REQUIRED,
  { "gt", "gt", CS_FIELD_STRING, REQ, "captchaId" },
  { "challenge", "challenge", CS_FIELD_STRING, REQ, "captchaId" },
  { "captcha-id", "captchaId", CS_FIELD_STRING, REQ, "gt" },
  { "api-server-subdomain", "geetestApiServerSubdomain", CS_FIELD_STRING, 0, NULL },
  { "risk-type", "riskType", CS_FIELD_STRING, 0, NULL },
  FIELDS_END
};

static const CsTaskField mtcaptcha_fields[] = {
  WEBSITE_URL_REQUIRED,
  WEBSITE_KEY_REQUIRED,
  FIELDS_END
};

static const CsTaskField recaptcha_classification_fields[] = {
  { "image", "image", CS_FIELD_STRING, REQ | IMAGE, NULL },
  { "question", "question", CS_FIELD_STRING, REQ, NULL },
  WEBSITE_URL,
  { "website-key", "websiteKey", CS_FIELD_STRING, 0, NULL },
  FIELDS_END
};

static const CsTaskField aws_waf_classification_fields[] = {
  { "images", "images", CS_FIELD_STRV, REQ | IMAGE, NULL },
  { "question", "question", CS_FIELD_STRING, REQ, NULL },
  WEBSITE_URL,
  FIELDS_END
};

static const CsTaskField vision_engine_fields[] = {
  { "module", "module", CS_FIELD_STRING, REQ, NULL },
  { "image", "image", CS_FIELD_STRING, REQ | IMAGE, NULL },
  { "image-background", "imageBackground", CS_FIELD_STRING, IMAGE, NULL },
  { "question", "question", CS_FIELD_STRING, 0, NULL },
  WEBSITE_URL,
  FIELDS_END
};

static const CsTaskField website_key_fields[] = {
  WEBSITE_URL_REQUIRED,
  WEBSITE_KEY_REQUIRED,
  FIELDS_END
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
static const char * const SOLUTION_AWS_WAF_CLASSIFICATION[] = { "objects", "box", "distance", NULL };
static const char * const SOLUTION_VISION_ENGINE[] = { "distance", "angle", "box", "rects", "text", NULL };

/* name, type (with proxy, or the only one), ProxyLess, enterprise,
 * enterprise ProxyLess, proxy rule, synchronous, fields, solve time (ms:
 * recognition tasks are answered in tens of milliseconds; token tasks as
 * the service's documentation gives), solution members. */
static const CsTaskFamily families[] = {
  { "image-to-text", "ImageToTextTask", NULL, NULL, NULL,
    CS_PROXY_RULE_NONE, TRUE, image_to_text_fields,
    { 10, 60 }, SOLUTION_TEXT },
  { "recaptcha-v2", "ReCaptchaV2Task", "ReCaptchaV2TaskProxyLess",
    "ReCaptchaV2EnterpriseTask", "ReCaptchaV2EnterpriseTaskProxyLess",
    CS_PROXY_RULE_OPTIONAL, FALSE, recaptcha_v2_fields,
    { 5000, 15000 }, SOLUTION_RECAPTCHA },
  { "recaptcha-v3", "ReCaptchaV3Task", "ReCaptchaV3TaskProxyLess",
    "ReCaptchaV3EnterpriseTask", "ReCaptchaV3EnterpriseTaskProxyLess",
    CS_PROXY_RULE_OPTIONAL, FALSE, recaptcha_v3_fields,
    { 2000, 6000 }, SOLUTION_RECAPTCHA },
  { "turnstile", "AntiTurnstileTaskProxyLess", NULL, NULL, NULL,
    CS_PROXY_RULE_NONE, FALSE, turnstile_fields,
    { 3000, 10000 }, SOLUTION_TOKEN },
  { "cloudflare-challenge", "AntiCloudflareTask", NULL, NULL, NULL,
    CS_PROXY_RULE_REQUIRED, FALSE, cloudflare_challenge_fields,
    { 2000, 20000 }, SOLUTION_CLOUDFLARE },
  { "aws-waf", "AntiAwsWafTask", "AntiAwsWafTaskProxyLess", NULL, NULL,
    CS_PROXY_RULE_OPTIONAL, FALSE, aws_waf_fields,
    { 5000, 15000 }, SOLUTION_AWS_WAF },
  { "datadome", "DatadomeSliderTask", NULL, NULL, NULL,
    CS_PROXY_RULE_REQUIRED, FALSE, datadome_fields,
    { 1000, 20000 }, SOLUTION_COOKIE },
  { "geetest", "GeeTestTask", "GeeTestTaskProxyLess", NULL, NULL,
    CS_PROXY_RULE_OPTIONAL, FALSE, geetest_fields,
    { 2000, 10000 }, SOLUTION_GEETEST },
  { "mtcaptcha", "MtCaptchaTask", "MtCaptchaTaskProxyLess", NULL, NULL,
    CS_PROXY_RULE_OPTIONAL, FALSE, mtcaptcha_fields,
    { 5000, 30000 }, SOLUTION_TOKEN },
  { "friendly-captcha", "FriendlyCaptchaTaskProxyless", NULL, NULL, NULL,
    CS_PROXY_RULE_NONE, FALSE, website_key_fields,
    { 3000, 10000 }, SOLUTION_TOKEN },
  { "yandex", "YandexCaptchaTaskProxyLess", NULL, NULL, NULL,
    CS_PROXY_RULE_NONE, FALSE, website_key_fields,
    { 3000, 10000 }, SOLUTION_TOKEN },
  { "recaptcha-classification", "ReCaptchaV2Classification", NULL, NULL, NULL,
    CS_PROXY_RULE_NONE, TRUE, recaptcha_classification_fields,
    { 10, 60 }, SOLUTION_RECAPTCHA_CLASSIFICATION },
  { "aws-waf-classification", "AwsWafClassification", NULL, NULL, NULL,
    CS_PROXY_RULE_NONE, TRUE, aws_waf_classification_fields,
    { 10, 60 }, SOLUTION_AWS_WAF_CLASSIFICATION },
  { "vision-engine", "VisionEngine", NULL, NULL, NULL,
    CS_PROXY_RULE_NONE, TRUE, vision_engine_fields,
    { 10, 60 }, SOLUTION_VISION_ENGINE },
};

static gboolean
same_type_name (const char *a,
                const char *b)
{
  return a != NULL && b != NULL && g_ascii_strcasecmp (a, b) == 0;
}

/* The service matches type names without regard to case, and its own
 * documentation spells some two ways (DataDomeSliderTask,
 * GeetestTaskProxyless): so does the lookup. */
const CsTaskFamily *
_cs_task_family_lookup (const char *type_name,
                        gboolean   *with_proxy)
{
  if (with_proxy != NULL)
    *with_proxy = FALSE;
  if (type_name == NULL)
    return NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
    {
      const CsTaskFamily *family = &families[i];
      gboolean proxy_variant = same_type_name (type_name, family->type_name) ||
                               same_type_name (type_name, family->enterprise_type_name);

      if (proxy_variant ||
          same_type_name (type_name, family->proxyless_type_name) ||
          same_type_name (type_name, family->enterprise_proxyless_type_name))
        {
          if (with_proxy != NULL)
            *with_proxy = proxy_variant && family->proxy != CS_PROXY_RULE_NONE;
          return family;
        }
    }
  return NULL;
}

const CsTaskFamily *
_cs_task_family_get_all (guint *n_families)
{
  *n_families = G_N_ELEMENTS (families);
  return families;
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

const CsTaskFamily *
_cs_task_family_find (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
    if (g_strcmp0 (families[i].name, name) == 0)
      return &families[i];
  return NULL;
}

static gboolean
invalid_task_data (GError     **error,
                   const char  *format,
                   ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid_task_data (GError     **error,
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

  if (!_cs_task_field_is_present (task_json, field->json_name))
    {
      if ((field->flags & CS_FIELD_REQUIRED) == 0)
        return TRUE;
      if (field->unless == NULL)
        return invalid_task_data (error, "missing required field %s", field->json_name);
      if (!_cs_task_field_is_present (task_json, field->unless))
        return invalid_task_data (error, "missing required field %s (or %s)",
                                  field->json_name, field->unless);
      return TRUE;
    }

  node = _cs_task_field_lookup (task_json, field->json_name);
  if (!_cs_task_field_has_kind (node, field->kind))
    return invalid_task_data (error, "field %s has the wrong type", field->json_name);
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

  for (const CsTaskField *field = family->fields; field->json_name != NULL; field++)
    if (!validate_field (field, task_json, error))
      return FALSE;

  if (with_proxy && !has_proxy (task_json))
    return invalid_task_data (error, "missing required field proxy (%s solves through your proxy)",
                              type_name);
  return TRUE;
}
