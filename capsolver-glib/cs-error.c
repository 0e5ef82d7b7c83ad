/* cs-error.c: the CS_ERROR domain and the table of CapSolver error codes
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "cs-private.h"

/**
 * cs_error_quark:
 *
 * Gets the quark of the [error@CapSolver.Error] domain.
 *
 * Returns: the error domain
 *
 * Since: 1.0
 */
/* Written by hand rather than with G_DEFINE_QUARK: formatters rewrite the
 * macro's dashed argument, and the macro stringifies it. */
GQuark
cs_error_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("cs-error-quark");
  return quark;
}

typedef struct {
  CsError      code;
  const char  *text;       /* the wire errorCode, or NULL */
  CsRetryClass retry;
  guint        cooldown;   /* seconds, for CS_RETRY_CLASS_COOLDOWN */
  CsHold       hold;       /* what the account's breaker holds after it */
} CsErrorCode;

/* One row per CapSolver errorCode; the first row of a value is the spelling
 * sent back by cs_error_to_code(). The last column says what the answer
 * tells of the account rather than of the request (docs/errors.md has the
 * table): the key refused (HOLD_ALL: nothing more is sent with it), no
 * money (HOLD_SPENDING: no more tasks until a balance shows some), or a
 * cooldown (HOLD_PAUSE: nothing for the cooldown; ADDRESS: nothing with
 * any key at that service, which banned the address). */
#define PERMANENT CS_RETRY_CLASS_PERMANENT
#define TRANSIENT CS_RETRY_CLASS_TRANSIENT
#define COOLDOWN  CS_RETRY_CLASS_COOLDOWN
#define NEW_TASK  CS_RETRY_CLASS_NEW_TASK
#define NONE      CS_HOLD_NONE
#define PAUSE     CS_HOLD_PAUSE
#define ADDRESS   CS_HOLD_PAUSE_ADDRESS
#define SPENDING  CS_HOLD_SPENDING
#define ALL       CS_HOLD_ALL

