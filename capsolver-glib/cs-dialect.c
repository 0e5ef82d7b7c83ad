/* cs-dialect.c: the providers' dialects of the createTask protocol
 *
 * One row per provider says how it differs from CapSolver's form, which is
 * the form the library builds (cs_task_to_json()): the type names it gives
 * the families of the task table (cs-task-family.c), the fields it names
 * otherwise or does not take, its proxy encoding, its error codes, limits
 * and reports. The functions under the rows are the same for every
 * provider; nothing below the rows names one. The facts, with their
 * sources, are in docs/providers.md.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-dialect.h"

/* --- The rows ------------------------------------------------------------ */

/* A family of the task table as one provider writes it. */
typedef struct {
  const char     *family;
  CsTaskSpelling  names;     /* a provider with one type for both variants
                              * gives it twice: the proxy fields decide */
  const char     *enterprise_flag;  /* set true on the plain names for Enterprise */
  CsTaskSpelling  aliases;   /* older names it still reads */
} DialectType;

typedef enum {
  FIELD_RENAME,         /* sent under another member ("a.b" is b of object a) */
  FIELD_DROP,           /* the provider has no such thing: left out, and said so */
  FIELD_REFUSE,         /* a task with it cannot be written for the provider */
  FIELD_REQUIRE,        /* the provider refuses a task without it */
  FIELD_COOKIE_STRING,  /* cookies as one "a=b; c=d" string */
} FieldAction;

typedef struct {
  const char  *family;   /* NULL: every family */
  const char  *member;
  FieldAction  action;
  const char  *text;     /* RENAME: the new member; REFUSE, REQUIRE: why */
} DialectField;

typedef struct {
  const char *text;      /* the errorCode as sent */
  gint        id;        /* its numeric errorId where the provider numbers them; 0 */
  CsError     code;
  gboolean    pending;   /* means "not ready yet": no error at all */
  CsError     written_for;  /* a server writes this row for this code, where the
                             * text differs from CapSolver's; FAILED: none */
} DialectError;

typedef enum {
  REPORT_INCORRECT = 1 << 0,
  REPORT_CORRECT   = 1 << 1,
} ReportKind;

typedef struct {
  const char *family;    /* NULL: every family */
  ReportKind  kinds;
  const char *method;
} DialectReport;

typedef enum {
  PROXY_STRING,          /* CapSolver's one "proxy" member, as the task has it */
  PROXY_FIELDS,          /* proxyType, proxyAddress, proxyPort, proxyLogin, proxyPassword */
} ProxyEncoding;

typedef enum {
  DEV_ID_NONE,
  DEV_ID_APP_ID,         /* "appId", a string */
  DEV_ID_SOFT_ID,        /* "softId", an integer */
} DevId;

typedef enum {
  LANGUAGE_POOL_NONE,
  LANGUAGE_POOL_ENVELOPE,   /* beside the task */
  LANGUAGE_POOL_IMAGE_TASK, /* inside an image-to-text task */
} LanguagePool;

typedef enum {
  REPORT_BODY_FEEDBACK,  /* CapSolver: taskId and result {invalid, code, message} */
  REPORT_BODY_TASK_ID,   /* everyone else: clientKey and taskId */
} ReportBody;

#define SCHEME(s) (1u << CS_PROXY_SCHEME_##s)
#define ALL_SCHEMES (SCHEME (HTTP) | SCHEME (HTTPS) | SCHEME (SOCKS4) | SCHEME (SOCKS5))

struct _CsDialect {
  CsProvider            provider;
  const char           *nick;
  const char           *name;
  const char * const   *base_urls;
  gboolean              integer_ids;
  const DialectType    *types;       /* NULL: the task table's names; else ends at family NULL */
  const DialectField   *fields;      /* ends at member NULL */
  ProxyEncoding         proxy;
  guint                 proxy_schemes;
  gboolean              proxy_ip_only;     /* proxyAddress must be an IP address */
  gboolean              proxy_public_only; /* and not a loopback or private one */
  DevId                 dev_id;
  LanguagePool          language_pool;
  const DialectError   *errors;      /* ends at text NULL */
  CsUnsolvableBilling   unsolvable;
  CsDialectLimits       limits;
  ReportBody            report_body;
  const DialectReport  *reports;     /* ends at method NULL */
  guint                 report_window_s;   /* 0: none published */
  gboolean              one_report_per_task;
  gboolean              idle_status;       /* "idle" before "processing" */
};

#define NO_SPELLING { NULL, NULL, NULL, NULL }
#define TYPE_END { NULL, NO_SPELLING, NULL, NO_SPELLING }

/* Anti-Captcha and 2Captcha spell the token types alike ("…Proxyless"). */
#define RECAPTCHA_V2_PROXYLESS_NAMES \
  { "RecaptchaV2TaskProxyless", "RecaptchaV2Task", \
    "RecaptchaV2EnterpriseTaskProxyless", "RecaptchaV2EnterpriseTask" }

static const DialectType anti_captcha_types[] = {
  { "image-to-text", { "ImageToTextTask", NULL, NULL, NULL }, NULL, NO_SPELLING },
  { "recaptcha-v2", RECAPTCHA_V2_PROXYLESS_NAMES, NULL,
    { "NoCaptchaTaskProxyless", "NoCaptchaTask", NULL, NULL } },
  { "recaptcha-v3", { "RecaptchaV3TaskProxyless", NULL, NULL, NULL }, "isEnterprise",
    NO_SPELLING },
  { "turnstile", { "TurnstileTaskProxyless", NULL, NULL, NULL }, NULL, NO_SPELLING },
  { "geetest", { "GeeTestTaskProxyless", "GeeTestTask", NULL, NULL }, NULL, NO_SPELLING },
  TYPE_END
};

static const DialectType twocaptcha_types[] = {
  { "image-to-text", { "ImageToTextTask", NULL, NULL, NULL }, NULL, NO_SPELLING },
  { "recaptcha-v2", RECAPTCHA_V2_PROXYLESS_NAMES, NULL, NO_SPELLING },
  { "recaptcha-v3", { "RecaptchaV3TaskProxyless", NULL, NULL, NULL }, "isEnterprise",
    NO_SPELLING },
  { "turnstile", { "TurnstileTaskProxyless", NULL, NULL, NULL }, NULL, NO_SPELLING },
  { "geetest", { "GeeTestTaskProxyless", "GeeTestTask", NULL, NULL }, NULL, NO_SPELLING },
  TYPE_END
};

/* One name for both variants: a task with proxy fields is solved through them.
 * NoCaptchaTask, the old name, is what CapMonster's own JS client still sends. */
static const DialectType capmonster_types[] = {
  { "image-to-text", { "ImageToTextTask", NULL, NULL, NULL }, NULL, NO_SPELLING },
  { "recaptcha-v2", { "RecaptchaV2Task", "RecaptchaV2Task",
                      "RecaptchaV2EnterpriseTask", "RecaptchaV2EnterpriseTask" }, NULL,
    { "NoCaptchaTask", "NoCaptchaTask", NULL, NULL } },
  /* v3 Enterprise has a page of its own, RecaptchaV3EnterpriseTask, which
   * CapMonster's JS client sends */
  { "recaptcha-v3", { "RecaptchaV3TaskProxyless", NULL, NULL, NULL }, "isEnterprise",
    { NULL, NULL, "RecaptchaV3EnterpriseTask", NULL } },
  { "turnstile", { "TurnstileTask", NULL, NULL, NULL }, NULL, NO_SPELLING },
  /* GeeTestTask solves through its own proxies when given none; the old
   * GeeTestTaskProxyless is still read */
  { "geetest", { "GeeTestTask", "GeeTestTask", NULL, NULL }, NULL,
    { "GeeTestTaskProxyless", NULL, NULL, NULL } },
  { "mtcaptcha", { "MTCaptchaTask", "MTCaptchaTask", NULL, NULL }, NULL, NO_SPELLING },
  TYPE_END
};

