/* fuzz-reply.c: feed arbitrary bytes to the reply parser
 *
 * Built with libFuzzer when the project is configured with clang and
 * -Dfuzzing=true. Otherwise fuzz-main.c runs it once over every file of
 * its corpus, as a regression test: no input may crash the parser or make
 * it warn.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-private.h"
#include "fuzz-target.h"

static void
exercise_solution (JsonObject *object)
{
  g_autoptr(CsSolution) solution = cs_solution_new (object);
  g_autofree char *text = cs_solution_to_string (solution);

  (void) cs_solution_get_text (solution);
  (void) cs_solution_get_token (solution);
  (void) cs_solution_get_user_agent (solution);
}

#define FUZZ_KEY "CAP-0123456789ABCDEF0123456789ABCDEF"
/* a proxy password with characters that percent-encoding and JSON change */
#define FUZZ_PASSWORD "p@ss:w0rd\"\xc3\xa9/Pr0xyPa55"

static const char * const fuzz_secrets[] = { FUZZ_KEY, FUZZ_PASSWORD, NULL };

static void
assert_absent (const char *lower_text,
               const char *form)
{
  g_autofree char *lower_form = g_ascii_strdown (form, -1);

  g_assert_null (strstr (lower_text, lower_form));
}

/* Whatever the text, no secret survives redaction, in any case, raw,
 * percent-encoded or escaped in JSON. */
static void
check_redaction (const char *data,
                 size_t      size)
{
  g_autofree char *text = g_strndup (data, size);
  g_autofree char *redacted = _cs_redact (text, fuzz_secrets);
  g_autofree char *lower = g_ascii_strdown (redacted, -1);
  g_autofree char *percent = g_uri_escape_string (FUZZ_PASSWORD, NULL, FALSE);

  assert_absent (lower, FUZZ_KEY);
  assert_absent (lower, FUZZ_PASSWORD);
  assert_absent (lower, percent);
  assert_absent (lower, "p@ss:w0rd\\\"\xc3\xa9/Pr0xyPa55");
  assert_absent (lower, "p@ss:w0rd\\\"\\u00e9\\/Pr0xyPa55");
}

/* the solution check of every family, as the client makes it */
static void
check_every_family (CsReply *reply)
{
  guint n_types = 0;
  const CsTaskType * const *types = cs_task_type_get_all (&n_types);

  for (guint i = 0; i < n_types; i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) names = cs_task_type_dup_wire_names (types[i]);

      _cs_reply_check_solution (reply, names[0], &error);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = g_bytes_new_static (data, size);
  g_auto(CsReply) reply = { 0, };
  g_autoptr(GError) error = NULL;

  _cs_reply_parse (&reply, 200, body, fuzz_secrets, &error);
  if (reply.solution != NULL)
    exercise_solution (reply.solution);
  if (reply.root != NULL)
    check_every_family (&reply);
  if (reply.root != NULL)
    {
      g_autoptr(GError) balance_error = NULL;
      g_autoptr(CsBalance) balance = _cs_balance_new_from_reply (&reply, &balance_error);
    }
  check_redaction ((const char *) data, size);
  return 0;
}

