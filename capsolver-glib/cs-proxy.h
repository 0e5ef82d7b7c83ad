/* cs-proxy.h: a proxy for the tasks that solve through the caller's proxy
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include <glib-object.h>
#include "cs-version.h"

G_BEGIN_DECLS

/**
 * CsProxyScheme:
 * @CS_PROXY_SCHEME_HTTP: an HTTP proxy (the default when none is given)
 * @CS_PROXY_SCHEME_HTTPS: an HTTPS proxy
 * @CS_PROXY_SCHEME_SOCKS4: a SOCKS4 proxy
 * @CS_PROXY_SCHEME_SOCKS5: a SOCKS5 proxy
 *
 * The kinds of proxy CapSolver accepts.
 *
 * Since: 1.0
 */
typedef enum {
  CS_PROXY_SCHEME_HTTP,
  CS_PROXY_SCHEME_HTTPS,
  CS_PROXY_SCHEME_SOCKS4,
  CS_PROXY_SCHEME_SOCKS5,
} CsProxyScheme;

/**
 * CsProxyFormat:
 * @CS_PROXY_FORMAT_STRING: one `proxy` field, `scheme:host:port[:login:password]`
 *   (the URL form when the login or password contains `:` or `@`)
 * @CS_PROXY_FORMAT_FIELDS: the separate `proxyType`, `proxyAddress`,
 *   `proxyPort`, `proxyLogin` and `proxyPassword` fields
 *
 * How a proxy is written into a task.
 *
 * Since: 1.0
 */
typedef enum {
  CS_PROXY_FORMAT_STRING,
  CS_PROXY_FORMAT_FIELDS,
} CsProxyFormat;

#define CS_TYPE_PROXY (cs_proxy_get_type ())

CS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (CsProxy, cs_proxy, CS, PROXY, GObject)

CS_AVAILABLE_IN_ALL
CsProxy       *cs_proxy_new             (CsProxyScheme  scheme,
                                         const char    *host,
                                         guint          port,
                                         const char    *login,
                                         const char    *password);
CS_AVAILABLE_IN_ALL
CsProxy       *cs_proxy_new_from_string (const char    *text,
                                         GError       **error);

CS_AVAILABLE_IN_ALL
CsProxyScheme  cs_proxy_get_scheme      (CsProxy       *proxy);
CS_AVAILABLE_IN_ALL
const char    *cs_proxy_get_host        (CsProxy       *proxy);
CS_AVAILABLE_IN_ALL
guint          cs_proxy_get_port        (CsProxy       *proxy);
CS_AVAILABLE_IN_ALL
const char    *cs_proxy_get_login       (CsProxy       *proxy);
CS_AVAILABLE_IN_ALL
const char    *cs_proxy_get_password    (CsProxy       *proxy);

CS_AVAILABLE_IN_ALL
char          *cs_proxy_to_string       (CsProxy       *proxy);
CS_AVAILABLE_IN_ALL
char          *cs_proxy_to_task_string  (CsProxy       *proxy);

G_END_DECLS