/* CapSolver's own fields that the others lack or name otherwise. */
#define COMMON_FIELDS \
  { "image-to-text", "module", FIELD_DROP, NULL }, \
  { "image-to-text", "score", FIELD_DROP, NULL }, \
  { "image-to-text", "images", FIELD_REFUSE, \
    "several images in one task are CapSolver's number module" }, \
  { NULL, "isSession", FIELD_DROP, NULL }, \
  { NULL, "cookies", FIELD_COOKIE_STRING, NULL }, \
  { "geetest", "captchaId", FIELD_REFUSE, \
    "GeeTest v4 (captchaId) is not translated for this provider yet" }

#define FIELD_END { NULL, NULL, FIELD_DROP, NULL }

static const DialectField anti_captcha_fields[] = {
  COMMON_FIELDS,
  { "turnstile", "metadata.action", FIELD_RENAME, "action" },
  { "turnstile", "metadata.cdata", FIELD_RENAME, "cData" },
  FIELD_END
};

static const DialectField twocaptcha_fields[] = {
  COMMON_FIELDS,
  { "turnstile", "metadata.action", FIELD_RENAME, "action" },
  { "turnstile", "metadata.cdata", FIELD_RENAME, "cData" },
  { "recaptcha-v3", "minScore", FIELD_REQUIRE,
    "2Captcha requires minScore (0.3, 0.7 or 0.9) for reCAPTCHA v3" },
  FIELD_END
};

static const DialectField capmonster_fields[] = {
  COMMON_FIELDS,
  { "turnstile", "metadata.action", FIELD_REFUSE,
    "Turnstile's action is not translated for CapMonster Cloud yet" },
  { "turnstile", "metadata.cdata", FIELD_REFUSE,
    "Turnstile's cdata is not translated for CapMonster Cloud yet" },
  FIELD_END
};

static const DialectField no_fields[] = { FIELD_END };

#define ERROR_END { NULL, 0, CS_ERROR_FAILED, FALSE }

/* CapSolver's codes are cs-error.c's table: these rows only add what the
 * others say otherwise. Every dialect falls back on that table for a code
 * it does not list (ERROR_ZERO_BALANCE means the same everywhere). */
static const DialectError no_errors[] = { ERROR_END };

/* Anti-Captcha numbers its codes; 37 to 48 are left out, as enums
 * disagree on them: the text is the key, the number only names a code
 * when the text is missing. */
