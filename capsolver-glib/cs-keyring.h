/* cs-keyring.h: the API key kept in the keyring (the Secret Service)
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(__CAPSOLVER_GLIB_INSIDE__) && !defined(CAPSOLVER_GLIB_COMPILATION)
#error "Only <capsolver-glib.h> can be included directly."
#endif

#include <gio/gio.h>
#include "cs-version.h"

G_BEGIN_DECLS

/**
 * CS_KEYRING_SCHEMA_NAME:
 *
 * The name of the libsecret schema of the API keys that
 * [func@keyring_store_key] keeps: `com.capsolver.ApiKey`. Each item has
 * one attribute, [const@KEYRING_ATTRIBUTE_BASE_URL], and the key as its
 * secret, so other programs can find it too:
 *
 * ```sh
 * secret-tool lookup xdg:schema com.capsolver.ApiKey base-url https://api.capsolver.com
 * ```
 *
 * Since: 1.0
 */
#define CS_KEYRING_SCHEMA_NAME "com.capsolver.ApiKey"

/**
 * CS_KEYRING_ATTRIBUTE_BASE_URL:
 *
 * The attribute of a key's item that names the service the key is for:
 * its base URL, as [property@Client:base-url] has it (without a trailing slash),
 * `https://api.capsolver.com` for CapSolver itself. A CapSolver-compatible
 * service at another address has a key of its own.
 *
 * Since: 1.0
 */
#define CS_KEYRING_ATTRIBUTE_BASE_URL "base-url"

CS_AVAILABLE_IN_ALL
gboolean  cs_keyring_is_supported      (void);

CS_AVAILABLE_IN_ALL
void      cs_keyring_store_key_async   (const char          *base_url,
                                        const char          *api_key,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
CS_AVAILABLE_IN_ALL
gboolean  cs_keyring_store_key_finish  (GAsyncResult        *result,
                                        GError             **error);
CS_AVAILABLE_IN_ALL
gboolean  cs_keyring_store_key         (const char          *base_url,
                                        const char          *api_key,
                                        GCancellable        *cancellable,
                                        GError             **error);

CS_AVAILABLE_IN_ALL
void      cs_keyring_lookup_key_async  (const char          *base_url,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
CS_AVAILABLE_IN_ALL
char     *cs_keyring_lookup_key_finish (GAsyncResult        *result,
                                        GError             **error);
CS_AVAILABLE_IN_ALL
char     *cs_keyring_lookup_key        (const char          *base_url,
                                        GCancellable        *cancellable,
                                        GError             **error);

CS_AVAILABLE_IN_ALL
void      cs_keyring_clear_key_async   (const char          *base_url,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
CS_AVAILABLE_IN_ALL
gboolean  cs_keyring_clear_key_finish  (GAsyncResult        *result,
                                        GError             **error);
CS_AVAILABLE_IN_ALL
gboolean  cs_keyring_clear_key         (const char          *base_url,
                                        GCancellable        *cancellable,
                                        GError             **error);

G_END_DECLS
