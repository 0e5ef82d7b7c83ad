/* cs-keyring.c: the API key kept in the keyring (the Secret Service)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"
#include "cs-client.h"
#include "cs-keyring.h"

/* tests/meson.build builds this file a second time with
 * CS_KEYRING_WITHOUT_LIBSECRET, to test a build without libsecret in every
 * build. */
#if defined(HAVE_LIBSECRET) && !defined(CS_KEYRING_WITHOUT_LIBSECRET)
#define WITH_LIBSECRET 1
#include <libsecret/secret.h>
#endif

/**
 * cs_keyring_is_supported:
 *
 * Tells whether this build of capsolver-glib can use the keyring. Without
 * libsecret at build time the keyring functions exist all the same, and
 * fail with %G_IO_ERROR_NOT_SUPPORTED.
 *
 * Whether a keyring is there at run time is another matter: without a
 * Secret Service (no D-Bus session bus, or no keyring daemon on it) the
 * calls fail with %G_IO_ERROR_NOT_CONNECTED.
 *
 * Returns: %TRUE if capsolver-glib was built with libsecret
 *
 * Since: 1.0
 */
gboolean
cs_keyring_is_supported (void)
{
#ifdef WITH_LIBSECRET
  return TRUE;
#else
  return FALSE;
#endif
}

/* --- The arguments ----------------------------------------------------------- */

/* The base URL as a client has it: the default for NULL or "", without
 * the trailing slashes cs_client_set_base_url() removes too. */
static char *
normalize_base_url (const char *base_url)
{
  char *url = g_strdup (base_url != NULL && *base_url != '\0' ? base_url : CS_DEFAULT_BASE_URL);
  gsize length = strlen (url);

  while (length > 0 && url[length - 1] == '/')
    url[--length] = '\0';
  return url;
}

/* Keys are one word: anything else is a paste gone wrong (or the trailing
 * newline of `echo KEY | secret-tool store`, which is stripped). */
static char *
normalize_api_key (const char  *api_key,
                   GError     **error)
{
  g_autofree char *key = g_strstrip (g_strdup (api_key != NULL ? api_key : ""));

  if (*key == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "keyring: the API key is empty");
      return NULL;
    }
  if (!g_utf8_validate (key, -1, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "keyring: the API key is not UTF-8 text");
      return NULL;
    }
  for (const char *p = key; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "keyring: the API key has spaces or control characters in it");
          return NULL;
        }
    }
  return g_steal_pointer (&key);
}

/* A copy of the key that lives no longer than it must. */
static void
wipe_free (char *secret)
{
  if (secret == NULL)
    return;
  for (volatile char *p = secret; *p != '\0'; p++)
    *p = '\0';
  g_free (secret);
}

/* --- One call ---------------------------------------------------------------- */

typedef enum {
  KEYRING_STORE,
  KEYRING_LOOKUP,
  KEYRING_CLEAR,
} KeyringOperation;

typedef struct {
  KeyringOperation  operation;
  char             *base_url;
  char             *api_key;              /* to store; wiped when freed */
  GCancellable     *cancellable;          /* the caller's, or NULL */
  GCancellable     *pending;              /* libsecret's, cancelled on return */
  GSource          *bound;                /* the whole call's time limit */
  GSource          *cancelled;            /* the caller's cancellable fired */
  gboolean          retried;
  gboolean          returned;
} KeyringCall;