static const DialectError anti_captcha_errors[] = {
  { "ERROR_KEY_DOES_NOT_EXIST", 1, CS_ERROR_KEY_DOES_NOT_EXIST, FALSE,
    CS_ERROR_KEY_DENIED_ACCESS },
  { "ERROR_NO_SLOT_AVAILABLE", 2, CS_ERROR_NO_SLOT_AVAILABLE, FALSE },
  { "ERROR_ZERO_CAPTCHA_FILESIZE", 3, CS_ERROR_INVALID_IMAGE, FALSE },
  { "ERROR_TOO_BIG_CAPTCHA_FILESIZE", 4, CS_ERROR_INVALID_IMAGE, FALSE,
    CS_ERROR_INVALID_IMAGE },
  { "ERROR_ZERO_BALANCE", 10, CS_ERROR_ZERO_BALANCE, FALSE },
  { "ERROR_IP_NOT_ALLOWED", 11, CS_ERROR_IP_NOT_ALLOWED, FALSE },
  { "ERROR_CAPTCHA_UNSOLVABLE", 12, CS_ERROR_CAPTCHA_UNSOLVABLE, FALSE },
  { "ERROR_BAD_DUPLICATES", 13, CS_ERROR_FAILED, FALSE },
  { "ERROR_NO_SUCH_METHOD", 14, CS_ERROR_PAGE_NOT_FOUND, FALSE,
    CS_ERROR_PAGE_NOT_FOUND },
  { "ERROR_IMAGE_TYPE_NOT_SUPPORTED", 15, CS_ERROR_PARSE_IMAGE_FAIL, FALSE,
    CS_ERROR_PARSE_IMAGE_FAIL },
  { "ERROR_NO_SUCH_CAPCHA_ID", 16, CS_ERROR_TASKID_INVALID, FALSE,
    CS_ERROR_TASKID_INVALID },
  { "ERROR_IP_BLOCKED", 21, CS_ERROR_IP_BANNED, FALSE,
    CS_ERROR_IP_BANNED },
  { "ERROR_TASK_ABSENT", 22, CS_ERROR_REQUIRED_FIELDS, FALSE,
    CS_ERROR_REQUIRED_FIELDS },
  { "ERROR_TASK_NOT_SUPPORTED", 23, CS_ERROR_TASK_NOT_SUPPORTED, FALSE },
  { "ERROR_INCORRECT_SESSION_DATA", 24, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_PROXY_CONNECT_REFUSED", 25, CS_ERROR_FAILED, FALSE },
  { "ERROR_PROXY_CONNECT_TIMEOUT", 26, CS_ERROR_FAILED, FALSE },
  { "ERROR_PROXY_READ_TIMEOUT", 27, CS_ERROR_FAILED, FALSE },
  { "ERROR_PROXY_BANNED", 28, CS_ERROR_PROXY_BANNED, FALSE },
  { "ERROR_PROXY_TRANSPARENT", 29, CS_ERROR_FAILED, FALSE },
  { "ERROR_RECAPTCHA_TIMEOUT", 30, CS_ERROR_FAILED, FALSE },
  { "ERROR_RECAPTCHA_INVALID_SITEKEY", 31, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_RECAPTCHA_INVALID_DOMAIN", 32, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_RECAPTCHA_OLD_BROWSER", 33, CS_ERROR_FAILED, FALSE },
  { "ERROR_TOKEN_EXPIRED", 34, CS_ERROR_FAILED, FALSE },
  { "ERROR_PROXY_HAS_NO_IMAGE_SUPPORT", 35, CS_ERROR_FAILED, FALSE },
  { "ERROR_PROXY_INCOMPATIBLE_HTTP_VERSION", 36, CS_ERROR_FAILED, FALSE },
  { "ERROR_PROXY_NOT_AUTHORISED", 49, CS_ERROR_FAILED, FALSE },
  { "ERROR_FUNCAPTCHA_NOT_ALLOWED", 50, CS_ERROR_FAILED, FALSE },
  { "ERROR_INVISIBLE_RECAPTCHA", 51, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_FAILED_LOADING_WIDGET", 52, CS_ERROR_FAILED, FALSE },
  { "ERROR_VISIBLE_RECAPTCHA", 53, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_ALL_WORKERS_FILTERED", 54, CS_ERROR_FAILED, FALSE },
  { "ERROR_ACCOUNT_SUSPENDED", 55, CS_ERROR_ACCOUNT_SUSPENDED, FALSE },
  { "ERROR_TEMPLATE_NOT_FOUND", 56, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_TASK_CANCELED", 57, CS_ERROR_FAILED, FALSE },
  ERROR_END
};

/* 2Captcha reuses Anti-Captcha's number where both have the code, and
 * adds numbers of its own (5, 110, 115, 130). */
static const DialectError twocaptcha_errors[] = {
  { "ERROR_KEY_DOES_NOT_EXIST", 1, CS_ERROR_KEY_DOES_NOT_EXIST, FALSE,
    CS_ERROR_KEY_DENIED_ACCESS },
  { "ERROR_NO_SLOT_AVAILABLE", 2, CS_ERROR_NO_SLOT_AVAILABLE, FALSE },
  { "ERROR_ZERO_CAPTCHA_FILESIZE", 3, CS_ERROR_INVALID_IMAGE, FALSE },
  { "ERROR_TOO_BIG_CAPTCHA_FILESIZE", 4, CS_ERROR_INVALID_IMAGE, FALSE,
    CS_ERROR_INVALID_IMAGE },
  { "ERROR_PAGEURL", 5, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_ZERO_BALANCE", 10, CS_ERROR_ZERO_BALANCE, FALSE },
  { "ERROR_IP_NOT_ALLOWED", 11, CS_ERROR_IP_NOT_ALLOWED, FALSE },
  { "ERROR_CAPTCHA_UNSOLVABLE", 12, CS_ERROR_CAPTCHA_UNSOLVABLE, FALSE },
  { "ERROR_BAD_DUPLICATES", 13, CS_ERROR_FAILED, FALSE },
  { "ERROR_NO_SUCH_METHOD", 14, CS_ERROR_PAGE_NOT_FOUND, FALSE,
    CS_ERROR_PAGE_NOT_FOUND },
  { "ERROR_IMAGE_TYPE_NOT_SUPPORTED", 15, CS_ERROR_PARSE_IMAGE_FAIL, FALSE,
    CS_ERROR_PARSE_IMAGE_FAIL },
  { "ERROR_NO_SUCH_CAPCHA_ID", 16, CS_ERROR_TASKID_INVALID, FALSE,
    CS_ERROR_TASKID_INVALID },
  { "ERROR_IP_BLOCKED", 21, CS_ERROR_IP_BANNED, FALSE,
    CS_ERROR_IP_BANNED },
  { "ERROR_TASK_ABSENT", 22, CS_ERROR_REQUIRED_FIELDS, FALSE,
    CS_ERROR_REQUIRED_FIELDS },
  { "ERROR_TASK_NOT_SUPPORTED", 23, CS_ERROR_TASK_NOT_SUPPORTED, FALSE },
  { "ERROR_RECAPTCHA_INVALID_SITEKEY", 31, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_ACCOUNT_SUSPENDED", 55, CS_ERROR_ACCOUNT_SUSPENDED, FALSE },
  { "ERROR_BAD_PARAMETERS", 110, CS_ERROR_INVALID_TASK_DATA, FALSE,
    CS_ERROR_INVALID_TASK_DATA },
  { "ERROR_BAD_IMGINSTRUCTIONS", 115, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_BAD_PROXY", 130, CS_ERROR_FAILED, FALSE },
  { "ERROR_REPORT_NOT_RECORDED", 0, CS_ERROR_BAD_REQUEST, FALSE,
    CS_ERROR_BAD_REQUEST },
  ERROR_END
};

/* CapMonster's errorId is 0 or 1: only the text names the code. */
static const DialectError capmonster_errors[] = {
  { "ERROR_KEY_DOES_NOT_EXIST", 0, CS_ERROR_KEY_DOES_NOT_EXIST, FALSE,
    CS_ERROR_KEY_DENIED_ACCESS },
  { "ERROR_ZERO_CAPTCHA_FILESIZE", 0, CS_ERROR_INVALID_IMAGE, FALSE },
  { "ERROR_TOO_BIG_CAPTCHA_FILESIZE", 0, CS_ERROR_INVALID_IMAGE, FALSE,
    CS_ERROR_INVALID_IMAGE },
  { "ERROR_NO_SUCH_CAPCHA_ID", 0, CS_ERROR_TASKID_INVALID, FALSE,
    CS_ERROR_TASKID_INVALID },
  { "WRONG_CAPTCHA_ID", 0, CS_ERROR_TASKID_INVALID, FALSE },
  { "CAPTCHA_NOT_READY", 0, CS_ERROR_FAILED, TRUE },
  { "ERROR_IP_NOT_ALLOWED", 0, CS_ERROR_IP_NOT_ALLOWED, FALSE },
  { "ERROR_IP_BANNED", 0, CS_ERROR_IP_BANNED, FALSE },
  { "ERROR_IP_BLOCKED", 0, CS_ERROR_IP_BANNED, FALSE },
  { "ERROR_NO_SUCH_METHOD", 0, CS_ERROR_PAGE_NOT_FOUND, FALSE,
    CS_ERROR_PAGE_NOT_FOUND },
  { "ERROR_TOO_MUCH_REQUESTS", 0, CS_ERROR_RATE_LIMIT, FALSE,
    CS_ERROR_RATE_LIMIT },
  { "ERROR_DOMAIN_NOT_ALLOWED", 0, CS_ERROR_FAILED, FALSE },
  { "ERROR_TOKEN_EXPIRED", 0, CS_ERROR_FAILED, FALSE },
  { "ERROR_RECAPTCHA_INVALID_SITEKEY", 0, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_RECAPTCHA_INVALID_DOMAIN", 0, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_RECAPTCHA_TIMEOUT", 0, CS_ERROR_FAILED, FALSE },
  { "ERROR_PROXY_CONNECT_REFUSED", 0, CS_ERROR_FAILED, FALSE },
  { "ERROR_PROXY_BANNED", 0, CS_ERROR_PROXY_BANNED, FALSE },
  { "ERROR_PROXY_MISSING", 0, CS_ERROR_INVALID_TASK_DATA, FALSE },
  { "ERROR_PROXY_NOT_AUTHORISED", 0, CS_ERROR_FAILED, FALSE },
  { "ERROR_PROXY_READ_TIMEOUT", 0, CS_ERROR_FAILED, FALSE },
  { "ERROR_TASK_ABSENT", 0, CS_ERROR_REQUIRED_FIELDS, FALSE,
    CS_ERROR_REQUIRED_FIELDS },
  { "ERROR_WRONG_USERAGENT", 0, CS_ERROR_INVALID_TASK_DATA, FALSE },
  ERROR_END
};

#define REPORT_END { NULL, 0, NULL }

static const DialectReport capsolver_reports[] = {
  { NULL, REPORT_INCORRECT | REPORT_CORRECT, "feedbackTask" },
  REPORT_END
};

static const DialectReport anti_captcha_reports[] = {
  { "image-to-text", REPORT_INCORRECT, "reportIncorrectImageCaptcha" },
  { "recaptcha-v2", REPORT_INCORRECT, "reportIncorrectRecaptcha" },
  { "recaptcha-v3", REPORT_INCORRECT, "reportIncorrectRecaptcha" },
  { "recaptcha-v2", REPORT_CORRECT, "reportCorrectRecaptcha" },
  { "recaptcha-v3", REPORT_CORRECT, "reportCorrectRecaptcha" },
  /* for a family the task table lacks: a server still knows the path */
  { "hcaptcha", REPORT_INCORRECT, "reportIncorrectHcaptcha" },
  REPORT_END
};

static const DialectReport twocaptcha_reports[] = {
  { NULL, REPORT_INCORRECT, "reportIncorrect" },
  { NULL, REPORT_CORRECT, "reportCorrect" },
  REPORT_END
};

static const DialectReport capmonster_reports[] = {
  { "image-to-text", REPORT_INCORRECT, "reportIncorrectImageCaptcha" },
  { "recaptcha-v2", REPORT_INCORRECT, "reportIncorrectTokenCaptcha" },
  { "recaptcha-v3", REPORT_INCORRECT, "reportIncorrectTokenCaptcha" },
  { "geetest", REPORT_INCORRECT, "reportIncorrectTokenCaptcha" },
  { "turnstile", REPORT_INCORRECT, "reportIncorrectTokenCaptcha" },
  REPORT_END
};

static const char * const capsolver_urls[] = {
  "https://api.capsolver.com", "https://api-stable.capsolver.com", NULL
};
static const char * const anti_captcha_urls[] = { "https://api.anti-captcha.com", NULL };
static const char * const twocaptcha_urls[] = {
  "https://api.2captcha.com", "https://api.rucaptcha.com", NULL
};
static const char * const capmonster_urls[] = { "https://api.capmonster.cloud", NULL };
static const char * const no_urls[] = { NULL };

/* CapSolver's limits: 120 polls within 5 minutes of creation. */
#define CAPSOLVER_LIMITS { 0, 0, 0, 120, 300, 0, 0, 0 }

/* Indexed by CsProvider. */
static const CsDialect dialects[] = {
  [CS_PROVIDER_CAPSOLVER] = {
    CS_PROVIDER_CAPSOLVER, "capsolver", "CapSolver", capsolver_urls, FALSE,
    NULL, no_fields, PROXY_STRING, ALL_SCHEMES, FALSE, FALSE,
    DEV_ID_APP_ID, LANGUAGE_POOL_NONE, no_errors, CS_UNSOLVABLE_NOT_CHARGED,
    CAPSOLVER_LIMITS, REPORT_BODY_FEEDBACK, capsolver_reports, 0, FALSE, TRUE },
  [CS_PROVIDER_ANTI_CAPTCHA] = {
    CS_PROVIDER_ANTI_CAPTCHA, "anti-captcha", "Anti-Captcha", anti_captcha_urls, TRUE,
    anti_captcha_types, anti_captcha_fields, PROXY_FIELDS,
    SCHEME (HTTP) | SCHEME (SOCKS4) | SCHEME (SOCKS5), TRUE, TRUE,
    DEV_ID_SOFT_ID, LANGUAGE_POOL_IMAGE_TASK, anti_captcha_errors, CS_UNSOLVABLE_CHARGED,
    /* tasks are deleted 60 s after completion (report_window_s), not after
     * creation; first poll at 5 s, then every 2 s */
    { 100, 500000, 0, 0, 0, 5000, 2000, 30 },
    REPORT_BODY_TASK_ID, anti_captcha_reports, 60, TRUE, FALSE },
  [CS_PROVIDER_TWOCAPTCHA] = {
    CS_PROVIDER_TWOCAPTCHA, "2captcha", "2Captcha", twocaptcha_urls, TRUE,
    twocaptcha_types, twocaptcha_fields, PROXY_FIELDS,
    SCHEME (HTTP) | SCHEME (SOCKS4) | SCHEME (SOCKS5), FALSE, FALSE,
    DEV_ID_SOFT_ID, LANGUAGE_POOL_ENVELOPE, twocaptcha_errors, CS_UNSOLVABLE_REFUNDED,
    /* "wait at least 5 seconds", then every 5 s; 100 kB, 600 px a side */
    { 100, 100 * 1024, 600, 0, 0, 5000, 5000, 0 },
    REPORT_BODY_TASK_ID, twocaptcha_reports, 0, TRUE, FALSE },
  [CS_PROVIDER_CAPMONSTER] = {
    CS_PROVIDER_CAPMONSTER, "capmonster", "CapMonster Cloud", capmonster_urls, TRUE,
    capmonster_types, capmonster_fields, PROXY_FIELDS, ALL_SCHEMES, TRUE, TRUE,
    DEV_ID_NONE, LANGUAGE_POOL_NONE, capmonster_errors, CS_UNSOLVABLE_UNDOCUMENTED,
    /* 120 polls, at least 2 s apart, within "usually 5 minutes"; 50 KB */
    { 100, 50 * 1024, 0, 120, 300, 0, 2000, 0 },
    REPORT_BODY_TASK_ID, capmonster_reports, 0, FALSE, FALSE },
  [CS_PROVIDER_COMPATIBLE] = {
    CS_PROVIDER_COMPATIBLE, "compatible", "a CapSolver-compatible service", no_urls, FALSE,
    NULL, no_fields, PROXY_STRING, ALL_SCHEMES, FALSE, FALSE,
    DEV_ID_APP_ID, LANGUAGE_POOL_NONE, no_errors, CS_UNSOLVABLE_UNDOCUMENTED,
    CAPSOLVER_LIMITS, REPORT_BODY_FEEDBACK, capsolver_reports, 0, FALSE, TRUE },
};

/* --- Reading the rows ------------------------------------------------------ */

const CsDialect *
_cs_dialect_get (CsProvider provider)
{
  if ((guint) provider >= G_N_ELEMENTS (dialects))
    return NULL;
  return &dialects[provider];
}

const CsDialect *
_cs_dialect_lookup (const char *nick)
{
  if (nick == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (dialects); i++)
    if (g_ascii_strcasecmp (dialects[i].nick, nick) == 0)
      return &dialects[i];
  return NULL;
}

CsProvider
_cs_dialect_get_provider (const CsDialect *dialect)
{
  return dialect->provider;
}

const char *
_cs_dialect_get_nick (const CsDialect *dialect)
{
  return dialect->nick;
}

const char *
_cs_dialect_get_name (const CsDialect *dialect)
{
  return dialect->name;
}

const char * const *
_cs_dialect_get_base_urls (const CsDialect *dialect)
{
  return dialect->base_urls;
}

const CsDialectLimits *
_cs_dialect_get_limits (const CsDialect *dialect)
{
  return &dialect->limits;
}

CsUnsolvableBilling
_cs_dialect_get_unsolvable_billing (const CsDialect *dialect)
{
  return dialect->unsolvable;
}

gboolean
_cs_dialect_ids_are_integers (const CsDialect *dialect)
{
  return dialect->integer_ids;
}

static const CsTaskFamily *
family_by_name (const char *name)
{
  guint n_families = 0;
  const CsTaskFamily * const *families = _cs_task_family_get_all (&n_families);

  for (guint i = 0; name != NULL && i < n_families; i++)
    if (strcmp (families[i]->name, name) == 0)
      return families[i];
  return NULL;
}

/* The spelling of @family in @dialect, and its Enterprise flag. */
static const CsTaskSpelling *
spelling_of (const CsDialect  *dialect,
             const char       *family,
             const char      **flag)
{
  *flag = NULL;
  if (family == NULL)
    return NULL;
  if (dialect->types == NULL)
    {
      const CsTaskFamily *row = family_by_name (family);

      return row != NULL ? &row->spelling : NULL;
    }
  for (const DialectType *type = dialect->types; type->family != NULL; type++)
    if (strcmp (type->family, family) == 0)
      {
        *flag = type->enterprise_flag;
        return &type->names;
      }
  return NULL;
}

static const char *
variant_name (const CsTaskSpelling *names,
              gboolean              with_proxy,
              gboolean              enterprise)
{
  if (enterprise)
    return with_proxy ? names->enterprise_proxy : names->enterprise_proxyless;
  return with_proxy ? names->proxy : names->proxyless;
}

const char *
_cs_dialect_type_name (const CsDialect  *dialect,
                       const char       *family,
                       gboolean          with_proxy,
                       gboolean          enterprise,
                       const char      **flag)
{
  const char *enterprise_flag = NULL;
  const CsTaskSpelling *names = spelling_of (dialect, family, &enterprise_flag);
  const char *name;

  if (flag != NULL)
    *flag = NULL;
  if (names == NULL)
    return NULL;
  name = variant_name (names, with_proxy, enterprise);
  if (name == NULL && enterprise && enterprise_flag != NULL)
    {
      /* the plain name, with the flag that asks for Enterprise */
      name = variant_name (names, with_proxy, FALSE);
      if (name != NULL && flag != NULL)
        *flag = enterprise_flag;
    }
  return name;
}

static gboolean
same_name (const char *a,
           const char *b)
{
  return a != NULL && b != NULL && g_ascii_strcasecmp (a, b) == 0;
}

/* Which variant of @names @type_name is; FALSE if none. */
static gboolean
match_spelling (const CsTaskSpelling *names,
                const char           *type_name,
                JsonObject           *task,
                gboolean             *with_proxy,
                gboolean             *enterprise)
{
  const char *variants[] = {
    names->proxyless, names->proxy, names->enterprise_proxyless, names->enterprise_proxy
  };

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    if (same_name (variants[i], type_name))
      {
        *enterprise = i >= 2;
        *with_proxy = i % 2 == 1;
        /* one name for both variants: the proxy fields decide */
        if (same_name (variants[i & ~1u], variants[i | 1u]))
          *with_proxy = task != NULL && _cs_task_field_is_present (task, "proxyAddress");
        return TRUE;
      }
  return FALSE;
}

const char *
_cs_dialect_family_of (const CsDialect *dialect,
                       const char      *type_name,
                       JsonObject      *task,
                       gboolean        *with_proxy,
                       gboolean        *enterprise)
{
  gboolean proxy = FALSE;
  gboolean ent = FALSE;
  const char *found = NULL;

  if (type_name == NULL)
    return NULL;
  if (dialect->types == NULL)
    {
      const CsTaskFamily *family = _cs_task_family_lookup (type_name, &proxy);

      if (family != NULL)
        {
          found = family->name;
          ent = same_name (type_name, family->spelling.enterprise_proxyless) ||
                same_name (type_name, family->spelling.enterprise_proxy);
        }
    }
  else
    for (const DialectType *type = dialect->types; type->family != NULL && !found; type++)
      if (match_spelling (&type->names, type_name, task, &proxy, &ent) ||
          match_spelling (&type->aliases, type_name, task, &proxy, &ent))
        {
          gboolean flag = FALSE;

          found = type->family;
          if (!ent && type->enterprise_flag != NULL && task != NULL &&
              _cs_json_get_boolean (task, type->enterprise_flag, &flag))
            ent = flag;
        }

  if (with_proxy != NULL)
    *with_proxy = proxy;
  if (enterprise != NULL)
    *enterprise = ent;
  return found;
}

static gboolean
spelt_as (const CsTaskSpelling *names,
          const char           *type_name)
{
  return g_strcmp0 (names->proxyless, type_name) == 0 || g_strcmp0 (names->proxy, type_name) == 0 ||
         g_strcmp0 (names->enterprise_proxyless, type_name) == 0 ||
         g_strcmp0 (names->enterprise_proxy, type_name) == 0;
}

gboolean
_cs_dialect_is_own_spelling (const CsDialect *dialect,
                             const char      *type_name)
{
  if (type_name == NULL)
    return FALSE;
  for (const DialectType *type = dialect->types; type != NULL && type->family != NULL; type++)
    if (spelt_as (&type->names, type_name) || spelt_as (&type->aliases, type_name))
      return TRUE;
  return FALSE;
}

char *
_cs_dialect_providers_with (const char *family,
                            gboolean    with_proxy,
                            gboolean    enterprise)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (dialects); i++)
    if (dialects[i].provider != CS_PROVIDER_COMPATIBLE &&
        _cs_dialect_type_name (&dialects[i], family, with_proxy, enterprise, NULL) != NULL)
      g_strv_builder_add (builder, dialects[i].name);
  names = g_strv_builder_end (builder);
  return g_strjoinv (", ", names);
}

static const DialectError *
find_error (const CsDialect *dialect,
            const char      *code_text)
{
  for (const DialectError *row = dialect->errors; code_text != NULL && row->text != NULL; row++)
    if (strcmp (row->text, code_text) == 0)
      return row;
  return NULL;
}

CsError
_cs_dialect_error_from_code (const CsDialect *dialect,
                             const char      *code_text)
{
  const DialectError *row = find_error (dialect, code_text);

  if (code_text == NULL)
    return CS_ERROR_FAILED;
  return row != NULL ? row->code : cs_error_from_code (code_text);
}

const char *
_cs_dialect_code_for_error (const CsDialect *dialect,
                            CsError          code,
                            gint            *id)
{
  const DialectError *found = NULL;

  if (code == CS_ERROR_FAILED)
    return NULL;
  /* the row marked for the code, else the one spelt as CapSolver spells it */
  for (const DialectError *row = dialect->errors; row->text != NULL && found == NULL; row++)
    if (row->written_for == code)
      found = row;
  for (const DialectError *row = dialect->errors; row->text != NULL && found == NULL; row++)
    if (!row->pending && row->code == code && g_strcmp0 (row->text, cs_error_to_code (code)) == 0)
      found = row;
  if (found == NULL)
    return NULL;
  if (id != NULL)
    *id = found->id != 0 ? found->id : 1;
  return found->text;
}

const char *
_cs_dialect_code_from_id (const CsDialect *dialect,
                          gint64           error_id)
{
  for (const DialectError *row = dialect->errors; row->text != NULL; row++)
    if (row->id != 0 && row->id == error_id)
      return row->text;
  return NULL;
}

/* --- createTask ------------------------------------------------------------ */

static const char *
variant_words (gboolean with_proxy,
               gboolean enterprise)
{
  if (enterprise)
    return with_proxy ? "Enterprise, through your proxy" : "Enterprise, without a proxy";
  return with_proxy ? "through your proxy" : "without a proxy";
}

/* CS_ERROR_TASK_NOT_SUPPORTED, naming who has the type. */
static void
set_not_supported (const CsDialect  *dialect,
                   const char       *family,
                   gboolean          with_proxy,
                   gboolean          enterprise,
                   GError          **error)
{
  g_autofree char *others = _cs_dialect_providers_with (family, with_proxy, enterprise);

  g_set_error (error, CS_ERROR, CS_ERROR_TASK_NOT_SUPPORTED,
               "ERROR_TASK_NOT_SUPPORTED: %s has no %s task (%s) that this library can write;"
               " %s: %s", dialect->name, family, variant_words (with_proxy, enterprise),
               strchr (others, ',') != NULL ? "these providers have it" : "this provider has it",
               others);
}

/* Removes a member, dotted or not, and the object that held it if it is
 * now empty. */
static void
remove_member (JsonObject *object,
               const char *member)
{
  const char *dot = strchr (member, '.');

  _cs_task_field_put (object, member, NULL);
  if (dot != NULL)
    {
      g_autofree char *parent = g_strndup (member, dot - member);
      JsonObject *held = _cs_json_get_object (object, parent);

      if (held != NULL && json_object_get_size (held) == 0)
        json_object_remove_member (object, parent);
    }
}

static void
append_cookie (const char *name,
               const char *value,
               gpointer    user_data)
{
  GString *text = user_data;

  if (text->len > 0)
    g_string_append (text, "; ");
  g_string_append_printf (text, "%s=%s", name, value);
}

/* Applies the field rows of @dialect that concern @family to @task. */
static gboolean
apply_fields (const CsDialect  *dialect,
              const char       *family,
              JsonObject       *task,
              GPtrArray        *dropped,
              GError          **error)
{
  for (const DialectField *row = dialect->fields; row->member != NULL; row++)
    {
      JsonNode *node;

      if (row->family != NULL && g_strcmp0 (row->family, family) != 0)
        continue;
      if (!_cs_task_field_is_present (task, row->member))
        {
          if (row->action == FIELD_REQUIRE)
            return _cs_invalid_task_data (error, "%s", row->text);
          continue;
        }
      node = _cs_task_field_lookup (task, row->member);
      switch (row->action)
        {
        case FIELD_RENAME:
          _cs_task_field_put (task, row->text, json_node_copy (node));
          remove_member (task, row->member);
          break;
        case FIELD_DROP:
          g_ptr_array_add (dropped, g_strdup (row->member));
          remove_member (task, row->member);
          break;
        case FIELD_REFUSE:
          return _cs_invalid_task_data (error, "%s (field %s)", row->text, row->member);
        case FIELD_COOKIE_STRING:
          {
            GString *text = g_string_new (NULL);

            _cs_cookies_foreach (node, append_cookie, text);
            _cs_task_field_put (task, row->member,
                                json_node_init_string (json_node_alloc (), text->str));
            g_string_free (text, TRUE);
          }
          break;
        case FIELD_REQUIRE:
        default:
          break;
        }
    }
  return TRUE;
}

static const char * const proxy_members[] = {
  "proxy", "proxyType", "proxyAddress", "proxyPort", "proxyLogin", "proxyPassword", NULL
};

/* The proxy a neutral task carries, in either form, or NULL with
 * *@error unset when it has none. */
static CsProxy *
read_proxy (JsonObject  *task,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *text = _cs_json_get_string (task, "proxy");
  const char *type_text;
  const char *host;
  const char *login;
  const char *password;
  CsProxyScheme scheme = CS_PROXY_SCHEME_HTTP;
  gint64 port = 0;

  if (text != NULL && *text != '\0')
    {
      CsProxy *proxy = cs_proxy_new_from_string (text, &local_error);

      if (proxy == NULL)
        _cs_invalid_task_data (error, "the proxy cannot be read: %s", local_error->message);
      return proxy;
    }
  host = _cs_json_get_string (task, "proxyAddress");
  if (host == NULL || *host == '\0')
    return NULL;

  type_text = _cs_json_get_string (task, "proxyType");
  for (CsProxyScheme s = CS_PROXY_SCHEME_HTTP; type_text != NULL && s <= CS_PROXY_SCHEME_SOCKS5;
       s++)
    if (g_ascii_strcasecmp (type_text, _cs_proxy_scheme_to_string (s)) == 0)
      scheme = s;
  if (!_cs_json_get_int (task, "proxyPort", &port))
    {
      const char *port_text = _cs_json_get_string (task, "proxyPort");
      guint64 number = 0;

      if (port_text != NULL &&
          g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &number, NULL))
        port = (gint64) number;
    }
  login = _cs_json_get_string (task, "proxyLogin");
  password = _cs_json_get_string (task, "proxyPassword");
  if (port < 1 || port > 65535 ||
      !_cs_proxy_check_parts (host, (guint) port, login, password, &local_error))
    {
      _cs_invalid_task_data (error, "the proxy cannot be read: %s",
                             local_error != NULL ? local_error->message
                                             : "the port is out of range (1-65535)");
      return NULL;
    }
  return cs_proxy_new (scheme, host, (guint) port, login, password);
}

/* Loopback, private, link-local, unspecified: addresses the provider's
 * workers cannot reach, or must not. */
static gboolean
is_local_address (GInetAddress *address)
{
  const guint8 *bytes = g_inet_address_to_bytes (address);

  if (g_inet_address_get_is_loopback (address) || g_inet_address_get_is_any (address) ||
      g_inet_address_get_is_link_local (address) || g_inet_address_get_is_site_local (address))
    return TRUE;
  /* IPv6 unique local addresses, fc00::/7 */
  return g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 &&
         (bytes[0] & 0xfe) == 0xfc;
}

static gboolean
check_proxy (const CsDialect  *dialect,
             CsProxy          *proxy,
             GError          **error)
{
  g_autoptr(GInetAddress) address = NULL;
  CsProxyScheme scheme = cs_proxy_get_scheme (proxy);

  if ((dialect->proxy_schemes & (1u << scheme)) == 0)
    return _cs_invalid_task_data (error, "%s takes no %s proxy", dialect->name,
                                  _cs_proxy_scheme_to_string (scheme));
  if (!dialect->proxy_ip_only)
    return TRUE;
  address = g_inet_address_new_from_string (cs_proxy_get_host (proxy));
  if (address == NULL)
    return _cs_invalid_task_data (error, "%s takes a proxy by its IP address, not a host name (%s)",
                                  dialect->name, cs_proxy_get_host (proxy));
  if (dialect->proxy_public_only && is_local_address (address))
    return _cs_invalid_task_data (error, "%s cannot reach a proxy at a loopback, private or "
                                  "link-local address (%s)", dialect->name,
                                  cs_proxy_get_host (proxy));
  return TRUE;
}

/* The proxy members of @task in the dialect's encoding. */
static gboolean
encode_proxy (const CsDialect  *dialect,
              const char       *family,
              JsonObject       *task,
              gboolean          with_proxy,
              GPtrArray        *dropped,
              GError          **error)
{
  g_autoptr(CsProxy) proxy = NULL;
  g_autoptr(GError) local_error = NULL;

  /* a proxy beside a type without one: CapSolver ignores it, but where one
   * name serves both variants it would change the task */
  if (dialect->proxy == PROXY_FIELDS && family != NULL && !with_proxy)
    {
      gboolean had = FALSE;

      for (guint i = 0; proxy_members[i] != NULL; i++)
        if (json_object_has_member (task, proxy_members[i]))
          {
            json_object_remove_member (task, proxy_members[i]);
            had = TRUE;
          }
      if (had)
        g_ptr_array_add (dropped, g_strdup ("proxy"));
      return TRUE;
    }

  proxy = read_proxy (task, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (proxy == NULL)
    return !with_proxy ||
           _cs_invalid_task_data (error, "missing required field proxy (the task solves through "
                                  "your proxy)");
  if (!check_proxy (dialect, proxy, error))
    return FALSE;
  if (dialect->proxy == PROXY_STRING)
    return TRUE;
  for (guint i = 0; proxy_members[i] != NULL; i++)
    json_object_remove_member (task, proxy_members[i]);
  _cs_proxy_write_fields (proxy, CS_PROXY_FORMAT_FIELDS, task);
  return TRUE;
}

/* The bytes a base64 text holds, without decoding it. */
static gsize
base64_size (const char *text)
{
  gsize length = strlen (text);
  gsize padding = 0;

  while (padding < 2 && length > padding && text[length - 1 - padding] == '=')
    padding++;
  return length / 4 * 3 + (length % 4 > 1 ? length % 4 - 1 : 0) - padding;
}

static gboolean
check_image_size (const CsDialect  *dialect,
                  const char       *member,
                  JsonNode         *node,
                  GError          **error)
{
  const CsDialectLimits *limits = &dialect->limits;
  gsize size;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return TRUE;
  size = base64_size (json_node_get_string (node));
  if ((limits->image_min_bytes > 0 && size < limits->image_min_bytes) ||
      (limits->image_max_bytes > 0 && size > limits->image_max_bytes))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_INVALID_IMAGE,
                   "ERROR_INVALID_IMAGE: %s takes images of %u to %u bytes; %s has %"
                   G_GSIZE_FORMAT, dialect->name, limits->image_min_bytes,
                   limits->image_max_bytes, member, size);
      return FALSE;
    }
  return TRUE;
}

/* The image fields of @family against the sizes the provider takes. */
static gboolean
check_image_sizes (const CsDialect     *dialect,
                   const CsTaskFamily  *family,
                   JsonObject          *task,
                   GError             **error)
{
  for (const CsTaskField * const *field = family != NULL ? family->fields : NULL;
       field != NULL && *field != NULL; field++)
    {
      JsonNode *node;

      if (((*field)->flags & CS_FIELD_IMAGE) == 0 ||
          (node = _cs_task_field_lookup (task, (*field)->member)) == NULL)
        continue;
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *images = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (images); i++)
            if (!check_image_size (dialect, (*field)->member,
                                   json_array_get_element (images, i), error))
              return FALSE;
        }
      else if (!check_image_size (dialect, (*field)->member, node, error))
        return FALSE;
    }
  return TRUE;
}

/* The developer id, as the dialect sends it. */
static gboolean
put_dev_id (const CsDialect  *dialect,
            const char       *app_id,
            JsonObject       *body,
            GPtrArray        *dropped,
            GError          **error)
{
  guint64 soft_id = 0;

  if (app_id == NULL || *app_id == '\0')
    return TRUE;
  switch (dialect->dev_id)
    {
    case DEV_ID_APP_ID:
      json_object_set_string_member (body, "appId", app_id);
      return TRUE;
    case DEV_ID_SOFT_ID:
      if (!g_ascii_string_to_unsigned (app_id, 10, 1, G_MAXINT64, &soft_id, NULL))
        return _cs_invalid_task_data (error, "%s's softId is a number, not %s", dialect->name,
                                      app_id);
      json_object_set_int_member (body, "softId", (gint64) soft_id);
      return TRUE;
    case DEV_ID_NONE:
    default:
      g_ptr_array_add (dropped, g_strdup ("appId"));
      return TRUE;
    }
}

static void
put_language_pool (const CsDialect *dialect,
                   const char      *family,
                   const char      *language_pool,
                   JsonObject      *body,
                   JsonObject      *task,
                   GPtrArray       *dropped)
{
  if (language_pool == NULL || *language_pool == '\0')
    return;
  if (dialect->language_pool == LANGUAGE_POOL_ENVELOPE)
    json_object_set_string_member (body, "languagePool", language_pool);
  else if (dialect->language_pool == LANGUAGE_POOL_IMAGE_TASK &&
           g_strcmp0 (family, "image-to-text") == 0)
    json_object_set_string_member (task, "languagePool", language_pool);
  else
    g_ptr_array_add (dropped, g_strdup ("languagePool"));
}

/* A deep copy of @object, with "type" first. */
static JsonObject *
copy_task (JsonObject *object,
           const char *type_name)
{
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *member;
  JsonNode *node;

  if (type_name != NULL)
    json_object_set_string_member (copy, "type", type_name);
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &member, &node))
    if (type_name == NULL || strcmp (member, "type") != 0)
      json_object_set_member (copy, member, json_node_copy (node));
  return copy;
}

