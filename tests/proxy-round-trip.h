/* proxy-round-trip.h: what cs_proxy_to_task_string() writes reads back
 *
 * Shared by test-proxy.c and the fuzz target fuzz-proxy.c.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "capsolver-glib.h"
#include "cs-private.h"

static inline void
assert_proxy_round_trip (CsProxy *proxy)
{
  g_autofree char *text = cs_proxy_to_task_string (proxy);
  g_autofree char *shown = cs_proxy_to_string (proxy);
  g_autoptr(CsProxy) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_utf8_validate (shown, -1, NULL));
  again = cs_proxy_new_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cs_proxy_get_scheme (again), ==, cs_proxy_get_scheme (proxy));
  g_assert_cmpstr (cs_proxy_get_host (again), ==, cs_proxy_get_host (proxy));
  g_assert_cmpuint (cs_proxy_get_port (again), ==, cs_proxy_get_port (proxy));
  g_assert_cmpstr (cs_proxy_get_login (again), ==, cs_proxy_get_login (proxy));
  g_assert_cmpstr (cs_proxy_get_password (again), ==, cs_proxy_get_password (proxy));
}