static void
keyring_call_free (gpointer data)
{
  KeyringCall *call = data;

  g_free (call->base_url);
  wipe_free (call->api_key);
  g_clear_object (&call->cancellable);
  g_clear_object (&call->pending);
  g_assert (call->bound == NULL && call->cancelled == NULL);
  g_free (call);
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* TRUE the first time only: the task returns once, whether the service,
 * the bound or the caller's cancellable comes first. */
static gboolean
keyring_call_take_return (GTask *gtask)
{
  KeyringCall *call = g_task_get_task_data (gtask);

  if (call->returned)
    return FALSE;
  call->returned = TRUE;
  clear_source (&call->bound);
  clear_source (&call->cancelled);
  /* what libsecret still does is for nobody: it stops */
  g_cancellable_cancel (call->pending);
  return TRUE;
}

#ifdef WITH_LIBSECRET

/* How long a call may take in all: reaching the session bus (a bus that
 * accepts and never speaks would hold it forever), the keyring's answers
 * (a hung daemon would hold each D-Bus call for D-Bus's own 25 s), a
 * retry, and a prompt to unlock the keyring. */
#define KEYRING_TIMEOUT_MS 25000
static guint timeout_ms = KEYRING_TIMEOUT_MS;

void
_cs_keyring_set_connect_timeout (guint msec)
{
  timeout_ms = msec > 0 ? msec : KEYRING_TIMEOUT_MS;
}

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    CS_KEYRING_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { CS_KEYRING_ATTRIBUTE_BASE_URL, SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

static gboolean
bound_cb (gpointer user_data)
{
  GTask *gtask = user_data;

  /* the bus or the keyring may never answer: the task returns now, and
   * libsecret's call is cancelled */
  if (keyring_call_take_return (gtask))
    {
      g_task_return_new_error (gtask, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                               "keyring: no answer within %g %s (the D-Bus session bus "
                               "or the Secret Service did not answer)",
                               timeout_ms / 1000.0, timeout_ms == 1000 ? "second" : "seconds");
    }
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *gtask = user_data;

  if (keyring_call_take_return (gtask))
    g_task_return_error_if_cancelled (gtask);
  return G_SOURCE_REMOVE;
}

/* Where the keyring daemon is missing, D-Bus says so in these words. */
static gboolean
is_no_service_error (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         (error->domain == G_DBUS_ERROR &&
          error->code >= G_DBUS_ERROR_SPAWN_EXEC_FAILED &&
          error->code <= G_DBUS_ERROR_SPAWN_FAILED);
}

/* Errors of a Secret Service that went away, or of a new one that does not
 * know the session or the objects libsecret's cached connection names:
 * worth one more try on a new connection. */
static gboolean
is_stale_service_error (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
         /* org.freedesktop.Secret.Error.NoSession, which GIO has no code for */
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_DBUS_ERROR) ||
         g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT);
}

/* Every failure as a G_IO_ERROR whose message starts with "keyring: ". */
static void
return_keyring_error (GTask  *gtask,
                      GError *error)
{
  g_autoptr(GError) owned = error;

  if (is_no_service_error (error))
    g_task_return_new_error (gtask, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                             "keyring: no Secret Service on the session bus: %s",
                             error->message);
  else if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY))
    g_task_return_new_error (gtask, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                             "keyring: the Secret Service left without answering: %s",
                             error->message);
  else if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    g_task_return_new_error (gtask, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             "keyring: the keyring is locked: %s", error->message);
  else if (error->domain == G_DBUS_ERROR || error->domain == SECRET_ERROR ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_DBUS_ERROR))
    g_task_return_new_error (gtask, G_IO_ERROR, G_IO_ERROR_FAILED,
                             "keyring: the Secret Service failed: %s", error->message);
  else
    {
      g_prefix_error (&owned, "keyring: ");
      g_task_return_error (gtask, g_steal_pointer (&owned));
    }
}

static void operation_done_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data);

/* The URL as a label shows it: it may carry credentials of its own. */
static char *
item_label (const char *base_url)
{
  g_autofree char *safe_url = _cs_redact (base_url, NULL);

  return g_strdup_printf ("CapSolver API key for %s", safe_url);
}