static const CsErrorCode error_codes[] = {
  { CS_ERROR_SERVICE_UNAVAILABLE,    "ERROR_SERVICE_UNAVALIABLE",   TRANSIENT,    0, NONE     },
  { CS_ERROR_SERVICE_UNAVAILABLE,    "ERROR_SERVICE_UNAVAILABLE",   TRANSIENT,    0, NONE     },
  { CS_ERROR_RATE_LIMIT,             "ERROR_RATE_LIMIT",            COOLDOWN,    30, PAUSE    },
  { CS_ERROR_INVALID_TASK_DATA,      "ERROR_INVALID_TASK_DATA",     PERMANENT,    0, NONE     },
  { CS_ERROR_BAD_REQUEST,            "ERROR_BAD_REQUEST",           PERMANENT,    0, NONE     },
  { CS_ERROR_TASKID_INVALID,         "ERROR_TASKID_INVALID",        NEW_TASK,     0, NONE     },
  { CS_ERROR_TASK_TIMEOUT,           "ERROR_TASK_TIMEOUT",          NEW_TASK,     0, NONE     },
  { CS_ERROR_SETTLEMENT_FAILED,      "ERROR_SETTLEMENT_FAILED",     PERMANENT,    0, SPENDING },
  { CS_ERROR_KEY_DENIED_ACCESS,      "ERROR_KEY_DENIED_ACCESS",     PERMANENT,    0, ALL      },
  { CS_ERROR_ZERO_BALANCE,           "ERROR_ZERO_BALANCE",          PERMANENT,    0, SPENDING },
  { CS_ERROR_TASK_NOT_SUPPORTED,     "ERROR_TASK_NOT_SUPPORTED",    PERMANENT,    0, NONE     },
  { CS_ERROR_CAPTCHA_UNSOLVABLE,     "ERROR_CAPTCHA_UNSOLVABLE",    NEW_TASK,     0, NONE     },
  { CS_ERROR_UNKNOWN_QUESTION,       "ERROR_UNKNOWN_QUESTION",      PERMANENT,    0, NONE     },
  { CS_ERROR_PROXY_BANNED,           "ERROR_PROXY_BANNED",          NEW_TASK,     0, NONE     },
  { CS_ERROR_INVALID_IMAGE,          "ERROR_INVALID_IMAGE",         PERMANENT,    0, NONE     },
  { CS_ERROR_PARSE_IMAGE_FAIL,       "ERROR_PARSE_IMAGE_FAIL",      PERMANENT,    0, NONE     },
  { CS_ERROR_IP_BANNED,              "ERROR_IP_BANNED",             COOLDOWN,  1800, ADDRESS  },
  { CS_ERROR_KEY_TEMP_BLOCKED,       "ERROR_KEY_TEMP_BLOCKED",      COOLDOWN,   300, PAUSE    },
  { CS_ERROR_KEY_DOES_NOT_EXIST,     "ERROR_KEY_DOES_NOT_EXIST",    PERMANENT,    0, ALL      },
  { CS_ERROR_TASK_NOT_FOUND,         "ERROR_TASK_NOT_FOUND",        NEW_TASK,     0, NONE     },
  { CS_ERROR_NO_SLOT_AVAILABLE,      "ERROR_NO_SLOT_AVAILABLE",     TRANSIENT,    0, NONE     },
  { CS_ERROR_INTERNAL_SERVER_ERROR,  "ERROR_INTERNAL_SERVER_ERROR", TRANSIENT,    0, NONE     },
  { CS_ERROR_REQUIRED_FIELDS,        "ERROR_REQUIRED_FIELDS",       PERMANENT,    0, NONE     },
  { CS_ERROR_THREADS_MAXIMUM,        "ERROR_THREADS_MAXIMUM",       TRANSIENT,    0, NONE     },
  { CS_ERROR_ACCOUNT_SUSPENDED,      "ERROR_ACCOUNT_SUSPENDED",     PERMANENT,    0, ALL      },
  { CS_ERROR_IP_NOT_ALLOWED,         "ERROR_IP_NOT_ALLOWED",        PERMANENT,    0, ALL      },
  { CS_ERROR_PAGE_NOT_FOUND,         "ERROR_PAGE_NOT_FOUND",        PERMANENT,    0, NONE     },
  /* The client's own errors: no wire code, but a class. */
  { CS_ERROR_PROTOCOL,               NULL,                          TRANSIENT,    0, NONE     },
  { CS_ERROR_TIMEOUT,                NULL,                          TRANSIENT,    0, NONE     },
  { CS_ERROR_POLLS_EXHAUSTED,        NULL,                          NEW_TASK,     0, NONE     },
  { CS_ERROR_FAILED,                 NULL,                          PERMANENT,    0, NONE     },
};

#undef PERMANENT
#undef TRANSIENT
#undef COOLDOWN
#undef NEW_TASK
#undef NONE
#undef PAUSE
#undef ADDRESS
#undef SPENDING
#undef ALL

static const CsErrorCode *
lookup_row (CsError code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (error_codes[i].code == code)
      return &error_codes[i];
  return NULL;
}

/**
 * cs_error_from_code:
 * @code_text: the code text of an `errorCode` as the service sends it, such
 *   as `ERROR_ZERO_BALANCE`
 *
 * Maps a code text to its code, the [error@Error] value. Both
 * spellings of the service-unavailable code give
 * %CS_ERROR_SERVICE_UNAVAILABLE.
 *
 * Returns: the [error@Error] value, or %CS_ERROR_FAILED for a code this version
 *   does not know
 *
 * Since: 1.0
 */
