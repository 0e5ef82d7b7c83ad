/* cs-client-environment.c: a client configured by the environment and the
 * keyring, as the capsolver command is
 *
 * A leaf: it uses only the public API of the client and the keyring.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"
#include "cs-client.h"
#include "cs-keyring.h"

static const char *
getenv_nonempty (const char *variable)
{
  const char *value = g_getenv (variable);

  return value != NULL && *value != '\0' ? value : NULL;
}

static CsClient *
client_new (const char *api_key,
            const char *base_url)
{
  return g_object_new (CS_TYPE_CLIENT, "api-key", api_key, "base-url", base_url, NULL);
}

static void
key_looked_up_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) gtask = user_data;
  const char *base_url = g_task_get_task_data (gtask);
  g_autoptr(GError) error = NULL;
  g_autofree char *api_key = cs_keyring_lookup_key_finish (result, &error);
  g_autofree char *safe_url = NULL;

  if (api_key != NULL)
    {
      g_task_return_pointer (gtask, client_new (api_key, base_url), g_object_unref);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (gtask, g_steal_pointer (&error));
      return;
    }
  /* no key anywhere is one error, whatever the keyring said */
  if (error != NULL)
    g_task_return_new_error (gtask, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS,
                             "ERROR_KEY_DENIED_ACCESS: CAPSOLVER_API_KEY is not set, "
                             "and no key could be read from the %s", error->message);
  else
    {
      safe_url = _cs_redact (base_url != NULL ? base_url : CS_DEFAULT_BASE_URL, NULL);
      g_task_return_new_error (gtask, CS_ERROR, CS_ERROR_KEY_DENIED_ACCESS,
                               "ERROR_KEY_DENIED_ACCESS: CAPSOLVER_API_KEY is not set, "
                               "and the keyring has no key for %s", safe_url);
    }
}

/**
 * cs_client_new_from_environment_async:
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called with the client
 * @user_data: data for @callback
 *
 * Creates a client configured as the `capsolver` command is: the address
 * of the service from `CAPSOLVER_BASE_URL` when it is set (otherwise
 * [const@DEFAULT_BASE_URL]), and the API key from the `CAPSOLVER_API_KEY`
 * environment variable, or when that is unset or empty, the one the
 * keyring holds for that address ([func@keyring_lookup_key_async]).
 * [ctor@Client.new] reads neither.
 *
 * `CAPSOLVER_BASE_URL` is subject to the rule of [property@Client:base-url]: a
 * plain `http://` URL to another machine makes every call fail until
 * [property@Client:allow-insecure-http] is set.
 *
 * Since: 1.0
 */
void
cs_client_new_from_environment_async (GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;
  const char *api_key = getenv_nonempty ("CAPSOLVER_API_KEY");
  const char *base_url = getenv_nonempty ("CAPSOLVER_BASE_URL");

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  gtask = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cs_client_new_from_environment_async);
  if (api_key != NULL)
    {
      g_task_return_pointer (gtask, client_new (api_key, base_url), g_object_unref);
      return;
    }
  g_task_set_task_data (gtask, g_strdup (base_url), g_free);
  cs_keyring_lookup_key_async (base_url, cancellable, key_looked_up_cb, g_steal_pointer (&gtask));
}

/**
 * cs_client_new_from_environment_finish:
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Finishes [func@Client.new_from_environment_async].
 *
 * Returns: (transfer full): a new [class@Client], or %NULL with
 *   %CS_ERROR_KEY_DENIED_ACCESS set when `CAPSOLVER_API_KEY` is unset or
 *   empty and the keyring has no key for the service (the message says
 *   why: none stored, no keyring, or a build without one), or
 *   %G_IO_ERROR_CANCELLED
 *
 * Since: 1.0
 */
CsClient *
cs_client_new_from_environment_finish (GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cs_client_new_from_environment_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sync_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  *result_out = g_object_ref (result);
}

/**
 * cs_client_new_from_environment:
 * @error: return location for an error
 *
 * The blocking form of [func@Client.new_from_environment_async]. It
 * returns at once when `CAPSOLVER_API_KEY` is set; otherwise it waits for
 * the keyring, which may ask the user to unlock it: in an application
 * with a user interface, prefer the asynchronous form.
 *
 * Returns: (transfer full) (nullable): a new [class@Client], or %NULL with
 *   %CS_ERROR_KEY_DENIED_ACCESS set when `CAPSOLVER_API_KEY` is unset or
 *   empty and the keyring has no key for the service
 *
 * Since: 1.0
 */
CsClient *
cs_client_new_from_environment (GError **error)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* the asynchronous form, on a context of its own pushed as the default */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  cs_client_new_from_environment_async (NULL, sync_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  while (g_main_context_pending (context))
    g_main_context_iteration (context, FALSE);
  g_main_context_pop_thread_default (context);
  return cs_client_new_from_environment_finish (result, error);
}