static void
operation_start (GTask *gtask)
{
  KeyringCall *call = g_task_get_task_data (gtask);
  g_autofree char *label = NULL;

  /* libsecret talks to the Secret Service on the session bus, or inside
   * Flatpak keeps an encrypted file whose password the portal gives it */
  switch (call->operation)
    {
    case KEYRING_STORE:
      label = item_label (call->base_url);
      secret_password_store (get_schema (), SECRET_COLLECTION_DEFAULT, label, call->api_key,
                             call->pending, operation_done_cb, g_object_ref (gtask),
                             CS_KEYRING_ATTRIBUTE_BASE_URL, call->base_url,
                             NULL);
      break;
    case KEYRING_LOOKUP:
      secret_password_lookup (get_schema (), call->pending, operation_done_cb,
                              g_object_ref (gtask),
                              CS_KEYRING_ATTRIBUTE_BASE_URL, call->base_url,
                              NULL);
      break;
    case KEYRING_CLEAR:
      secret_password_clear (get_schema (), call->pending, operation_done_cb,
                             g_object_ref (gtask),
                             CS_KEYRING_ATTRIBUTE_BASE_URL, call->base_url,
                             NULL);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* After a lookup that found nothing or a removal that removed nothing:
 * an item of the key that is there but locked (the keyring was not
 * unlocked: no prompter, or the user dismissed it) is an error of its own,
 * not an empty keyring. */
static void
locked_search_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) gtask = user_data;
  KeyringCall *call = g_task_get_task_data (gtask);
  g_autoptr(GError) error = NULL;
  GList *items = secret_service_search_finish (NULL, result, &error);
  gboolean locked = FALSE;

  for (GList *l = items; l != NULL; l = l->next)
    locked = locked || secret_item_get_locked (l->data);
  g_list_free_full (items, g_object_unref);

  if (!keyring_call_take_return (gtask))
    return;
  if (error != NULL)
    return_keyring_error (gtask, g_steal_pointer (&error));
  else if (locked)
    g_task_return_new_error (gtask, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             "keyring: the keyring is locked: the key for %s cannot be %s "
                             "until it is unlocked", call->base_url,
                             call->operation == KEYRING_LOOKUP ? "read" : "removed");
  else if (call->operation == KEYRING_LOOKUP)
    g_task_return_pointer (gtask, NULL, NULL);
  else
    g_task_return_boolean (gtask, FALSE);
}

static void
search_locked (GTask *gtask)
{
  KeyringCall *call = g_task_get_task_data (gtask);
  g_autoptr(GHashTable) attributes = secret_attributes_build (get_schema (),
                                                              CS_KEYRING_ATTRIBUTE_BASE_URL,
                                                              call->base_url, NULL);

  /* neither unlocked nor read: only whether such an item is there */
  secret_service_search (NULL, get_schema (), attributes, SECRET_SEARCH_ALL, call->pending,
                         locked_search_done_cb, g_object_ref (gtask));
}

static void
operation_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) gtask = user_data;
  KeyringCall *call = g_task_get_task_data (gtask);
  g_autoptr(GError) error = NULL;
  char *password = NULL;
  gboolean done = FALSE;

  switch (call->operation)
    {
    case KEYRING_STORE:
      done = secret_password_store_finish (result, &error);
      break;
    case KEYRING_LOOKUP:
      password = secret_password_lookup_finish (result, &error);
      break;
    case KEYRING_CLEAR:
      done = secret_password_clear_finish (result, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (call->returned)
    {
      if (password != NULL)
        secret_password_free (password);
      return;
    }
  if (error != NULL && !call->retried && is_stale_service_error (error))
    {
      /* the daemon went away or was replaced: libsecret's cached service
       * still names the old one's session, and would fail forever */
      g_debug ("keyring: trying again on a new connection: %s", error->message);
      call->retried = TRUE;
      secret_service_disconnect ();
      operation_start (gtask);
      return;
    }
  if (error == NULL && password == NULL && !done && call->operation != KEYRING_STORE)
    {
      search_locked (gtask);
      return;
    }

  keyring_call_take_return (gtask);
  if (error != NULL)
    {
      return_keyring_error (gtask, g_steal_pointer (&error));
      return;
    }
  if (call->operation != KEYRING_LOOKUP)
    {
      g_task_return_boolean (gtask, done);
      return;
    }
  /* a copy in ordinary memory, and the keyring's wiped */
  {
    g_autofree char *key = g_strstrip (g_strdup (password));

    secret_password_free (password);
    if (*key != '\0')
      {
        g_task_return_pointer (gtask, g_steal_pointer (&key), (GDestroyNotify) wipe_free);
        return;
      }
    wipe_free (g_steal_pointer (&key));
  }
  g_task_return_pointer (gtask, NULL, NULL);
}

static void
bus_ready_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) gtask = user_data;
  KeyringCall *call = g_task_get_task_data (gtask);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, &error);

  if (call->returned)
    return;
  if (bus == NULL)
    {
      keyring_call_take_return (gtask);
      g_task_return_new_error (gtask, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "keyring: no D-Bus session bus: %s", error->message);
      return;
    }
  operation_start (gtask);
}