CsError
cs_error_from_code (const char *code_text)
{
  g_return_val_if_fail (code_text != NULL, CS_ERROR_FAILED);

  for (gsize i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (error_codes[i].text != NULL && strcmp (error_codes[i].text, code_text) == 0)
      return error_codes[i].code;
  return CS_ERROR_FAILED;
}

/**
 * cs_error_to_code:
 * @code: a [error@Error] value
 *
 * Gives the code text of a [error@Error] value, as the service spells it (so
 * %CS_ERROR_SERVICE_UNAVAILABLE gives `ERROR_SERVICE_UNAVALIABLE`).
 *
 * Returns: (nullable): the code text, or %NULL for the values that have
 *   none (%CS_ERROR_FAILED, %CS_ERROR_PROTOCOL, %CS_ERROR_TIMEOUT,
 *   %CS_ERROR_POLLS_EXHAUSTED)
 *
 * Since: 1.0
 */
const char *
cs_error_to_code (CsError code)
{
  const CsErrorCode *row = lookup_row (code);

  return row != NULL ? row->text : NULL;
}

/**
 * cs_error_code_get_retry_class:
 * @code: a [error@Error] value
 *
 * Tells what a caller can do about an error of this code.
 *
 * Returns: the retry class of @code
 *
 * Since: 1.0
 */
CsRetryClass
cs_error_code_get_retry_class (CsError code)
{
  const CsErrorCode *row = lookup_row (code);

  return row != NULL ? row->retry : CS_RETRY_CLASS_PERMANENT;
}

/**
 * cs_error_get_retry_class:
 * @error: an error returned by a [class@Client] call
 *
 * Tells what a caller can do about any error a [class@Client] call returns:
 * errors of [error@CapSolver.Error] by their code, transport errors (a refused or dropped
 * connection, a network timeout) as %CS_RETRY_CLASS_TRANSIENT, and
 * everything else, cancellation included, as %CS_RETRY_CLASS_PERMANENT.
 *
 * Returns: the retry class of @error
 *
 * Since: 1.0
 */
CsRetryClass
cs_error_get_retry_class (const GError *error)
{
  g_return_val_if_fail (error != NULL, CS_RETRY_CLASS_PERMANENT);

  if (error->domain == CS_ERROR)
    return cs_error_code_get_retry_class (error->code);
  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CANCELLED:
        case G_IO_ERROR_INVALID_ARGUMENT:
          return CS_RETRY_CLASS_PERMANENT;
        default:
          return CS_RETRY_CLASS_TRANSIENT;
        }
    }
  if (error->domain == G_RESOLVER_ERROR)
    return CS_RETRY_CLASS_TRANSIENT;
  return CS_RETRY_CLASS_PERMANENT;
}

/* The answers of a service with no room for a new task now: the
 * reference names these three for a refusal of createTask that a later
 * one may not meet. */
gboolean
_cs_error_is_no_slot (const GError *error)
{
  return error->domain == CS_ERROR &&
         (error->code == CS_ERROR_SERVICE_UNAVAILABLE ||
          error->code == CS_ERROR_NO_SLOT_AVAILABLE ||
          error->code == CS_ERROR_THREADS_MAXIMUM);
}

/**
 * cs_error_get_cooldown:
 * @error: an error returned by a [class@Client] call
 *
 * For errors of %CS_RETRY_CLASS_COOLDOWN, how long to stop sending requests
 * with this key: 30 minutes after `ERROR_IP_BANNED`, 5 minutes after
 * `ERROR_KEY_TEMP_BLOCKED`, 30 seconds after `ERROR_RATE_LIMIT`.
 *
 * Returns: the cooldown in seconds, or 0
 *
 * Since: 1.0
 */
guint
cs_error_get_cooldown (const GError *error)
{
  const CsErrorCode *row;

  g_return_val_if_fail (error != NULL, 0);

  if (error->domain != CS_ERROR)
    return 0;
  row = lookup_row (error->code);
  return row != NULL ? row->cooldown : 0;
}

/* What @error tells of the account (CS_ERROR only). */
CsHold
_cs_error_get_hold (const GError *error)
{
  const CsErrorCode *row;

  if (error->domain != CS_ERROR)
    return CS_HOLD_NONE;
  row = lookup_row (error->code);
  return row != NULL ? row->hold : CS_HOLD_NONE;
}

/* An error code as the service writes them: ERROR_ and capitals, digits
 * and underscores, of a sane length. */
static gboolean
is_code_text (const char *text,
              gsize       length)
{
  if (length < 7 || length > 64 || strncmp (text, "ERROR_", 6) != 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isupper (text[i]) && !g_ascii_isdigit (text[i]) && text[i] != '_')
      return FALSE;
  return TRUE;
}

