/* cs-sandbox.c: a local CapSolver-compatible service
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"

/* STUB: written for issue 3. */

struct _CsSandbox
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (CsSandbox, cs_sandbox, G_TYPE_OBJECT)

static void
cs_sandbox_class_init (CsSandboxClass *klass)
{
}

static void
cs_sandbox_init (CsSandbox *self)
{
}