static void
keyring_call_start (GTask *gtask)
{
  KeyringCall *call = g_task_get_task_data (gtask);

  call->bound = g_timeout_source_new (timeout_ms);
  g_task_attach_source (gtask, call->bound, bound_cb);
  if (call->cancellable != NULL)
    {
      call->cancelled = g_cancellable_source_new (call->cancellable);
      g_task_attach_source (gtask, call->cancelled, (GSourceFunc) cancelled_cb);
    }
  /* the bus libsecret uses is this one, the process's shared connection;
   * not cancelled, since every caller waits for the same attempt */
  g_bus_get (G_BUS_TYPE_SESSION, NULL, bus_ready_cb, g_object_ref (gtask));
}

#else /* !WITH_LIBSECRET */

void
_cs_keyring_set_connect_timeout (guint msec)
{
}

static void
keyring_call_start (GTask *gtask)
{
  keyring_call_take_return (gtask);
  g_task_return_new_error (gtask, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "keyring: not supported: capsolver-glib was built without libsecret");
}

#endif /* WITH_LIBSECRET */

static GTask *
keyring_call_new (KeyringOperation     operation,
                  const char          *base_url,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data,
                  gpointer             source_tag)
{
  GTask *gtask = g_task_new (NULL, cancellable, callback, user_data);
  KeyringCall *call = g_new0 (KeyringCall, 1);

  g_task_set_source_tag (gtask, source_tag);
  call->operation = operation;
  call->base_url = normalize_base_url (base_url);
  call->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  call->pending = g_cancellable_new ();
  g_task_set_task_data (gtask, call, keyring_call_free);
  return gtask;
}

static void
keyring_call_run (GTask *gtask)
{
  KeyringCall *call = g_task_get_task_data (gtask);

  if (g_task_return_error_if_cancelled (gtask))
    call->returned = TRUE;
  else
    keyring_call_start (gtask);
}

static gboolean
keyring_call_check (GAsyncResult *result,
                    gpointer      source_tag)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return TRUE;
}

/* --- The blocking forms --------------------------------------------------------
 *
 * The asynchronous call, on a new main context pushed as the thread
 * default, iterated until the call returns. */

typedef struct {
  GMainContext *context;
  GAsyncResult *result;
} KeyringSync;

static void
keyring_sync_begin (KeyringSync *sync)
{
  sync->context = g_main_context_new ();
  sync->result = NULL;
  g_main_context_push_thread_default (sync->context);
}

static void
keyring_sync_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  KeyringSync *sync = user_data;

  sync->result = g_object_ref (result);
}

static GAsyncResult *
keyring_sync_wait (KeyringSync *sync)
{
  while (sync->result == NULL)
    g_main_context_iteration (sync->context, TRUE);
  while (g_main_context_pending (sync->context))
    g_main_context_iteration (sync->context, FALSE);
  g_main_context_pop_thread_default (sync->context);
  g_main_context_unref (sync->context);
  return sync->result;
}