JsonObject *
_cs_dialect_build_create_task (const CsDialect         *dialect,
                               JsonObject              *task,
                               const CsDialectEnvelope *envelope,
                               GStrv                   *dropped,
                               GError                 **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonObject) out = NULL;
  g_autoptr(GPtrArray) left_out = g_ptr_array_new_with_free_func (g_free);
  const char *type_name = _cs_json_get_string (task, "type");
  const CsTaskFamily *family = _cs_task_family_lookup (type_name, NULL);
  const char *family_name = family != NULL ? family->name : NULL;
  const char *wire_name = type_name;
  const char *flag = NULL;
  gboolean with_proxy = FALSE;
  gboolean enterprise = FALSE;

  if (dropped != NULL)
    *dropped = NULL;
  if (type_name == NULL || *type_name == '\0')
    {
      _cs_invalid_task_data (error, "the task has no type");
      return NULL;
    }

  /* CapSolver's dialect sends the name as the task has it; the others
   * their own spelling of the family's variant */
  if (family != NULL)
    {
      family_name = _cs_dialect_family_of (_cs_dialect_get (CS_PROVIDER_CAPSOLVER), type_name,
                                           task, &with_proxy, &enterprise);
      if (dialect->types != NULL)
        {
          wire_name = _cs_dialect_type_name (dialect, family_name, with_proxy, enterprise, &flag);
          if (wire_name == NULL)
            {
              set_not_supported (dialect, family_name, with_proxy, enterprise, error);
              return NULL;
            }
        }
    }

  out = copy_task (task, wire_name);
  if (flag != NULL)
    json_object_set_boolean_member (out, flag, TRUE);
  if (!apply_fields (dialect, family_name, out, left_out, error) ||
      !check_image_sizes (dialect, family, out, error) ||
      !encode_proxy (dialect, family_name, out, with_proxy, left_out, error))
    return NULL;

  json_object_set_string_member (body, "clientKey",
                                 envelope->client_key != NULL ? envelope->client_key : "");
  if (!put_dev_id (dialect, envelope->app_id, body, left_out, error))
    return NULL;
  put_language_pool (dialect, family_name, envelope->language_pool, body, out, left_out);
  if (envelope->callback_url != NULL && *envelope->callback_url != '\0')
    json_object_set_string_member (body, "callbackUrl", envelope->callback_url);
  json_object_set_object_member (body, "task", g_steal_pointer (&out));

  if (dropped != NULL && left_out->len > 0)
    {
      g_ptr_array_add (left_out, NULL);
      *dropped = (GStrv) g_ptr_array_free (g_steal_pointer (&left_out), FALSE);
    }
  return g_steal_pointer (&body);
}

