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

enum {
  PROP_0,
  PROP_ID,
  PROP_PACKAGE_TYPE,
  PROP_TITLE,
  PROP_NUMBER_OF_CALLS,
  PROP_STATUS,
  PROP_EXPIRE_TIME,
  PROP_TOKEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
package_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CsPackage *self = CS_PACKAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_PACKAGE_TYPE:
      g_value_set_int64 (value, self->package_type);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_NUMBER_OF_CALLS:
      g_value_set_int64 (value, self->number_of_calls);
      break;
    case PROP_STATUS:
      g_value_set_int64 (value, self->status);
      break;
    case PROP_EXPIRE_TIME:
      g_value_set_int64 (value, self->expire_time);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
int64_property (const char *name)
{
  return g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0,
                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static GParamSpec *
string_property (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
cs_package_class_init (CsPackageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = package_finalize;
  object_class->get_property = package_get_property;

  /**
   * CsPackage:id: (getter get_id)
   *
   * The `packageId`, or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_ID] = string_property ("id");

  /**
   * CsPackage:package-type: (getter get_package_type)
   *
   * The package's `type` number, whose meaning the service does not
   * document.
   *
   * Since: 1.0
   */
  properties[PROP_PACKAGE_TYPE] = int64_property ("package-type");

  /**
   * CsPackage:title: (getter get_title)
   *
   * The `title`, such as "reCAPTCHA v2 500K", or %NULL.
   *
   * Since: 1.0
   */
  properties[PROP_TITLE] = string_property ("title");

  /**
   * CsPackage:number-of-calls: (getter get_number_of_calls)
   *
   * The `numberOfCalls` left in the package.
   *
   * Since: 1.0
   */
  properties[PROP_NUMBER_OF_CALLS] = int64_property ("number-of-calls");

  /**
   * CsPackage:status: (getter get_status)
   *
   * The package's `status` number, whose meaning the service does not
   * document.
   *
   * Since: 1.0
   */
  properties[PROP_STATUS] = int64_property ("status");

  /**
   * CsPackage:expire-time: (getter get_expire_time)
   *
   * When the package expires (`expireTime`), in seconds since the Unix
   * epoch, or 0.
   *
   * Since: 1.0
   */
  properties[PROP_EXPIRE_TIME] = int64_property ("expire-time");

  /**
   * CsPackage:token: (getter get_token)
   *
   * The package's own key, or %NULL. It is a secret like the API key: do
   * not log it.
   *
   * Since: 1.0
   */
  properties[PROP_TOKEN] = string_property ("token");

  g_object_class_install_properties (object_class, N_PROPS, properties);
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
 * cs_package_get_id: (get-property id)
 * @package: a [class@Package]
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
 * cs_package_get_package_type: (get-property package-type)
 * @package: a [class@Package]
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
 * cs_package_get_title: (get-property title)
 * @package: a [class@Package]
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
 * cs_package_get_number_of_calls: (get-property number-of-calls)
 * @package: a [class@Package]
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
 * cs_package_get_status: (get-property status)
 * @package: a [class@Package]
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
 * cs_package_get_expire_time: (get-property expire-time)
 * @package: a [class@Package]
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
 * cs_package_get_token: (get-property token)
 * @package: a [class@Package]
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
