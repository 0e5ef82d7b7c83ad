/* test-errors.c: the CS_ERROR domain, its code table and redaction
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "mock-server.h"

/* Every errorCode of the reference (section 5), as the service spells it,
 * with the value and the retry class it must map to. */
typedef struct {
  const char   *code;
  CsError       error;
  CsRetryClass  retry;
} CodeCase;

static const CodeCase code_cases[] = {
  { "ERROR_SERVICE_UNAVALIABLE", CS_ERROR_SERVICE_UNAVAILABLE, CS_RETRY_CLASS_TRANSIENT },
  { "ERROR_SERVICE_UNAVAILABLE", CS_ERROR_SERVICE_UNAVAILABLE, CS_RETRY_CLASS_TRANSIENT },
  { "ERROR_RATE_LIMIT", CS_ERROR_RATE_LIMIT, CS_RETRY_CLASS_COOLDOWN },
  { "ERROR_INVALID_TASK_DATA", CS_ERROR_INVALID_TASK_DATA, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_BAD_REQUEST", CS_ERROR_BAD_REQUEST, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_TASKID_INVALID", CS_ERROR_TASKID_INVALID, CS_RETRY_CLASS_NEW_TASK },
  { "ERROR_TASK_TIMEOUT", CS_ERROR_TASK_TIMEOUT, CS_RETRY_CLASS_NEW_TASK },
  { "ERROR_SETTLEMENT_FAILED", CS_ERROR_SETTLEMENT_FAILED, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_KEY_DENIED_ACCESS", CS_ERROR_KEY_DENIED_ACCESS, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_ZERO_BALANCE", CS_ERROR_ZERO_BALANCE, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_TASK_NOT_SUPPORTED", CS_ERROR_TASK_NOT_SUPPORTED, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_CAPTCHA_UNSOLVABLE", CS_ERROR_CAPTCHA_UNSOLVABLE, CS_RETRY_CLASS_NEW_TASK },
  { "ERROR_UNKNOWN_QUESTION", CS_ERROR_UNKNOWN_QUESTION, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_PROXY_BANNED", CS_ERROR_PROXY_BANNED, CS_RETRY_CLASS_NEW_TASK },
  { "ERROR_INVALID_IMAGE", CS_ERROR_INVALID_IMAGE, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_PARSE_IMAGE_FAIL", CS_ERROR_PARSE_IMAGE_FAIL, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_IP_BANNED", CS_ERROR_IP_BANNED, CS_RETRY_CLASS_COOLDOWN },
  { "ERROR_KEY_TEMP_BLOCKED", CS_ERROR_KEY_TEMP_BLOCKED, CS_RETRY_CLASS_COOLDOWN },
  /* seen outside the table */
  { "ERROR_KEY_DOES_NOT_EXIST", CS_ERROR_KEY_DOES_NOT_EXIST, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_TASK_NOT_FOUND", CS_ERROR_TASK_NOT_FOUND, CS_RETRY_CLASS_NEW_TASK },
  { "ERROR_NO_SLOT_AVAILABLE", CS_ERROR_NO_SLOT_AVAILABLE, CS_RETRY_CLASS_TRANSIENT },
  { "ERROR_INTERNAL_SERVER_ERROR", CS_ERROR_INTERNAL_SERVER_ERROR, CS_RETRY_CLASS_TRANSIENT },
  { "ERROR_REQUIRED_FIELDS", CS_ERROR_REQUIRED_FIELDS, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_THREADS_MAXIMUM", CS_ERROR_THREADS_MAXIMUM, CS_RETRY_CLASS_TRANSIENT },
  { "ERROR_PAGE_NOT_FOUND", CS_ERROR_PAGE_NOT_FOUND, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_ACCOUNT_SUSPENDED", CS_ERROR_ACCOUNT_SUSPENDED, CS_RETRY_CLASS_PERMANENT },
  { "ERROR_IP_NOT_ALLOWED", CS_ERROR_IP_NOT_ALLOWED, CS_RETRY_CLASS_PERMANENT },
};

/* The values that are the client's own, with no wire code. */
static gboolean
is_client_error (CsError code)
{
  return code == CS_ERROR_FAILED || code == CS_ERROR_PROTOCOL || code == CS_ERROR_TIMEOUT ||
         code == CS_ERROR_POLLS_EXHAUSTED;
}

static void
test_code_table (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (code_cases); i++)
    {
      const CodeCase *c = &code_cases[i];

      g_test_message ("%s", c->code);
      g_assert_cmpint (cs_error_from_code (c->code), ==, c->error);
      g_assert_cmpint (cs_error_code_get_retry_class (c->error), ==, c->retry);
    }
}

/* Every value of the enum: its wire code maps back to it, and the code is
 * the value's own name, except for the service's misspelling. */
static void
test_round_trip (void)
{
  g_autoptr(GEnumClass) enum_class = g_type_class_ref (CS_TYPE_ERROR);

  for (guint i = 0; i < enum_class->n_values; i++)
    {
      GEnumValue *value = &enum_class->values[i];
      CsError error = value->value;
      const char *code = cs_error_to_code (error);

      g_test_message ("%s", value->value_name);
      if (is_client_error (error))
        {
          g_assert_null (code);
          continue;
        }
      g_assert_nonnull (code);
      g_assert_cmpint (cs_error_from_code (code), ==, error);
      if (error == CS_ERROR_SERVICE_UNAVAILABLE)
        g_assert_cmpstr (code, ==, "ERROR_SERVICE_UNAVALIABLE");
      else
        g_assert_cmpstr (code, ==, value->value_name + strlen ("CS_"));
    }

  /* and every code of the reference has a value of its own */
  for (gsize i = 0; i < G_N_ELEMENTS (code_cases); i++)
    g_assert_nonnull (g_enum_get_value (enum_class, code_cases[i].error));
  g_assert_cmpuint (enum_class->n_values, ==, G_N_ELEMENTS (code_cases) - 1 + 4);
}

static void
test_service_unavailable_spellings (void)
{
  g_autoptr(GError) wire = _cs_error_new_from_reply ("ERROR_SERVICE_UNAVALIABLE", "busy", NULL);
  g_autoptr(GError) fixed = _cs_error_new_from_reply ("ERROR_SERVICE_UNAVAILABLE", "busy", NULL);

  g_assert_error (wire, CS_ERROR, CS_ERROR_SERVICE_UNAVAILABLE);
  g_assert_error (fixed, CS_ERROR, CS_ERROR_SERVICE_UNAVAILABLE);
  /* the message keeps the spelling that was received */
  g_assert_cmpstr (wire->message, ==, "ERROR_SERVICE_UNAVALIABLE: busy");
  g_assert_cmpstr (fixed->message, ==, "ERROR_SERVICE_UNAVAILABLE: busy");
}

static void
test_unknown_code (void)
{
  g_autoptr(GError) error = _cs_error_new_from_reply ("ERROR_BRAND_NEW", "something new", NULL);
  g_autoptr(GError) no_code = _cs_error_new_from_reply (NULL, "what happened", NULL);
  g_autoptr(GError) empty = _cs_error_new_from_reply ("", NULL, NULL);

  g_assert_cmpint (cs_error_from_code ("ERROR_BRAND_NEW"), ==, CS_ERROR_FAILED);
  g_assert_cmpint (cs_error_from_code (""), ==, CS_ERROR_FAILED);
  /* codes are matched exactly: they are constants on the wire */
  g_assert_cmpint (cs_error_from_code ("error_zero_balance"), ==, CS_ERROR_FAILED);
  g_assert_cmpint (cs_error_from_code ("ERROR_ZERO_BALANCE "), ==, CS_ERROR_FAILED);

  g_assert_error (error, CS_ERROR, CS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "ERROR_BRAND_NEW: something new");
  g_assert_error (no_code, CS_ERROR, CS_ERROR_FAILED);
  g_assert_nonnull (strstr (no_code->message, "what happened"));
  g_assert_error (empty, CS_ERROR, CS_ERROR_FAILED);
  g_assert_cmpstr (empty->message, !=, "");
}

static void
test_message_format (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (code_cases); i++)
    {
      g_autoptr(GError) error = _cs_error_new_from_reply (code_cases[i].code, "the description",
                                                          MOCK_SECRETS (MOCK_API_KEY));
      g_autofree char *expected = g_strdup_printf ("%s: the description", code_cases[i].code);

      g_assert_error (error, CS_ERROR, (gint) code_cases[i].error);
      g_assert_cmpstr (error->message, ==, expected);
    }
}

/* Errors of other domains, as a client call can return them. */
static const struct {
  GQuark      (*domain) (void);
  int           code;
  CsRetryClass  retry;
} other_errors[] = {
  { g_io_error_quark, G_IO_ERROR_CANCELLED, CS_RETRY_CLASS_PERMANENT },
  { g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, CS_RETRY_CLASS_TRANSIENT },
  { g_io_error_quark, G_IO_ERROR_TIMED_OUT, CS_RETRY_CLASS_TRANSIENT },
  { g_io_error_quark, G_IO_ERROR_PARTIAL_INPUT, CS_RETRY_CLASS_TRANSIENT },
  { g_resolver_error_quark, G_RESOLVER_ERROR_NOT_FOUND, CS_RETRY_CLASS_TRANSIENT },
  { g_tls_error_quark, G_TLS_ERROR_BAD_CERTIFICATE, CS_RETRY_CLASS_PERMANENT },
  { cs_error_quark, CS_ERROR_PROTOCOL, CS_RETRY_CLASS_TRANSIENT },
  { cs_error_quark, CS_ERROR_TIMEOUT, CS_RETRY_CLASS_TRANSIENT },
  { cs_error_quark, CS_ERROR_FAILED, CS_RETRY_CLASS_PERMANENT },
};

static void
test_retry_classes (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (other_errors); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (other_errors[i].domain (),
                                                     other_errors[i].code, "x");

      g_assert_cmpint (cs_error_get_retry_class (error), ==, other_errors[i].retry);
      g_assert_cmpuint (cs_error_get_cooldown (error), ==, 0);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (code_cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (CS_ERROR, code_cases[i].error, "x");
      gboolean cooldown = code_cases[i].retry == CS_RETRY_CLASS_COOLDOWN;

      g_assert_cmpint (cs_error_get_retry_class (error), ==, code_cases[i].retry);
      /* a cooldown exactly for the cooldown class */
      g_assert_true ((cs_error_get_cooldown (error) > 0) == cooldown);
    }
}

static void
test_cooldowns (void)
{
  g_autoptr(GError) ip_banned = g_error_new_literal (CS_ERROR, CS_ERROR_IP_BANNED, "x");
  g_autoptr(GError) temp_blocked = g_error_new_literal (CS_ERROR, CS_ERROR_KEY_TEMP_BLOCKED, "x");
  g_autoptr(GError) rate_limit = g_error_new_literal (CS_ERROR, CS_ERROR_RATE_LIMIT, "x");

  /* the longer of the two bans the documentation states */
  g_assert_cmpuint (cs_error_get_cooldown (ip_banned), ==, 30 * 60);
  g_assert_cmpuint (cs_error_get_cooldown (temp_blocked), ==, 5 * 60);
  g_assert_cmpuint (cs_error_get_cooldown (rate_limit), >=, 5);
}

/* --- Redaction ------------------------------------------------------------- */

typedef struct {
  const char *text;
  const char *secret;
  const char *expected;
} RedactCase;

static const RedactCase redact_cases[] = {
  { "nothing secret here", MOCK_API_KEY, "nothing secret here" },
  { "", MOCK_API_KEY, "" },
  { "key " MOCK_API_KEY " denied", MOCK_API_KEY, "key [REDACTED] denied" },
  { MOCK_API_KEY, MOCK_API_KEY, "[REDACTED]" },
  { "(" MOCK_API_KEY ")(" MOCK_API_KEY ")", MOCK_API_KEY, "([REDACTED])([REDACTED])" },
  /* keys of the same shape that are not the client's own */
  { "package token CAP-1234567C19044AF7351B31EC12345678", NULL,
    "package token [REDACTED]" },
  { "old key CAI-0123456789ABCDEF0123456789ABCDEF.", "", "old key [REDACTED]." },
  /* short words that start the same way are prose */
  { "CAP-1 and CAP-short", MOCK_API_KEY, "CAP-1 and CAP-short" },
  /* a key of any shape, when it is the client's */
  { "clientKey=hunter2-secret;", "hunter2-secret", "clientKey=[REDACTED];" },
  /* the key as the service may echo it altered: cut short, in another
   * case, inside a longer word, its first or last characters */
  { "a partial hunter2-secre is the key", "hunter2-secret",
    "a partial [REDACTED] is the key" },
  { "key 0123456789abcdef0123456789ABCDEF denied",
    "CAP-0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
    "key [REDACTED] denied" },
  { "key cap-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef!", MOCK_API_KEY,
    "key [REDACTED]!" },
  { "key=CAP-01234567…", MOCK_API_KEY, "key=[REDACTED]…" },
  { "ends 89ABCDEF.", MOCK_API_KEY, "ends [REDACTED]." },
  { "word" MOCK_API_KEY " and key" MOCK_API_KEY "@", MOCK_API_KEY,
    "word[REDACTED] and key[REDACTED]@" },
  { "xx0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEFyy", MOCK_API_KEY,
    "xx[REDACTED]yy" },
  /* seven characters of it are not the key; a short key counts whole */
  { "task 0123456 failed", MOCK_API_KEY, "task 0123456 failed" },
  { "key ABC and abc", "abc", "key [REDACTED] and [REDACTED]" },
  /* no character of the text is cut in two */
  { "abcdefghè!", "abcdefghé", "[REDACTED]!" },
  { "pässwörd-pässwörd", "xx-ässwörd-x", "p[REDACTED]p[REDACTED]" },
  /* a proxy anywhere: its login and password */
  { "bad proxy http://user:hunter2@1.2.3.4:8080 refused", NULL,
    "bad proxy http://[REDACTED]@1.2.3.4:8080 refused" },
  { "bad proxy (socks5:1.2.3.4:1080:user:p@ss:word)", NULL,
    "bad proxy (socks5:1.2.3.4:1080:[REDACTED])" },
  { "proxy=1.2.3.4:8080:user:pwd, try again", NULL,
    "proxy=1.2.3.4:8080:[REDACTED], try again" },
  { "http://example.com:80/ and 1.2.3.4:8080 stay", NULL,
    "http://example.com:80/ and 1.2.3.4:8080 stay" },
  { "<data>:1:1: Parse error, at 1:2:3:4 or h:1::x", NULL,
    "<data>:1:1: Parse error, at 1:2:[REDACTED] or h:1::x" },
  { "UTF-8 ok: “CAP-0123456789ABCDEF0123” ✓", NULL, "UTF-8 ok: “[REDACTED]” ✓" },
};

static void
test_redact (void)
{
  g_assert_null (_cs_redact (NULL, MOCK_SECRETS (MOCK_API_KEY)));

  for (gsize i = 0; i < G_N_ELEMENTS (redact_cases); i++)
    {
      g_autofree char *redacted = _cs_redact (redact_cases[i].text,
                                             MOCK_SECRETS (redact_cases[i].secret));

      g_assert_cmpstr (redacted, ==, redact_cases[i].expected);
    }
}

static void
test_redact_in_errors (void)
{
  g_autoptr(GError) in_description =
    _cs_error_new_from_reply ("ERROR_KEY_DENIED_ACCESS",
                              "Your api key is invalid or balance is insufficient (" MOCK_API_KEY ")",
                              MOCK_SECRETS (MOCK_API_KEY));
  g_autoptr(GError) in_code = _cs_error_new_from_reply (MOCK_API_KEY, "odd",
                                                        MOCK_SECRETS (MOCK_API_KEY));

  g_assert_error (in_description, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS);
  g_assert_cmpstr (in_description->message, ==,
                   "ERROR_KEY_DENIED_ACCESS: Your api key is invalid or balance is insufficient "
                   "([REDACTED])");
  g_assert_error (in_code, CS_ERROR, CS_ERROR_FAILED);
  g_assert_null (strstr (in_code->message, MOCK_API_KEY));
}

/* A description of megabytes is cut, on a character, and redacted. */
static void
test_redact_long_description (void)
{
  g_autoptr(GString) long_text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 200000; i++)
    g_string_append (long_text, "é");
  g_string_append (long_text, MOCK_API_KEY);
  error = _cs_error_new_from_reply ("ERROR_BAD_REQUEST", long_text->str,
                                    MOCK_SECRETS (MOCK_API_KEY));
  g_assert_error (error, CS_ERROR, CS_ERROR_BAD_REQUEST);
  g_assert_cmpuint (strlen (error->message), <, 1100);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_true (g_str_has_suffix (error->message, "é…"));
}

/* Secrets the reply parser does not know, redacted afterwards; the code
 * that starts the message stays. */
static void
test_error_redact (void)
{
  g_autoptr(GError) error = g_error_new_literal (CS_ERROR, CS_ERROR_PROXY_BANNED,
                                                 "ERROR_PROXY_BANNED: proxy user 'Pr0xyLogin' "
                                                 "password 'pr0xy-passw0rd' banned");

  _cs_error_redact (error, MOCK_SECRETS ("Pr0xyLogin", "pr0xy-passw0rd"));
  _cs_error_redact (error, NULL);
  _cs_error_redact (NULL, MOCK_SECRETS ("x"));
  /* a short secret counts as a word of its own only */
  _cs_error_redact (error, MOCK_SECRETS ("ban", "PROXY"));
  g_assert_cmpstr (error->message, ==,
                   "ERROR_PROXY_BANNED: [REDACTED] user '[REDACTED]' password '[REDACTED]' banned");
}

/* A key shorter than 8 characters is redacted where it stands as a word,
 * not wherever its letters appear: the message stays readable. */
static void
test_redact_short_key (void)
{
  static const RedactCase cases[] = {
    { "task abc1234 failed; key abc123 denied", "abc123",
      "task abc1234 failed; key [REDACTED] denied" },
    { "xabc123 (ABC123) \"abc123\" abc123", "abc123",
      "xabc123 ([REDACTED]) \"[REDACTED]\" [REDACTED]" },
    { "abc1 abc12 abc12_3 abc123", "abc123", "abc1 abc12 abc12_3 [REDACTED]" },
    { "key=abc123&x", "abc123", "key=[REDACTED]&x" },
    { "login:\\nabc123", "abc123", "login:\\n[REDACTED]" },
    { "a short login, bob, and bobby", "bob", "a short login, [REDACTED], and bobby" },
    { "ERROR_PROXY_BANNED: proxy banned", "ban", "ERROR_PROXY_BANNED: proxy banned" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *redacted = _cs_redact (cases[i].text, MOCK_SECRETS (cases[i].secret));

      g_assert_cmpstr (redacted, ==, cases[i].expected);
    }
}

/* A secret in each form the service, a reply body or a log may carry it:
 * percent-encoded (any case of hex), escaped in JSON once or twice, cut
 * short in those forms too. */
static void
test_redact_echo_forms (void)
{
  /* p@ss:w0rd"é/Pr0xyPa55 */
  static const char password[] = "p@ss:w0rd\"\xc3\xa9/Pr0xyPa55";
  static const RedactCase cases[] = {
    { "pw p@ss:w0rd\"\xc3\xa9/Pr0xyPa55.", password, "pw [REDACTED]." },
    { "pw P@SS:W0RD\"\xc3\xa9/PR0XYPA55.", password, "pw [REDACTED]." },
    { "pw p%40ss%3Aw0rd%22%C3%A9%2FPr0xyPa55.", password, "pw [REDACTED]." },
    { "pw p%40ss%3aw0rd%22%c3%a9%2fpr0xypa55.", password, "pw [REDACTED]." },
    { "pw p@ss:w0rd\\\"\\u00e9\\/Pr0xyPa55.", password, "pw [REDACTED]." },
    { "pw p@ss:w0rd\\\"\xc3\xa9/Pr0xyPa55.", password, "pw [REDACTED]." },
    { "pw p@ss:w0rd\\\\\\\"\\\\u00e9\\\\/Pr0xyPa55.", password, "pw [REDACTED]." },
    /* escapes from the first character on, where nothing of it shows */
    { "pw \\u0070\\u0040ss:w0rd\\\"\\u00e9\\/Pr0xyPa55.", password, "pw [REDACTED]." },
    { "pw %70%40%73s:w0rd%22\xc3\xa9/Pr0xyPa55.", password, "pw [REDACTED]." },
    { "pw w0rd\"\xc3\xa9/Pr0!", password, "pw [REDACTED]!" },
    { "pw %3Aw0rd%22%C3%A9!", password, "pw [REDACTED]!" },
    { "pw w0rd\\\"\\u00E9\\/P!", password, "pw [REDACTED]!" },
    /* seven bytes of it are not the secret */
    { "pw %3Aw0rd%22!", password, "pw %3Aw0rd%22!" },
    /* escapes that break the secret's run, and broken escapes */
    { "pw p@ss:w\\0rd \\u00 %4 %zz", password, "pw p@ss:w\\0rd \\u00 %4 %zz" },
    /* characters beyond the BMP, as a pair of escapes */
    { "x \\ud83d\\ude00-emoji-pass!", "\xf0\x9f\x98\x80-emoji-pass", "x [REDACTED]!" },
    { "x \\\\ud83d\\\\ude00-emoji-pass!", "\xf0\x9f\x98\x80-emoji-pass", "x [REDACTED]!" },
    { "x \\ud83d-lone \\ude00 \\u", "\xf0\x9f\x98\x80-emoji-pass", "x \\ud83d-lone \\ude00 \\u" },
    /* a key in a JSON body */
    { "{\"clientKey\":\"" MOCK_API_KEY "\"}", MOCK_API_KEY, "{\"clientKey\":\"[REDACTED]\"}" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *redacted = _cs_redact (cases[i].text, MOCK_SECRETS (cases[i].secret));

      g_test_message ("%s", cases[i].text);
      g_assert_cmpstr (redacted, ==, cases[i].expected);
    }
}

/* --- Each code, served by the mock with HTTP 400 --------------------------- */

static void
test_served_code (gconstpointer data)
{
  const CodeCase *c = data;
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  g_autofree char *reply = g_strdup_printf ("{\"errorId\":1,\"errorCode\":\"%s\","
                                            "\"errorDescription\":\"described %s\"}",
                                            c->code, c->code);
  g_autofree char *expected = g_strdup_printf ("%s: described %s", c->code, c->code);
  g_autoptr(CsTask) task = cs_task_new ("TestTask");
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (server, "createTask", 400, reply);
  g_assert_false (cs_client_create_task (client, task, NULL, &error));
  g_assert_error (error, CS_ERROR, (gint) c->error);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (cs_error_get_retry_class (error), ==, c->retry);
  g_assert_null (cs_task_get_task_id (task));
  g_assert_cmpuint (mock_server_count_requests (server, "createTask"), ==, 1);
}

static void
test_served_unknown_code (void)
{
  g_autoptr(MockServer) server = mock_server_new ();
  g_autoptr(CsClient) client = mock_server_new_client (server, MOCK_API_KEY);
  g_autoptr(CsBalance) balance = NULL;
  g_autoptr(GError) error = NULL;

  mock_server_add_reply (server, "getBalance", 400,
                         "{\"errorId\":1,\"errorCode\":\"ERROR_FROM_THE_FUTURE\","
                         "\"errorDescription\":\"not known yet\"}");
  balance = cs_client_get_balance (client, NULL, &error);
  g_assert_null (balance);
  g_assert_error (error, CS_ERROR, CS_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "ERROR_FROM_THE_FUTURE: not known yet");
}

/* The wire code comes back exactly, known or not, and never for errors
 * that carry none. */
static void
test_code_text (void)
{
  g_autoptr(GError) unknown = _cs_error_new_from_reply ("ERROR_FROM_THE_FUTURE", "soon", NULL);
  g_autoptr(GError) typo = _cs_error_new_from_reply ("ERROR_SERVICE_UNAVALIABLE", "busy", NULL);
  g_autoptr(GError) fixed = _cs_error_new_from_reply ("ERROR_SERVICE_UNAVAILABLE", "busy", NULL);
  g_autoptr(GError) local = g_error_new_literal (CS_ERROR, CS_ERROR_ZERO_BALANCE, "no money");
  g_autoptr(GError) protocol = g_error_new_literal (CS_ERROR, CS_ERROR_PROTOCOL,
                                                    "ERROR_LOOKALIKE: HTTP 500");
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "ERROR_X: y");
  g_autofree char *unknown_text = cs_error_get_code_text (unknown);
  g_autofree char *typo_text = cs_error_get_code_text (typo);
  g_autofree char *fixed_text = cs_error_get_code_text (fixed);
  g_autofree char *local_text = cs_error_get_code_text (local);

  g_assert_cmpstr (unknown_text, ==, "ERROR_FROM_THE_FUTURE");
  g_assert_cmpstr (typo_text, ==, "ERROR_SERVICE_UNAVALIABLE");
  g_assert_cmpstr (fixed_text, ==, "ERROR_SERVICE_UNAVAILABLE");
  g_assert_cmpstr (local_text, ==, "ERROR_ZERO_BALANCE");
  g_assert_null (cs_error_get_code_text (protocol));
  g_assert_null (cs_error_get_code_text (other));
}

/* The description is the message after the code text, read in the one
 * place that knows the form; other messages are whole. */
static void
test_description (void)
{
  g_autoptr(GError) reply = _cs_error_new_from_reply ("ERROR_FROM_THE_FUTURE", "soon: later",
                                                      NULL);
  g_autoptr(GError) local = g_error_new_literal (CS_ERROR, CS_ERROR_ZERO_BALANCE, "no money");
  g_autoptr(GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "ERROR_X: y");
  g_autofree char *reply_text = cs_error_get_description (reply);
  g_autofree char *local_text = cs_error_get_description (local);
  g_autofree char *other_text = cs_error_get_description (other);

  g_assert_cmpstr (reply_text, ==, "soon: later");
  g_assert_cmpstr (local_text, ==, "no money");
  g_assert_cmpstr (other_text, ==, "ERROR_X: y");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/errors/code-table", test_code_table);
  g_test_add_func ("/errors/description", test_description);
  g_test_add_func ("/errors/round-trip", test_round_trip);
  g_test_add_func ("/errors/service-unavailable-spellings", test_service_unavailable_spellings);
  g_test_add_func ("/errors/unknown-code", test_unknown_code);
  g_test_add_func ("/errors/message-format", test_message_format);
  g_test_add_func ("/errors/retry-classes", test_retry_classes);
  g_test_add_func ("/errors/cooldowns", test_cooldowns);
  g_test_add_func ("/errors/redact", test_redact);
  g_test_add_func ("/errors/redact-in-errors", test_redact_in_errors);
  g_test_add_func ("/errors/redact-long-description", test_redact_long_description);
  g_test_add_func ("/errors/error-redact", test_error_redact);
  g_test_add_func ("/errors/redact-short-key", test_redact_short_key);
  g_test_add_func ("/errors/redact-echo-forms", test_redact_echo_forms);
  for (gsize i = 0; i < G_N_ELEMENTS (code_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/errors/served/%s", code_cases[i].code);

      g_test_add_data_func (path, &code_cases[i], test_served_code);
    }
  g_test_add_func ("/errors/served/unknown", test_served_unknown_code);
  g_test_add_func ("/errors/code-text", test_code_text);

  return g_test_run ();
}