static const DialectType *
type_row (const CsDialect *dialect,
          const char      *family)
{
  for (const DialectType *type = dialect->types; type != NULL && type->family != NULL; type++)
    if (strcmp (type->family, family) == 0)
      return type;
  return NULL;
}

JsonObject *
_cs_dialect_read_create_task (const CsDialect *dialect,
                              JsonObject      *body,
                              GError         **error)
{
  JsonObject *task = _cs_json_get_object (body, "task");
  const char *type_name = _cs_json_get_string (task, "type");
  const char *neutral_name = type_name;
  const char *family = NULL;
  const DialectType *row;
  gboolean with_proxy = FALSE;
  gboolean enterprise = FALSE;
  JsonObject *out;

  if (type_name == NULL || *type_name == '\0')
    {
      g_set_error_literal (error, CS_ERROR, CS_ERROR_REQUIRED_FIELDS,
                           task == NULL ? "ERROR_REQUIRED_FIELDS: the request has no task"
                                        : "ERROR_REQUIRED_FIELDS: the task has no type");
      return NULL;
    }
  if (dialect->types != NULL)
    family = _cs_dialect_family_of (dialect, type_name, task, &with_proxy, &enterprise);
  if (family != NULL)
    neutral_name = _cs_dialect_type_name (_cs_dialect_get (CS_PROVIDER_CAPSOLVER), family,
                                          with_proxy, enterprise, NULL);

  out = copy_task (task, neutral_name);
  row = family != NULL ? type_row (dialect, family) : NULL;
  if (row != NULL && row->enterprise_flag != NULL)
    json_object_remove_member (out, row->enterprise_flag);
  /* the renames, backwards */
  for (const DialectField *field = dialect->fields; family != NULL && field->member != NULL;
       field++)
    if (field->action == FIELD_RENAME && g_strcmp0 (field->family, family) == 0 &&
        _cs_task_field_is_present (out, field->text))
      {
        _cs_task_field_put (out, field->member,
                            json_node_copy (_cs_task_field_lookup (out, field->text)));
        remove_member (out, field->text);
      }
  return out;
}

