/* bench-reply.c: how fast one reply is read
 *
 * Parses typical replies of each method many times and prints the time per
 * reply. Run it by hand: `_build/tests/bench/bench-reply [iterations]`.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

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
  return 0;
}
