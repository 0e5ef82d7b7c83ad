/* fuzz-proxy.c: proxies read from any text, and written back
 *
 * Two properties: whatever cs_proxy_new_from_string() accepts, the task
 * string of the result reads back to the same proxy; and for any login
 * and password (the input cut at its first NUL byte), the task string of
 * a proxy with them reads back to them.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

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

static void
check_credentials (const char *login,
                   const char *password)
{
  g_autoptr(CsProxy) proxy = NULL;

  /* the parser takes a login and a password together, in UTF-8 */
  if (*login == '\0' || *password == '\0' ||
      !g_utf8_validate (login, -1, NULL) || !g_utf8_validate (password, -1, NULL))
    return;
  proxy = cs_proxy_new (CS_PROXY_SCHEME_SOCKS5, "proxy.example.net", 1080, login, password);
  assert_proxy_round_trip (proxy);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  gsize first = strlen (text);

  check_parse (text);
  if (first < size)
    {
      g_autofree char *password = g_strndup ((const char *) data + first + 1, size - first - 1);

      check_credentials (text, password);
    }
  return 0;
}