/* @task_id in the wire type of the dialect, into @body. */
static gboolean
put_task_id (const CsDialect  *dialect,
             const char       *task_id,
             JsonObject       *body,
             GError          **error)
{
  guint64 number = 0;

  if (task_id == NULL || *task_id == '\0')
    return _cs_invalid_task_data (error, "the task has no task id");
  if (!dialect->integer_ids)
    {
      json_object_set_string_member (body, "taskId", task_id);
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (task_id, 10, 1, G_MAXINT64, &number, NULL))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID,
                   "ERROR_TASKID_INVALID: %s's task ids are numbers, not %s",
                   dialect->name, task_id);
      return FALSE;
    }
  json_object_set_int_member (body, "taskId", (gint64) number);
  return TRUE;
}

JsonObject *
_cs_dialect_build_task_call (const CsDialect *dialect,
                             const char      *client_key,
                             const char      *task_id,
                             GError         **error)
{
  g_autoptr(JsonObject) body = json_object_new ();

  json_object_set_string_member (body, "clientKey", client_key != NULL ? client_key : "");
  if (!put_task_id (dialect, task_id, body, error))
    return NULL;
  return g_steal_pointer (&body);
}

/* --- Replies --------------------------------------------------------------- */

void
_cs_dialect_reply_clear (CsDialectReply *reply)
{
  _cs_reply_clear (&reply->reply);
  g_clear_pointer (&reply->task_id, g_free);
  g_clear_pointer (&reply->code_text, g_free);
  g_clear_pointer (&reply->ip, g_free);
  reply->fields = 0;
}

