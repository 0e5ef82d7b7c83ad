/* cs-weak-handle.c: one weak reference that any number of holders share
 *
 * A GWeakRef costs its object a list entry in GLib 2.74, and clearing one
 * walks that list: ten thousand tasks each holding a GWeakRef to their
 * client made every task's end cost a walk of ten thousand. A handle is
 * made once by its object, which empties it in dispose; holders take a
 * reference to the handle instead, and reading it costs a lock.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"

struct _CsWeakHandle {
  GMutex   lock;
  GObject *object;   /* not a reference: NULL once its dispose began */
};

/* A handle to @object, which calls _cs_weak_handle_empty() in its
 * dispose. */
CsWeakHandle *
_cs_weak_handle_new (GObject *object)
{
  CsWeakHandle *handle = g_atomic_rc_box_new0 (CsWeakHandle);

  g_mutex_init (&handle->lock);
  handle->object = object;
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

  g_mutex_clear (&handle->lock);
}

void
_cs_weak_handle_unref (gpointer handle)
{
  g_atomic_rc_box_release_full (handle, weak_handle_clear);
}

/* A new reference to the object, or NULL once it is being disposed. A
 * reference taken while its last owner drops it keeps it alive: GObject
 * finalizes an object only if dispose left it with no other reference. */
GObject *
_cs_weak_handle_dup (CsWeakHandle *handle)
{
  GObject *object = NULL;

  if (handle == NULL)
    return NULL;
  g_mutex_lock (&handle->lock);
  if (handle->object != NULL)
    object = g_object_ref (handle->object);
  g_mutex_unlock (&handle->lock);
  return object;
}

/* Called by the object's dispose: the holders read NULL from now on. */
void
_cs_weak_handle_empty (CsWeakHandle *handle)
{
  g_mutex_lock (&handle->lock);
  handle->object = NULL;
  g_mutex_unlock (&handle->lock);
}
