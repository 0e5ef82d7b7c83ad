/* cs-proxy.c: proxies, parsed and serialized
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"

/* STUB: written for issue 4. */

struct _CsProxy
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (CsProxy, cs_proxy, G_TYPE_OBJECT)

static void
cs_proxy_class_init (CsProxyClass *klass)
{
}

static void
cs_proxy_init (CsProxy *self)
{
}

char *
cs_proxy_to_task_string (CsProxy *proxy)
{
  return NULL;
}

const char *
_cs_proxy_scheme_to_string (CsProxyScheme scheme)
{
  return "http";
}

void
_cs_proxy_write_fields (CsProxy      *proxy,
                        CsProxyFormat format,
                        JsonObject   *task_json)
{
}