/* The length of the code text that starts @message ("ERROR_CODE: …", as
 * _cs_error_new_from_reply() writes it), or 0: the one reader of that
 * form. */
static gsize
leading_code_length (const char *message)
{
  const char *colon = strchr (message, ':');

  if (colon != NULL && is_code_text (message, colon - message))
    return colon - message;
  return 0;
}

/**
 * cs_error_get_code_text:
 * @error: an error returned by a [class@Client] call
 *
 * Gets the `errorCode` exactly as the service sent it, such as
 * `ERROR_SERVICE_UNAVALIABLE`, including codes this version of the
 * library does not know (which are %CS_ERROR_FAILED). Use this rather
 * than reading the message, whose form is for people.
 *
 * Returns: (transfer full) (nullable): the error code, or %NULL for errors
 *   that carry none: those of other domains, and %CS_ERROR_PROTOCOL,
 *   %CS_ERROR_TIMEOUT and %CS_ERROR_POLLS_EXHAUSTED
 *
 * Since: 1.0
 */
char *
cs_error_get_code_text (const GError *error)
{
  gsize length;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != CS_ERROR ||
      (cs_error_to_code (error->code) == NULL && error->code != CS_ERROR_FAILED))
    return NULL;
  /* the message starts with the code the reply carried */
  length = leading_code_length (error->message);
  if (length > 0)
    return g_strndup (error->message, length);
  return g_strdup (cs_error_to_code (error->code));
}

/**
 * cs_error_get_description:
 * @error: an error returned by a [class@Client] call
 *
 * Gets the message of @error without the code text that starts the
 * messages of the service's errors (`ERROR_ZERO_BALANCE: …`): the
 * description, for a person. The message of any other error is returned
 * whole.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
cs_error_get_description (const GError *error)
{
  const char *description;
  gsize length;

  g_return_val_if_fail (error != NULL, NULL);

  length = error->domain == CS_ERROR ? leading_code_length (error->message) : 0;
  description = error->message + length;
  if (length > 0)
    {
      description++;   /* the colon */
      while (*description == ' ')
        description++;
    }
  return g_strdup (description);
}

/* A part of a secret at least this long is the secret: the service may
 * echo a key cut short, or in another case. A secret shorter than this
 * counts only whole, as a word of its own: a short key redacted wherever
 * its letters appear would turn every message into noise. */
#define REDACT_MIN_RUN 8

static gboolean
is_utf8_continuation (char c)
{
  return ((guchar) c & 0xC0) == 0x80;
}

/* The forms in which the service, a log or a JSON body carry a secret:
 * as it is, percent-encoded (the URL form of a proxy), or escaped in a
 * JSON string once (a reply) or twice (a reply's text inside another). */
typedef enum {
  FORM_RAW,
  FORM_PERCENT,
  FORM_JSON,
  FORM_JSON_TWICE,
  N_FORMS
} EchoForm;

static int
hex_value (char c)
{
  return g_ascii_isxdigit (c) ? g_ascii_xdigit_value (c) : -1;
}

