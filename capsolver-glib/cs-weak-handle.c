/* cs-weak-handle.c: one weak reference that any number of holders share
 *
 * A GWeakRef costs its object a list entry in GLib 2.74, and clearing one
 * walks that list: ten thousand tasks each holding a GWeakRef to their
 * client made every task's end cost a walk of ten thousand. A handle is
 * one GWeakRef, made once by its object; holders take a reference to the
 * handle instead.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"

struct _CsWeakHandle {
  GWeakRef object;   /* the one weak location its object keeps */
};

/* A handle to @object. */
CsWeakHandle *
_cs_weak_handle_new (GObject *object)
{
  CsWeakHandle *handle = g_atomic_rc_box_new0 (CsWeakHandle);

  g_weak_ref_init (&handle->object, object);
  return handle;
}

CsWeakHandle *
_cs_weak_handle_ref (CsWeakHandle *handle)
{
  return g_atomic_rc_box_acquire (handle);
}

static void
weak_handle_clear (gpointer data)
{
  CsWeakHandle *handle = data;

  g_weak_ref_clear (&handle->object);
}

void
_cs_weak_handle_unref (gpointer handle)
{
  g_atomic_rc_box_release_full (handle, weak_handle_clear);
}

/* A new reference to the object, or NULL once it is gone: GLib clears the
 * weak reference before the object's dispose, under its own lock, so no
 * holder can take back an object on its way out. */
GObject *
_cs_weak_handle_dup (CsWeakHandle *handle)
{
  return handle != NULL ? g_weak_ref_get (&handle->object) : NULL;
}
