/* cs-balance.c: the account balance and packages
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"

/**
 * CsBalance:
 *
 * What `getBalance` reports: the balance in US dollars and the call
 * packages of the account.
 *
 * Since: 1.0
 */

struct _CsBalance
{
  GObject     parent_instance;

  double      amount;
  GListStore *packages;
};

G_DEFINE_FINAL_TYPE (CsBalance, cs_balance, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_AMOUNT,
  PROP_PACKAGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
balance_finalize (GObject *object)
{
  CsBalance *self = CS_BALANCE (object);

  g_clear_object (&self->packages);

  G_OBJECT_CLASS (cs_balance_parent_class)->finalize (object);
}

static void
balance_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  CsBalance *self = CS_BALANCE (object);

  switch (prop_id)
    {
    case PROP_AMOUNT:
      g_value_set_double (value, self->amount);
      break;
    case PROP_PACKAGES:
      g_value_set_object (value, self->packages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cs_balance_class_init (CsBalanceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = balance_finalize;
  object_class->get_property = balance_get_property;

  /**
   * CsBalance:amount: (getter get_amount)
   *
   * The balance in US dollars.
   *
   * Since: 1.0
   */
  properties[PROP_AMOUNT] =
    g_param_spec_double ("amount", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * CsBalance:packages: (getter get_packages)
   *
   * The call packages of the account, a list of [class@Package].
   *
   * Since: 1.0
   */
  properties[PROP_PACKAGES] =
    g_param_spec_object ("packages", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cs_balance_init (CsBalance *self)
{
  self->packages = g_list_store_new (CS_TYPE_PACKAGE);
}

/* The balance of a getBalance reply; a reply without a numeric balance
 * is refused, since it would read as 0 USD. */
CsBalance *
_cs_balance_new_from_reply (const CsReply  *reply,
                            GError        **error)
{
  g_autoptr(CsBalance) self = NULL;
  JsonArray *packages;
  double amount;

  if (!_cs_json_get_double (reply->root, "balance", &amount))
    {
      g_set_error (error, CS_ERROR, CS_ERROR_PROTOCOL,
                   "HTTP %u: getBalance reply has no numeric balance", reply->http_status);
      return NULL;
    }

  self = g_object_new (CS_TYPE_BALANCE, NULL);
  self->amount = amount;
  packages = _cs_json_get_array (reply->root, "packages");
  for (guint i = 0; packages != NULL && i < json_array_get_length (packages); i++)
    {
      JsonNode *node = json_array_get_element (packages, i);
      g_autoptr(CsPackage) package = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      package = _cs_package_new_from_json (json_node_get_object (node));
      g_list_store_append (self->packages, package);
    }
  return g_steal_pointer (&self);
}

/**
 * cs_balance_get_amount: (get-property amount)
 * @balance: a [class@Balance]
 *
 * Gets the balance.
 *
 * Returns: the balance in US dollars
 *
 * Since: 1.0
 */
double
cs_balance_get_amount (CsBalance *balance)
{
  g_return_val_if_fail (CS_IS_BALANCE (balance), 0);
  return balance->amount;
}

/**
 * cs_balance_get_packages: (get-property packages)
 * @balance: a [class@Balance]
 *
 * Gets the call packages of the account.
 *
 * Returns: (transfer none): a list of [class@Package]
 *
 * Since: 1.0
 */
GListModel *
cs_balance_get_packages (CsBalance *balance)
{
  g_return_val_if_fail (CS_IS_BALANCE (balance), NULL);
  return G_LIST_MODEL (balance->packages);
}