/* Four hex digits at @p as a number, or -1. */
static int
hex4_at (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

static gsize
count_backslashes (const char *p)
{
  gsize n = 0;

  while (p[n] == '\\')
    n++;
  return n;
}

/* A JSON escape at @p, in a string escaped once or @twice (the text of
 * one JSON document inside another: "\n" becomes "\\n", "\"" becomes
 * "\\\"" and "\\" becomes "\\\\"). Writes the character to @bytes;
 * returns the text it takes, 0 if no escape is there. */
static gsize
decode_json_escape (const char *p,
                    gboolean    twice,
                    char       *bytes,
                    gsize      *n_bytes)
{
  static const char letters[] = "\"/bfnrt";
  static const char meanings[] = "\"/\b\f\n\r\t";
  gsize backslash = twice ? 4 : 2;
  gsize unit_prefix = twice ? 2 : 1;
  gsize run = count_backslashes (p);
  const char *letter = p + run;
  const char *found;
  int unit;

  if (run == 0)
    return 0;
  if (run >= backslash)
    {
      bytes[0] = '\\';
      *n_bytes = 1;
      return backslash;
    }
  /* escaped twice, a quote (and by some writers a slash) is escaped again */
  if (twice ? run != 2 && run != 3 : run != 1)
    return 0;
  found = *letter != '\0' ? strchr (letters, *letter) : NULL;
  if (found != NULL)
    {
      bytes[0] = meanings[found - letters];
      *n_bytes = 1;
      return run + 1;
    }
  if (*letter != 'u' || run != unit_prefix || (unit = hex4_at (letter + 1)) < 0)
    return 0;
  if (unit >= 0xD800 && unit < 0xDC00)
    {
      /* a character beyond the BMP: a pair of escapes */
      const char *low_letter = letter + 5 + unit_prefix;
      int low;

      if (count_backslashes (letter + 5) != unit_prefix || *low_letter != 'u' ||
          (low = hex4_at (low_letter + 1)) < 0xDC00 || low > 0xDFFF)
        return 0;
      *n_bytes = g_unichar_to_utf8 (0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), bytes);
      return low_letter + 5 - p;
    }
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return 0;
  *n_bytes = g_unichar_to_utf8 (unit, bytes);
  return letter + 5 - p;
}

/* Reads one unit of @p in @form into @bytes (room for 6); returns the
 * text it takes, 0 at the end of the text. */
static gsize
decode_unit (const char *p,
             EchoForm    form,
             char       *bytes,
             gsize      *n_bytes)
{
  gsize taken = 0;

  if (*p == '\0')
    return 0;
  if (form == FORM_PERCENT && p[0] == '%' && hex_value (p[1]) >= 0 && hex_value (p[2]) >= 0)
    {
      bytes[0] = (char) (hex_value (p[1]) * 16 + hex_value (p[2]));
      *n_bytes = 1;
      return 3;
    }
  if (form == FORM_JSON || form == FORM_JSON_TWICE)
    taken = decode_json_escape (p, form == FORM_JSON_TWICE, bytes, n_bytes);
  if (taken > 0)
    return taken;
  bytes[0] = *p;
  *n_bytes = 1;
  return 1;
}

/* ASCII lower case, inline: this runs for every byte of every text. */
#define LOWER(c) ((char) ((c) >= 'A' && (c) <= 'Z' ? (c) + ('a' - 'A') : (c)))

/* A secret as redaction looks for it: in lower case, with its length and
 * the set of its bytes; and where, in the text, a run of it as it is may
 * start at all. */
typedef struct {
  char        *lower;
  gsize        length;
  guint32      has_byte[256 / 32];
  const char  *raw_from;
} Secret;

static gboolean
secret_has_byte (const Secret *secret,
                 char          c)
{
  guchar byte = (guchar) LOWER (c);

  return (secret->has_byte[byte / 32] & (1u << (byte % 32))) != 0;
}

/* Whether the text at @p can start a run of @needed bytes of @secret as
 * it is: each of those bytes is one of the secret's. A byte that is not
 * rules out every start before it too, so most of a text (a body of
 * base64) is looked at once. */
static gboolean
may_start_raw_run (const char *p,
                   Secret     *secret,
                   gsize       needed)
{
  if (p < secret->raw_from)
    return FALSE;
  for (gsize i = 0; i < needed; i++)
    if (p[i] == '\0' || !secret_has_byte (secret, p[i]))
      {
        secret->raw_from = p + i + 1;
        return FALSE;
      }
  return TRUE;
}

/* How many bytes of @secret, from its byte @start, the text at @p
 * carries in @form, without regard to case; *consumed gets the text they
 * take. */
static gsize
match_from (const char   *p,
            EchoForm      form,
            const Secret *secret,
            gsize         start,
            gsize        *consumed)
{
  gsize matched = 0;
  gsize used = 0;

  while (start + matched < secret->length)
    {
      char bytes[8];
      gsize n_bytes = 0;
      gsize step = decode_unit (p + used, form, bytes, &n_bytes);
      gsize i;

      if (step == 0 || start + matched + n_bytes > secret->length)
        break;
      for (i = 0; i < n_bytes; i++)
        if (LOWER (bytes[i]) != secret->lower[start + matched + i])
          break;
      if (i < n_bytes)
        break;
      matched += n_bytes;
      used += step;
    }
  *consumed = used;
  return matched;
}

