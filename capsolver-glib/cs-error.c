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
 * Gets the quark of the #CS_ERROR domain.
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
} CsErrorCode;

/* One row per CapSolver errorCode; the first row of a value is the spelling
 * sent back by cs_error_to_code(). */
static const CsErrorCode error_codes[] = {
  { CS_ERROR_SERVICE_UNAVAILABLE,   "ERROR_SERVICE_UNAVALIABLE",   CS_RETRY_CLASS_TRANSIENT, 0 },
  { CS_ERROR_SERVICE_UNAVAILABLE,   "ERROR_SERVICE_UNAVAILABLE",   CS_RETRY_CLASS_TRANSIENT, 0 },
  { CS_ERROR_RATE_LIMIT,            "ERROR_RATE_LIMIT",            CS_RETRY_CLASS_COOLDOWN,  30 },
  { CS_ERROR_INVALID_TASK_DATA,     "ERROR_INVALID_TASK_DATA",     CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_BAD_REQUEST,           "ERROR_BAD_REQUEST",           CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_TASKID_INVALID,        "ERROR_TASKID_INVALID",        CS_RETRY_CLASS_NEW_TASK,  0 },
  { CS_ERROR_TASK_TIMEOUT,          "ERROR_TASK_TIMEOUT",          CS_RETRY_CLASS_NEW_TASK,  0 },
  { CS_ERROR_SETTLEMENT_FAILED,     "ERROR_SETTLEMENT_FAILED",     CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_KEY_DENIED_ACCESS,     "ERROR_KEY_DENIED_ACCESS",     CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_ZERO_BALANCE,          "ERROR_ZERO_BALANCE",          CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_TASK_NOT_SUPPORTED,    "ERROR_TASK_NOT_SUPPORTED",    CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_CAPTCHA_UNSOLVABLE,    "ERROR_CAPTCHA_UNSOLVABLE",    CS_RETRY_CLASS_NEW_TASK,  0 },
  { CS_ERROR_UNKNOWN_QUESTION,      "ERROR_UNKNOWN_QUESTION",      CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_PROXY_BANNED,          "ERROR_PROXY_BANNED",          CS_RETRY_CLASS_NEW_TASK,  0 },
  { CS_ERROR_INVALID_IMAGE,         "ERROR_INVALID_IMAGE",         CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_PARSE_IMAGE_FAIL,      "ERROR_PARSE_IMAGE_FAIL",      CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_IP_BANNED,             "ERROR_IP_BANNED",             CS_RETRY_CLASS_COOLDOWN,  30 * 60 },
  { CS_ERROR_KEY_TEMP_BLOCKED,      "ERROR_KEY_TEMP_BLOCKED",      CS_RETRY_CLASS_COOLDOWN,  5 * 60 },
  { CS_ERROR_KEY_DOES_NOT_EXIST,    "ERROR_KEY_DOES_NOT_EXIST",    CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_TASK_NOT_FOUND,        "ERROR_TASK_NOT_FOUND",        CS_RETRY_CLASS_NEW_TASK,  0 },
  { CS_ERROR_NO_SLOT_AVAILABLE,     "ERROR_NO_SLOT_AVAILABLE",     CS_RETRY_CLASS_TRANSIENT, 0 },
  { CS_ERROR_INTERNAL_SERVER_ERROR, "ERROR_INTERNAL_SERVER_ERROR", CS_RETRY_CLASS_TRANSIENT, 0 },
  { CS_ERROR_REQUIRED_FIELDS,       "ERROR_REQUIRED_FIELDS",       CS_RETRY_CLASS_PERMANENT, 0 },
  { CS_ERROR_THREADS_MAXIMUM,       "ERROR_THREADS_MAXIMUM",       CS_RETRY_CLASS_TRANSIENT, 0 },
  { CS_ERROR_PAGE_NOT_FOUND,        "ERROR_PAGE_NOT_FOUND",        CS_RETRY_CLASS_PERMANENT, 0 },
  /* The client's own errors: no wire code, but a class. */
  { CS_ERROR_PROTOCOL,              NULL,                          CS_RETRY_CLASS_TRANSIENT, 0 },
  { CS_ERROR_TIMEOUT,               NULL,                          CS_RETRY_CLASS_TRANSIENT, 0 },
  { CS_ERROR_POLLS_EXHAUSTED,       NULL,                          CS_RETRY_CLASS_NEW_TASK,  0 },
  { CS_ERROR_FAILED,                NULL,                          CS_RETRY_CLASS_PERMANENT, 0 },
};

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
 * @code: an `errorCode` as the service sends it, such as `ERROR_ZERO_BALANCE`
 *
 * Maps the text of a CapSolver error code to its #CsError value. Both
 * spellings of the service-unavailable code give
 * %CS_ERROR_SERVICE_UNAVAILABLE.
 *
 * Returns: the #CsError value, or %CS_ERROR_FAILED for a code this version
 *   does not know
 *
 * Since: 1.0
 */
