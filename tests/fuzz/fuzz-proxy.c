/* fuzz-proxy.c: proxies read from any text, and written back
 *
 * Two properties: whatever cs_proxy_new_from_string() accepts, the task
 * string of the result reads back to the same proxy; and for any host,
 * login and password that cs_proxy_new() accepts (the input as the host,
 * or cut at its first NUL byte into a login and a password), the task
 * string of a proxy with them reads back to them.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver-glib.h"
#include "cs-private.h"
#include "fuzz-target.h"
#include "proxy-round-trip.h"

static void
check_parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CsProxy) proxy = cs_proxy_new_from_string (text, &error);

  if (proxy == NULL)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      return;
    }
  assert_proxy_round_trip (proxy);
}

/* Whatever the rule of cs_proxy_new() lets through, in UTF-8, reads back
 * from its task string; what it refuses, cs_proxy_new() refuses too. */
static void
check_parts (const char *host,
             const char *login,
             const char *password)
{
  g_autoptr(CsProxy) proxy = NULL;

  if (!g_utf8_validate (host, -1, NULL) || !g_utf8_validate (login, -1, NULL) ||
      !g_utf8_validate (password, -1, NULL) ||
      !_cs_proxy_check_parts (host, 1080, login, password, NULL))
    return;
  proxy = cs_proxy_new (CS_PROXY_SCHEME_SOCKS5, host, 1080, login, password);
  assert_proxy_round_trip (proxy);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  gsize first = strlen (text);

  check_parse (text);
  check_parts (text, "", "");
  check_parts (text, "user", "pass");
  if (first < size)
    {
      g_autofree char *password = g_strndup ((const char *) data + first + 1, size - first - 1);

      check_parts ("proxy.example.net", text, password);
    }
  return 0;
}