static gboolean
is_word_byte (char c)
{
  return g_ascii_isalnum (c) || c == '_' || (guchar) c >= 0x80;
}

/* Whether the @length bytes of text at @p stand as a word of their own
 * in @text: a short secret counts only so. An escape just before (\n)
 * is not a letter of the word. */
static gboolean
stands_alone (const char *text,
              const char *p,
              gsize       length)
{
  gboolean after_escape = p - text >= 2 && p[-2] == '\\';

  return (p == text || !is_word_byte (p[-1]) || after_escape) && !is_word_byte (p[length]);
}

/* The text being redacted, and where its next '%' and '\' are: a secret
 * is read in an encoded form only where one is near enough to be part of
 * it, elsewhere every form reads as the raw one. */
typedef struct {
  const char *text;
  const char *next_percent;     /* at or after the scan's position; NULL: none */
  const char *next_backslash;
} Scan;

/* Moves the marks of @scan to @p or after. */
static void
scan_advance (Scan       *scan,
              const char *p)
{
  if (scan->next_percent != NULL && scan->next_percent < p)
    scan->next_percent = strchr (p, '%');
  if (scan->next_backslash != NULL && scan->next_backslash < p)
    scan->next_backslash = strchr (p, '\\');
}

/* Whether @form may read more than the raw form at @p, for a secret of
 * @length bytes: a percent escape takes 3 bytes of text for one of the
 * secret, a JSON escape at most 7 (\\uXXXX, escaped twice). */
static gboolean
form_may_differ (const Scan *scan,
                 const char *p,
                 EchoForm    form,
                 gsize       length)
{
  switch (form)
    {
    case FORM_PERCENT:
      return scan->next_percent != NULL && (gsize) (scan->next_percent - p) < 3 * length;
    case FORM_JSON:
    case FORM_JSON_TWICE:
      return scan->next_backslash != NULL && (gsize) (scan->next_backslash - p) < 8 * length;
    case FORM_RAW:
    case N_FORMS:
    default:
      return FALSE;
    }
}

/* The length of text at @p that carries @secret, in any of its forms and
 * cases: a run of REDACT_MIN_RUN bytes of it or more, from anywhere in it
 * (a key cut short, inside a longer word), or the whole of a shorter
 * secret standing as a word. 0 if there is none. */
static gsize
secret_at (const Scan *scan,
           const char *p,
           Secret     *secret)
{
  gsize needed = MIN (secret->length, REDACT_MIN_RUN);
  /* a short secret counts from its start only */
  gsize last_start = secret->length >= REDACT_MIN_RUN ? secret->length - needed : 0;
  gsize best = 0;

  if (is_utf8_continuation (*p))
    return 0;
  for (EchoForm form = FORM_RAW; form < N_FORMS; form++)
    {
      char first[8];
      gsize n_first = 0;
      const char *start;

      if (form == FORM_RAW ? !may_start_raw_run (p, secret, needed)
                           : !form_may_differ (scan, p, form, secret->length))
        continue;
      if (decode_unit (p, form, first, &n_first) == 0)
        continue;
      /* only where the secret has the first character of the text */
      for (start = memchr (secret->lower, LOWER (first[0]), last_start + 1); start != NULL;
           start = start < secret->lower + last_start
                   ? memchr (start + 1, LOWER (first[0]), secret->lower + last_start - start)
                   : NULL)
        {
          gsize consumed = 0;

          if (match_from (p, form, secret, start - secret->lower, &consumed) < needed ||
              consumed <= best)
            continue;
          if (secret->length < REDACT_MIN_RUN && !stands_alone (scan->text, p, consumed))
            continue;
          best = consumed;
        }
    }
  /* never cut a character of the text in two */
  while (best > 0 && is_utf8_continuation (p[best]))
    best++;
  return best;
}

/* "CAP-" or "CAI-" (in any case) and a long random tail: a key, the
 * client's or another. "CAP-1" in prose is left alone. */