static gboolean
read_integer (JsonObject *object,
              const char *member,
              gint64     *value)
{
  const char *text;

  if (_cs_json_get_int (object, member, value))
    return TRUE;
  text = _cs_json_get_string (object, member);
  return text != NULL && g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, value, NULL);
}

void
_cs_dialect_read_result_fields (JsonObject     *root,
                                CsDialectReply *reply)
{
  const char *ip = _cs_json_get_string (root, "ip");

  if (_cs_json_get_number (root, "cost", &reply->cost))
    reply->fields |= CS_DIALECT_HAS_COST;
  if (ip != NULL && *ip != '\0')
    {
      reply->ip = g_strdup (ip);
      reply->fields |= CS_DIALECT_HAS_IP;
    }
  if (read_integer (root, "createTime", &reply->create_time))
    reply->fields |= CS_DIALECT_HAS_CREATE_TIME;
  if (read_integer (root, "endTime", &reply->end_time))
    reply->fields |= CS_DIALECT_HAS_END_TIME;
  if (read_integer (root, "solveCount", &reply->solve_count))
    reply->fields |= CS_DIALECT_HAS_SOLVE_COUNT;
  if (_cs_json_get_number (root, "balance", &reply->balance))
    reply->fields |= CS_DIALECT_HAS_BALANCE;
  if (read_integer (root, "captchaCredits", &reply->credits))
    reply->fields |= CS_DIALECT_HAS_CREDITS;
}

static gboolean
protocol_error (CsDialectReply  *reply,
                GError         **error,
                const char      *what)
{
  g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL, "HTTP %u: %s", reply->reply.http_status, what);
  return FALSE;
}

