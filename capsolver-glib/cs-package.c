/* cs-package.c: a call package on the account
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"

/**
 * CsPackage:
 *
 * A package of calls bought for the account, as `getBalance` lists them.
 * Fields the service leaves out read as %NULL or 0.
 *
 * Since: 1.0
 */

struct _CsPackage
{
  GObject  parent_instance;

  char    *id;
  gint64   package_type;
  char    *title;
  gint64   number_of_calls;
  gint64   status;
  gint64   expire_time;
  char    *token;
};

G_DEFINE_FINAL_TYPE (CsPackage, cs_package, G_TYPE_OBJECT)

static void
package_finalize (GObject *object)
{
  CsPackage *self = CS_PACKAGE (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->token);

  G_OBJECT_CLASS (cs_package_parent_class)->finalize (object);
}

static void
cs_package_class_init (CsPackageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = package_finalize;
}

static void
cs_package_init (CsPackage *self)
{
}

CsPackage *
_cs_package_new_from_json (JsonObject *object)
{
  CsPackage *self = g_object_new (CS_TYPE_PACKAGE, NULL);

  self->id = g_strdup (_cs_json_get_string (object, "packageId"));
  self->title = g_strdup (_cs_json_get_string (object, "title"));
  self->token = g_strdup (_cs_json_get_string (object, "token"));
  _cs_json_get_int (object, "type", &self->package_type);
  _cs_json_get_int (object, "numberOfCalls", &self->number_of_calls);
  _cs_json_get_int (object, "status", &self->status);
  _cs_json_get_int (object, "expireTime", &self->expire_time);
  return self;
}

/**
 * cs_package_get_id:
 * @package: a #CsPackage
 *
 * Gets the id of the package.
 *
 * Returns: (nullable): the `packageId`
 *
 * Since: 1.0
 */
const char *
cs_package_get_id (CsPackage *package)
{
  g_return_val_if_fail (CS_IS_PACKAGE (package), NULL);
  return package->id;
}

/**
 * cs_package_get_package_type:
 * @package: a #CsPackage
 *
 * Gets the kind of the package, a number the service does not document.
 *
 * Returns: the package's `type` number (its meaning is not documented)
 *
 * Since: 1.0
 */
gint64
cs_package_get_package_type (CsPackage *package)
{
  g_return_val_if_fail (CS_IS_PACKAGE (package), 0);
  return package->package_type;
}

/**
 * cs_package_get_title:
 * @package: a #CsPackage
 *
 * Gets the name of the package.
 *
 * Returns: (nullable): the `title`, such as "reCAPTCHA v2 500K"
 *
 * Since: 1.0
 */
const char *
cs_package_get_title (CsPackage *package)
{
  g_return_val_if_fail (CS_IS_PACKAGE (package), NULL);
  return package->title;
}

/**
 * cs_package_get_number_of_calls:
 * @package: a #CsPackage
 *
 * Gets how many calls are left in the package.
 *
 * Returns: the `numberOfCalls` left in the package
 *
 * Since: 1.0
 */
gint64
cs_package_get_number_of_calls (CsPackage *package)
{
  g_return_val_if_fail (CS_IS_PACKAGE (package), 0);
  return package->number_of_calls;
}

/**
 * cs_package_get_status:
 * @package: a #CsPackage
 *
 * Gets the status of the package, a number the service does not document.
 *
 * Returns: the package's `status` number
 *
 * Since: 1.0
 */
gint64
cs_package_get_status (CsPackage *package)
{
  g_return_val_if_fail (CS_IS_PACKAGE (package), 0);
  return package->status;
}

/**
 * cs_package_get_expire_time:
 * @package: a #CsPackage
 *
 * Gets when the package expires.
 *
 * Returns: when the package expires (`expireTime`), in seconds since the
 *   Unix epoch, or 0
 *
 * Since: 1.0
 */
gint64
cs_package_get_expire_time (CsPackage *package)
{
  g_return_val_if_fail (CS_IS_PACKAGE (package), 0);
  return package->expire_time;
}

/**
 * cs_package_get_token:
 * @package: a #CsPackage
 *
 * Gets the package's own key. It is a secret like the API key: do not
 * log it.
 *
 * Returns: (nullable): the package `token`
 *
 * Since: 1.0
 */
const char *
cs_package_get_token (CsPackage *package)
{
  g_return_val_if_fail (CS_IS_PACKAGE (package), NULL);
  return package->token;
}