/* --- Store ---------------------------------------------------------------------- */

/**
 * cs_keyring_store_key_async:
 * @base_url: (nullable): the base URL of the service the key is for, or
 *   %NULL for [const@DEFAULT_BASE_URL]
 * @api_key: the API key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the key is stored
 * @user_data: data for @callback
 *
 * Stores @api_key in the user's default keyring, as the key of the service
 * at @base_url, replacing the key stored for it before. The item has the
 * schema [const@KEYRING_SCHEMA_NAME], the attribute
 * [const@KEYRING_ATTRIBUTE_BASE_URL] and the label "CapSolver API key for
 * @base_url". Surrounding white space is removed from @api_key; a key with
 * white space or control characters inside fails with
 * %G_IO_ERROR_INVALID_ARGUMENT.
 *
 * The keyring is the Secret Service on the D-Bus session bus
 * (GNOME Keyring, KeePassXC…); inside a Flatpak sandbox, libsecret keeps an
 * encrypted file in the application's data instead, and needs no
 * permission for it. Every error is in the %G_IO_ERROR domain, with a
 * message that starts with "keyring: ":
 *
 * - %G_IO_ERROR_NOT_CONNECTED: no session bus, no Secret Service on it, or
 *   one that went away without answering;
 * - %G_IO_ERROR_TIMED_OUT: the whole call took more than 25 seconds (a bus
 *   or a keyring daemon that does not answer), a prompt to unlock the
 *   keyring included;
 * - %G_IO_ERROR_PERMISSION_DENIED: the keyring is locked and was not
 *   unlocked (the user dismissed the prompt, or there is none);
 * - %G_IO_ERROR_FAILED: the Secret Service failed otherwise;
 * - %G_IO_ERROR_NOT_SUPPORTED: a build without libsecret (see
 *   [func@keyring_is_supported]).
 *
 * A keyring daemon that was restarted is used again: a call that meets a
 * session or a connection the new daemon does not know is tried once more
 * on a new connection.
 *
 * Since: 1.0
 */
void
cs_keyring_store_key_async (const char          *base_url,
                            const char          *api_key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;
  g_autoptr(GError) error = NULL;
  KeyringCall *call;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = keyring_call_new (KEYRING_STORE, base_url, cancellable, callback, user_data,
                            cs_keyring_store_key_async);
  call = g_task_get_task_data (gtask);
  call->api_key = normalize_api_key (api_key, &error);
  if (call->api_key == NULL)
    {
      call->returned = TRUE;
      g_task_return_error (gtask, g_steal_pointer (&error));
      return;
    }
  keyring_call_run (gtask);
}

/**
 * cs_keyring_store_key_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@keyring_store_key_async].
 *
 * Returns: %TRUE if the key is stored
 *
 * Since: 1.0
 */