gboolean
_cs_dialect_parse_reply (const CsDialect    *dialect,
                         CsDialectMethod     method,
                         guint               http_status,
                         GBytes             *body,
                         const char * const *secrets,
                         CsDialectReply     *reply,
                         GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  const DialectError *row;
  JsonObject *root;
  const char *code_text;
  gboolean envelope_ok;
  gboolean flag = FALSE;

  memset (reply, 0, sizeof *reply);
  reply->method = method;
  envelope_ok = _cs_reply_parse (&reply->reply, http_status, body, secrets, &local_error);
  root = reply->reply.root;
  if (root == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!read_integer (root, "errorId", &reply->error_id) &&
      _cs_json_get_boolean (root, "errorId", &flag))
    reply->error_id = flag ? 1 : 0;
  code_text = _cs_json_get_string (root, "errorCode");
  if ((code_text == NULL || *code_text == '\0') && reply->error_id >= 1)
    code_text = _cs_dialect_code_from_id (dialect, reply->error_id);
  if (code_text != NULL && *code_text != '\0')
    reply->code_text = g_strdup (code_text);
  reply->task_id = _cs_json_get_id (root, "taskId");
  /* an error reply may carry "taskId": 0 */
  if (g_strcmp0 (reply->task_id, "0") == 0)
    g_clear_pointer (&reply->task_id, g_free);
  /* a report's "success" is no task status */
  if (reply->reply.has_status && method != CS_DIALECT_REPORT && method != CS_DIALECT_GET_BALANCE)
    reply->status = reply->reply.status;
  _cs_dialect_read_result_fields (root, reply);

  if (!envelope_ok)
    {
      GError *reply_error;

      /* not an error the reply names: a protocol error, as it was read */
      if (reply->code_text == NULL || local_error->code == CS_ERROR_PROTOCOL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      row = find_error (dialect, reply->code_text);
      if (row != NULL && row->pending)
        {
          reply->status = CS_TASK_STATUS_PROCESSING;
          return TRUE;
        }
      reply_error = _cs_error_new_from_reply (reply->code_text,
                                              _cs_json_get_string (root, "errorDescription"),
                                              secrets);
      reply_error->code = _cs_dialect_error_from_code (dialect, reply->code_text);
      g_propagate_error (error, reply_error);
      return FALSE;
    }

  switch (method)
    {
    case CS_DIALECT_CREATE_TASK:
      if (reply->task_id == NULL &&
          !(reply->status == CS_TASK_STATUS_READY && reply->reply.solution != NULL))
        return protocol_error (reply, error, "createTask reply carries no task id");
      break;
    case CS_DIALECT_GET_TASK_RESULT:
      if (reply->status == CS_TASK_STATUS_NEW)
        return protocol_error (reply, error, "getTaskResult reply carries no status");
      break;
    case CS_DIALECT_GET_BALANCE:
      if ((reply->fields & CS_DIALECT_HAS_BALANCE) == 0)
        return protocol_error (reply, error, "getBalance reply carries no balance");
      break;
    case CS_DIALECT_REPORT:
    default:
      break;
    }
  return TRUE;
}

gboolean
_cs_dialect_read_envelope (const CsDialect    *dialect,
                           CsReply            *reply,
                           guint               http_status,
                           GBytes             *body,
                           const char * const *secrets,
                           GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  const DialectError *row;
  const char *code_text;
  GError *reply_error;
  gint64 error_id = 0;

  if (_cs_reply_parse (reply, http_status, body, secrets, &local_error))
    return TRUE;
  /* CapSolver's codes are the library's own; what is not an error the
   * reply names is read the same in every dialect */
  if (dialect->types == NULL || reply->root == NULL || local_error->domain != CS_ERROR ||
      local_error->code == CS_ERROR_PROTOCOL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  code_text = _cs_json_get_string (reply->root, "errorCode");
  if ((code_text == NULL || *code_text == '\0') &&
      read_integer (reply->root, "errorId", &error_id) && error_id >= 1)
    code_text = _cs_dialect_code_from_id (dialect, error_id);
  if (code_text == NULL || *code_text == '\0')
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  row = find_error (dialect, code_text);
  if (row != NULL && row->pending)
    {
      reply->has_status = TRUE;
      reply->status = CS_TASK_STATUS_PROCESSING;
      return TRUE;
    }
  reply_error = _cs_error_new_from_reply (code_text,
                                          _cs_json_get_string (reply->root, "errorDescription"),
                                          secrets);
  reply_error->code = _cs_dialect_error_from_code (dialect, code_text);
  g_propagate_error (error, reply_error);
  return FALSE;
}

/* A reply as CapSolver writes it, written as @dialect does: for a server
 * that speaks the dialect (the sandbox). */
JsonObject *
_cs_dialect_write_reply (const CsDialect *dialect,
                         JsonObject      *reply)
{
  JsonObject *out = copy_task (reply, NULL);
  const char *code_text = _cs_json_get_string (reply, "errorCode");
  const char *status = _cs_json_get_string (reply, "status");
  const char *task_id = _cs_json_get_string (reply, "taskId");
  gboolean failed = g_strcmp0 (status, "failed") == 0;
  guint64 number = 0;

  if (dialect->types == NULL)
    return out;

  /* the others say a failure with an error, not with a status */
  if (failed)
    {
      json_object_remove_member (out, "status");
      if (code_text == NULL || *code_text == '\0')
        code_text = "ERROR_CAPTCHA_UNSOLVABLE";
    }
  if (code_text != NULL && *code_text != '\0')
    {
      gint id = 1;
      const DialectError *own = find_error (dialect, code_text);
      const char *text = _cs_dialect_code_for_error (dialect, cs_error_from_code (code_text),
                                                     &id);

      /* a code CapSolver lacks, in the provider's own words: its number */
      if (text == NULL && own != NULL)
        {
          text = own->text;
          id = own->id != 0 ? own->id : 1;
        }

      json_object_set_int_member (out, "errorId", text != NULL ? id : 1);
      json_object_set_string_member (out, "errorCode", text != NULL ? text : code_text);
    }
  else
    {
      json_object_set_int_member (out, "errorId", 0);
      json_object_remove_member (out, "errorCode");
      if (g_strcmp0 (_cs_json_get_string (out, "errorDescription"), "") == 0)
        json_object_remove_member (out, "errorDescription");
    }
  if (!dialect->idle_status && g_strcmp0 (status, "idle") == 0)
    json_object_set_string_member (out, "status", "processing");
  if (dialect->integer_ids && task_id != NULL &&
      g_ascii_string_to_unsigned (task_id, 10, 1, G_MAXINT64, &number, NULL))
    json_object_set_int_member (out, "taskId", (gint64) number);
  return out;
}

/* --- Reports --------------------------------------------------------------- */

static const DialectReport *
find_report (const CsDialect *dialect,
             const char      *family,
             ReportKind       kind)
{
  for (const DialectReport *row = dialect->reports; row->method != NULL; row++)
    if ((row->kinds & kind) != 0 &&
        (row->family == NULL || g_strcmp0 (row->family, family) == 0))
      return row;
  return NULL;
}

const char *
_cs_dialect_lookup_report (const CsDialect *dialect,
                           const char      *name,
                           gboolean        *correct)
{
  for (const DialectReport *row = dialect->reports; name != NULL && row->method != NULL; row++)
    if (strcmp (row->method, name) == 0)
      {
        if (correct != NULL)
          *correct = row->kinds == REPORT_CORRECT;
        return row->method;
      }
  return NULL;
}

JsonObject *
_cs_dialect_build_report (const CsDialect        *dialect,
                          const CsDialectReport  *report,
                          const char            **method,
                          GError                **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  const DialectReport *row;
  const char *adjective = report->correct ? "correct" : "incorrect";

  *method = NULL;
  row = find_report (dialect, report->family,
                     report->correct ? REPORT_CORRECT : REPORT_INCORRECT);
  if (row == NULL)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PAGE_NOT_FOUND,
                   "ERROR_PAGE_NOT_FOUND: %s takes no report of an %s solution of %s",
                   dialect->name, adjective,
                   report->family != NULL ? report->family : "this task type");
      return NULL;
    }
  if (dialect->one_report_per_task && report->reports_sent > 0)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_BAD_REQUEST,
                   "ERROR_BAD_REQUEST: %s takes one report per task, and this task was "
                   "reported already", dialect->name);
      return NULL;
    }
  if (dialect->report_window_s > 0 && report->since_solved_s > dialect->report_window_s)
    {
      g_set_error (error, CS_ERROR, CS_ERROR_TASKID_INVALID,
                   "ERROR_TASKID_INVALID: %s takes reports within %u s of the solution, "
                   "and this one came %" G_GINT64_FORMAT " s after it",
                   dialect->name, dialect->report_window_s, report->since_solved_s);
      return NULL;
    }

  json_object_set_string_member (body, "clientKey",
                                 report->client_key != NULL ? report->client_key : "");
  if (!put_task_id (dialect, report->task_id, body, error))
    return NULL;
  if (dialect->report_body == REPORT_BODY_FEEDBACK)
    {
      JsonObject *result = json_object_new ();

      if (report->app_id != NULL && *report->app_id != '\0')
        json_object_set_string_member (body, "appId", report->app_id);
      json_object_set_boolean_member (result, "invalid", !report->correct);
      if (report->code != 0)
        json_object_set_int_member (result, "code", report->code);
      if (report->message != NULL)
        json_object_set_string_member (result, "message", report->message);
      json_object_set_object_member (body, "result", result);
    }
  *method = row->method;
  return g_steal_pointer (&body);
}