CsError
cs_error_from_code (const char *code)
{
  g_return_val_if_fail (code != NULL, CS_ERROR_FAILED);

  for (gsize i = 0; i < G_N_ELEMENTS (error_codes); i++)
    if (error_codes[i].text != NULL && strcmp (error_codes[i].text, code) == 0)
      return error_codes[i].code;
  return CS_ERROR_FAILED;
}

/**
 * cs_error_to_code:
 * @code: a #CsError value
 *
 * Gives the wire text of a #CsError value, as the service spells it (so
 * %CS_ERROR_SERVICE_UNAVAILABLE gives `ERROR_SERVICE_UNAVALIABLE`).
 *
 * Returns: (nullable): the error code, or %NULL for the values that have
 *   no wire code (%CS_ERROR_FAILED, %CS_ERROR_PROTOCOL, %CS_ERROR_TIMEOUT,
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
 * @code: a #CsError value
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
 * @error: an error returned by a #CsClient call
 *
 * Tells what a caller can do about any error a #CsClient call returns:
 * errors of #CS_ERROR by their code, transport errors (a refused or dropped
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

/**
 * cs_error_get_cooldown:
 * @error: an error returned by a #CsClient call
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

/**
 * cs_error_get_code_text:
 * @error: an error returned by a #CsClient call
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
  const char *colon;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != CS_ERROR ||
      (cs_error_to_code (error->code) == NULL && error->code != CS_ERROR_FAILED))
    return NULL;
  /* the message starts with the code the reply carried, as
   * _cs_error_new_from_reply() writes it */
  colon = strchr (error->message, ':');
  if (colon != NULL && is_code_text (error->message, colon - error->message))
    return g_strndup (error->message, colon - error->message);
  return g_strdup (cs_error_to_code (error->code));
}

/* Replaces the client's own key, and anything shaped like a CapSolver key,
 * with [REDACTED]: the service echoes keys in errorDescription. */
char *
_cs_redact (const char *text,
            const char *secret)
{
  g_autoptr(GString) out = NULL;
  const char *p;

  if (text == NULL)
    return NULL;

  out = g_string_new (NULL);
  p = text;
  while (*p != '\0')
    {
      gsize key_len = 0;

      if (secret != NULL && *secret != '\0' && g_str_has_prefix (p, secret))
        key_len = strlen (secret);
      else if (g_str_has_prefix (p, "CAP-") || g_str_has_prefix (p, "CAI-"))
        {
          gsize n = 4;

          while (g_ascii_isalnum (p[n]) || p[n] == '-' || p[n] == '_')
            n++;
          /* a key has a long random tail; "CAP-1" in prose is left alone */
          if (n - 4 >= 16)
            key_len = n;
        }

      if (key_len > 0)
        {
          g_string_append (out, "[REDACTED]");
          p += key_len;
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The GError for an errorCode/errorDescription pair of a reply. */
GError *
_cs_error_new_from_reply (const char *code,
                          const char *description,
                          const char *secret)
{
  g_autofree char *safe_code = NULL;
  g_autofree char *safe_description = NULL;

  if (code == NULL || *code == '\0')
    code = "ERROR_UNKNOWN";
  safe_code = _cs_redact (code, secret);
  safe_description = _cs_redact (description != NULL && *description != '\0'
                                 ? description : "no description", secret);
  return g_error_new (CS_ERROR, cs_error_from_code (code), "%s: %s",
                      safe_code, safe_description);
}