static gsize
key_shape_at (const char *p)
{
  gsize n = 4;

  if (LOWER (*p) != 'c' ||
      (g_ascii_strncasecmp (p, "CAP-", 4) != 0 && g_ascii_strncasecmp (p, "CAI-", 4) != 0))
    return 0;
  while (g_ascii_isalnum (p[n]) || p[n] == '-' || p[n] == '_')
    n++;
  return n - 4 >= 16 ? n : 0;
}

static gboolean
is_word_end (char c)
{
  return c == '\0' || g_ascii_isspace (c) || strchr ("\"'(),;<>[]{}", c) != NULL;
}

static gboolean
is_port_text (const char *text,
              gsize       length)
{
  if (length == 0 || length > 5)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;
  return TRUE;
}

/* In a word that reads as a proxy, the offset where its credentials start
 * and their length: "scheme://login:password@host" or
 * "[scheme:]host:port:login:password". 0 if the word is not one. */
static gsize
proxy_credentials_at (const char *word,
                      gsize       length,
                      gsize      *cred_length)
{
  const char *fields[4] = { NULL, };
  const char *separator = g_strstr_len (word, length, "://");
  guint n_fields = 0;

  if (separator != NULL)
    {
      const char *userinfo = separator + 3;
      const char *at = NULL;

      for (const char *p = userinfo; p < word + length && *p != '/'; p++)
        if (*p == '@')
          at = p;
      if (at == NULL || at == userinfo)
        return 0;
      *cred_length = at - userinfo;
      return userinfo - word;
    }

  /* the colon form: the port is the second field, or the third after a
   * scheme; everything after it is the login and password */
  fields[n_fields++] = word;
  for (const char *p = word; p < word + length && n_fields < G_N_ELEMENTS (fields); p++)
    if (*p == ':')
      fields[n_fields++] = p + 1;
  if (n_fields < 4)
    return 0;
  for (guint port = 1; port <= 2; port++)
    {
      const char *end = word + length;
      const char *port_end = memchr (fields[port], ':', end - fields[port]);
      const char *login_end;

      /* a host before the port, a login and a password after it */
      if (port_end == NULL || fields[port] - 1 == fields[port - 1] ||
          !is_port_text (fields[port], port_end - fields[port]))
        continue;
      login_end = memchr (port_end + 1, ':', end - port_end - 1);
      if (login_end != NULL && login_end > port_end + 1 && login_end + 1 < end)
        {
          *cred_length = end - (port_end + 1);
          return port_end + 1 - word;
        }
    }
  return 0;
}

/* Replaces, in every word of @text that reads as a proxy, its login and
 * password: error descriptions echo the proxy of a task. */
static char *
redact_proxies (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      gsize length = 0;
      gsize cred_length = 0;
      gsize offset;

      while (!is_word_end (p[length]))
        length++;
      if (length == 0)
        {
          g_string_append_c (out, *p++);
          continue;
        }
      offset = proxy_credentials_at (p, length, &cred_length);
      if (offset > 0 && cred_length > 0)
        {
          g_string_append_len (out, p, offset);
          g_string_append (out, "[REDACTED]");
          g_string_append_len (out, p + offset + cred_length, length - offset - cred_length);
        }
      else
        g_string_append_len (out, p, length);
      p += length;
    }
  return g_string_free (out, FALSE);
}

static void
clear_secret (gpointer data)
{
  g_free (((Secret *) data)->lower);
}

/**
 * _cs_redact:
 * @text: (nullable): text that may hold a secret
 * @secrets: (nullable): the secrets of the exchange: the client's key,
 *   a task's proxy login and password; %NULL-terminated
 *
 * The one redaction of the library, behind its error messages, its debug
 * log and [method@Client.redact] (which `capsolver --verbose` uses). Replaces
 * with [REDACTED]:
 *
 * - each of @secrets, in any case, raw, percent-encoded or escaped in
 *   JSON (once or twice): a run of 8 bytes of it or more, from anywhere
 *   in it and inside longer words; a secret shorter than 8 bytes only
 *   whole, as a word of its own;
 * - anything shaped like a CapSolver key;
 * - the login and password of anything that reads as a proxy.
 *
 * The service echoes keys and proxies in errorDescription, altered.
 */