gboolean
cs_keyring_store_key_finish (GAsyncResult  *result,
                             GError       **error)
{
  if (!keyring_call_check (result, cs_keyring_store_key_async))
    return FALSE;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cs_keyring_store_key:
 * @base_url: (nullable): the base URL of the service the key is for, or
 *   %NULL for [const@DEFAULT_BASE_URL]
 * @api_key: the API key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for an error
 *
 * The blocking form of [func@keyring_store_key_async].
 *
 * Returns: %TRUE if the key is stored
 *
 * Since: 1.0
 */
gboolean
cs_keyring_store_key (const char    *base_url,
                      const char    *api_key,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  KeyringSync sync;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  keyring_sync_begin (&sync);
  cs_keyring_store_key_async (base_url, api_key, cancellable, keyring_sync_done_cb, &sync);
  result = keyring_sync_wait (&sync);
  return cs_keyring_store_key_finish (result, error);
}

/* --- Lookup --------------------------------------------------------------------- */

/**
 * cs_keyring_lookup_key_async:
 * @base_url: (nullable): the base URL of the service, or %NULL for
 *   [const@DEFAULT_BASE_URL]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called with the key
 * @user_data: data for @callback
 *
 * Looks up the API key stored for the service at @base_url by
 * [func@keyring_store_key_async], or by any program that keeps keys
 * under [const@KEYRING_SCHEMA_NAME]. The errors are those of
 * [func@keyring_store_key_async].
 *
 * Since: 1.0
 */
void
cs_keyring_lookup_key_async (const char          *base_url,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = keyring_call_new (KEYRING_LOOKUP, base_url, cancellable, callback, user_data,
                            cs_keyring_lookup_key_async);
  keyring_call_run (gtask);
}

/**
 * cs_keyring_lookup_key_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@keyring_lookup_key_async].
 *
 * Returns: (transfer full) (nullable): the API key, without surrounding
 *   white space, or %NULL, without an error, when the keyring has none for
 *   the service; a key kept in a keyring that stays locked is
 *   %G_IO_ERROR_PERMISSION_DENIED, not %NULL
 *
 * Since: 1.0
 */
char *
cs_keyring_lookup_key_finish (GAsyncResult  *result,
                              GError       **error)
{
  if (!keyring_call_check (result, cs_keyring_lookup_key_async))
    return NULL;
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * cs_keyring_lookup_key:
 * @base_url: (nullable): the base URL of the service, or %NULL for
 *   [const@DEFAULT_BASE_URL]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for an error
 *
 * The blocking form of [func@keyring_lookup_key_async].
 *
 * Returns: (transfer full) (nullable): the API key, or %NULL, without an
 *   error, when the keyring has none for the service
 *
 * Since: 1.0
 */
char *
cs_keyring_lookup_key (const char    *base_url,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  KeyringSync sync;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  keyring_sync_begin (&sync);
  cs_keyring_lookup_key_async (base_url, cancellable, keyring_sync_done_cb, &sync);
  result = keyring_sync_wait (&sync);
  return cs_keyring_lookup_key_finish (result, error);
}

/* --- Clear ---------------------------------------------------------------------- */

/**
 * cs_keyring_clear_key_async:
 * @base_url: (nullable): the base URL of the service, or %NULL for
 *   [const@DEFAULT_BASE_URL]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the key is gone
 * @user_data: data for @callback
 *
 * Removes the API key stored for the service at @base_url from the
 * keyring. The errors are those of [func@keyring_store_key_async].
 *
 * Since: 1.0
 */
void
cs_keyring_clear_key_async (const char          *base_url,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = keyring_call_new (KEYRING_CLEAR, base_url, cancellable, callback, user_data,
                            cs_keyring_clear_key_async);
  keyring_call_run (gtask);
}

/**
 * cs_keyring_clear_key_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@keyring_clear_key_async].
 *
 * Returns: %TRUE if a key was removed; %FALSE, without an error, if the
 *   keyring had none for the service; a key kept in a keyring that stays
 *   locked is %G_IO_ERROR_PERMISSION_DENIED, not %FALSE
 *
 * Since: 1.0
 */
gboolean
cs_keyring_clear_key_finish (GAsyncResult  *result,
                             GError       **error)
{
  if (!keyring_call_check (result, cs_keyring_clear_key_async))
    return FALSE;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * cs_keyring_clear_key:
 * @base_url: (nullable): the base URL of the service, or %NULL for
 *   [const@DEFAULT_BASE_URL]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for an error
 *
 * The blocking form of [func@keyring_clear_key_async].
 *
 * Returns: %TRUE if a key was removed; %FALSE, without an error, if the
 *   keyring had none for the service
 *
 * Since: 1.0
 */
gboolean
cs_keyring_clear_key (const char    *base_url,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  KeyringSync sync;

  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  keyring_sync_begin (&sync);
  cs_keyring_clear_key_async (base_url, cancellable, keyring_sync_done_cb, &sync);
  result = keyring_sync_wait (&sync);
  return cs_keyring_clear_key_finish (result, error);
}
