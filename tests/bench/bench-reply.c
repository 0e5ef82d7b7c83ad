/* bench-reply.c: how fast one reply is read, and a body redacted
 *
 * Parses typical replies of each method many times and prints the time per
 * reply; then redacts a createTask body of a megabyte of base64, as
 * `capsolver --verbose` does, with and without escapes in it. Run it by
 * hand: `_build/tests/bench/bench-reply [iterations]`.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "capsolver-glib.h"
#include "cs-private.h"

static const struct {
  const char *name;
  const char *body;
} replies[] = {
  { "createTask (id)",
    "{\"errorId\":0,\"errorCode\":\"\",\"errorDescription\":\"\",\"status\":\"idle\","
    "\"taskId\":\"37223a89-06ed-442c-a0b8-22067b79c5b4\"}" },
  { "getTaskResult (processing)",
    "{\"errorId\":0,\"status\":\"processing\",\"taskId\":\"37223a89-06ed-442c-a0b8-22067b79c5b4\"}" },
  { "getTaskResult (ready)",
    "{\"errorId\":0,\"status\":\"ready\",\"taskId\":\"37223a89-06ed-442c-a0b8-22067b79c5b4\","
    "\"solution\":{\"userAgent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\","
    "\"secChUa\":\"\\\"Chromium\\\";v=\\\"141\\\"\",\"createTime\":1671615324290,"
    "\"gRecaptchaResponse\":\"03AGdBq25SxXT-pmSeBXjzScW-EiocHwwpwqtk1QXlJnGnUJCZrgjwLLdt7cb0Z8TR"
    "fXmNmyZ5PWKxWi04kxd6k3XkfM4h8mMV2GYvdXeb1C9KN6GH8Kg1q4EBuwzZbT1JqJNU-wbNkAZlr9nNtL7sF6bT\"}}" },
  { "getTaskResult (error)",
    "{\"errorId\":1,\"errorCode\":\"ERROR_CAPTCHA_UNSOLVABLE\","
    "\"errorDescription\":\"Captcha not recognized\"}" },
};

/* A body of a megabyte of base64 (an image), redacted with a key and a
 * proxy's login and password; then the same with every "A" escaped in
 * JSON, where every form of the secrets must be read. */
static void
bench_redaction (void)
{
  static const char * const secrets[] = {
    "CAP-0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
    "Pr0xy L0gin+1", "p@ss:w0rd\"\xc3\xa9/Pr0xyPa55", NULL
  };
  g_autoptr(GString) body = g_string_new ("{\"clientKey\":\"x\",\"task\":{\"body\":\"");
  g_autofree guchar *image = g_malloc (750000);
  g_autofree char *base64 = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);

  for (gsize i = 0; i < 750000; i++)
    image[i] = g_rand_int (rand);
  base64 = g_base64_encode (image, 750000);
  g_string_append (body, base64);
  g_string_append (body, "\"}}");

  g_print ("\n%-28s %12s %12s\n", "redaction", "ms/body", "MB/s");
  for (guint escaped = 0; escaped < 2; escaped++)
    {
      gint64 start = g_get_monotonic_time ();
      double elapsed;

      if (escaped)
        g_string_replace (body, "A", "\\u0041", 0);
      for (guint i = 0; i < 10; i++)
        g_free (_cs_redact (body->str, secrets));
      elapsed = (g_get_monotonic_time () - start) / 1e6;
      g_print ("%-28s %12.1f %12.1f\n", escaped ? "1 MB of base64, escaped" : "1 MB of base64",
               elapsed * 1e3 / 10, body->len * 10 / elapsed / 1e6);
    }
}

int
main (int    argc,
      char **argv)
{
  guint iterations = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100000;

  if (iterations == 0)
    iterations = 100000;

  g_print ("%-28s %12s %12s\n", "reply", "us/reply", "MB/s");
  for (gsize r = 0; r < G_N_ELEMENTS (replies); r++)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (replies[r].body, strlen (replies[r].body));
      static const char * const secrets[] = { "CAP-BENCH", NULL };
      gint64 start = g_get_monotonic_time ();
      double elapsed;

      for (guint i = 0; i < iterations; i++)
        {
          g_auto(CsReply) reply = { 0, };
          g_autoptr(GError) error = NULL;

          _cs_reply_parse (&reply, 200, body, secrets, &error);
        }
      elapsed = (g_get_monotonic_time () - start) / 1e6;
      g_print ("%-28s %12.2f %12.1f\n", replies[r].name, elapsed * 1e6 / iterations,
               (double) g_bytes_get_size (body) * iterations / elapsed / 1e6);
    }
  bench_redaction ();
  return 0;
}