char *
_cs_redact (const char         *text,
            const char * const *secrets)
{
  g_autofree char *without_proxies = NULL;
  g_autoptr(GArray) list = NULL;
  Scan scan = { NULL, NULL, NULL };
  GString *out;
  const char *p;

  if (text == NULL)
    return NULL;

  without_proxies = redact_proxies (text);
  scan.text = without_proxies;
  scan.next_percent = strchr (without_proxies, '%');
  scan.next_backslash = strchr (without_proxies, '\\');
  list = g_array_new (FALSE, FALSE, sizeof (Secret));
  g_array_set_clear_func (list, clear_secret);
  for (gsize i = 0; secrets != NULL && secrets[i] != NULL; i++)
    if (*secrets[i] != '\0')
      {
        Secret secret = { g_ascii_strdown (secrets[i], -1), strlen (secrets[i]), { 0, }, NULL };

        for (gsize j = 0; j < secret.length; j++)
          {
            guchar byte = (guchar) secret.lower[j];

            secret.has_byte[byte / 32] |= 1u << (byte % 32);
          }
        g_array_append_val (list, secret);
      }

  out = g_string_sized_new (strlen (without_proxies));
  p = without_proxies;
  while (*p != '\0')
    {
      gsize key_len = key_shape_at (p);

      scan_advance (&scan, p);
      for (guint i = 0; i < list->len; i++)
        {
          Secret *secret = &g_array_index (list, Secret, i);

          /* the common case, at a glance: nothing of this secret here */
          if ((p < secret->raw_from || !secret_has_byte (secret, *p)) &&
              !form_may_differ (&scan, p, FORM_PERCENT, secret->length) &&
              !form_may_differ (&scan, p, FORM_JSON, secret->length))
            continue;
          key_len = MAX (key_len, secret_at (&scan, p, secret));
        }
      if (key_len > 0)
        {
          g_string_append (out, "[REDACTED]");
          p += key_len;
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

/* A description longer than this is cut: a message is for people, and
 * a hostile server could send megabytes. */
#define MAX_DESCRIPTION_LENGTH 1000

/* @text redacted, cut at MAX_DESCRIPTION_LENGTH bytes (on a character). */
static char *
redact_cut (const char         *text,
            const char * const *secrets)
{
  g_autofree char *cut = NULL;
  gsize length = strlen (text);

  if (length <= MAX_DESCRIPTION_LENGTH)
    return _cs_redact (text, secrets);
  length = MAX_DESCRIPTION_LENGTH;
  while (length > 0 && is_utf8_continuation (text[length]))
    length--;
  cut = g_strdup_printf ("%.*s…", (int) length, text);
  return _cs_redact (cut, secrets);
}

/* Rewrites the message of @error without @secrets, as _cs_redact() does,
 * keeping the error code that starts it readable. */
void
_cs_error_redact (GError             *error,
                  const char * const *secrets)
{
  gsize kept;
  g_autofree char *safe = NULL;
  char *message;

  if (error == NULL)
    return;
  kept = leading_code_length (error->message);
  safe = _cs_redact (error->message + kept, secrets);
  if (strcmp (safe, error->message + kept) == 0)
    return;
  error->message[kept] = '\0';
  message = g_strconcat (error->message, safe, NULL);
  g_free (error->message);
  error->message = message;
}

/* The GError for an errorCode/errorDescription pair of a reply. */
GError *
_cs_error_new_from_reply (const char         *code,
                          const char         *description,
                          const char * const *secrets)
{
  g_autofree char *safe_code = NULL;
  g_autofree char *safe_description = NULL;

  if (code == NULL || *code == '\0')
    code = "ERROR_UNKNOWN";
  if (description == NULL || *description == '\0')
    description = "no description";
  safe_code = _cs_redact (code, secrets);
  safe_description = redact_cut (description, secrets);
  return g_error_new (CS_ERROR, cs_error_from_code (code), "%s: %s",
                      safe_code, safe_description);
}
