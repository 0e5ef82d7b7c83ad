/* cs-provider.c: what an application may know of each provider's dialect
 *
 * The dialects themselves are private (cs-dialect.c); these read their
 * rows, for a command or a settings page that lists the providers.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-dialect.h"

/**
 * cs_provider_get_name:
 * @provider: a [enum@Provider]
 *
 * Gets the provider's name to write on a command line or in a
 * configuration file: `capsolver`, `anti-captcha`, `2captcha`,
 * `capmonster` or `compatible`.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
cs_provider_get_name (CsProvider provider)
{
  const CsDialect *dialect = _cs_dialect_get (provider);

  g_return_val_if_fail (dialect != NULL, NULL);

  return _cs_dialect_get_nick (dialect);
}

/**
 * cs_provider_from_name:
 * @name: a provider's name, as [func@Provider.get_name] gives it, in any case
 * @provider: (out): where to store the provider
 *
 * Finds the provider of a name written on a command line or in a
 * configuration file.
 *
 * Returns: %TRUE if @name is a provider's name
 *
 * Since: 1.0
 */
gboolean
cs_provider_from_name (const char *name,
                       CsProvider *provider)
{
  const CsDialect *dialect;

  g_return_val_if_fail (name != NULL, FALSE);
  g_return_val_if_fail (provider != NULL, FALSE);

  dialect = _cs_dialect_lookup (name);
  if (dialect == NULL)
    return FALSE;
  *provider = _cs_dialect_get_provider (dialect);
  return TRUE;
}

/**
 * cs_provider_get_display_name:
 * @provider: a [enum@Provider]
 *
 * Gets the provider's name as people write it, such as `Anti-Captcha` or
 * `CapMonster Cloud`. The name to give on a command line is
 * [func@Provider.get_name]'s.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
cs_provider_get_display_name (CsProvider provider)
{
  const CsDialect *dialect = _cs_dialect_get (provider);

  g_return_val_if_fail (dialect != NULL, NULL);

  return _cs_dialect_get_name (dialect);
}

/**
 * cs_provider_get_base_urls:
 * @provider: a [enum@Provider]
 *
 * Gets the base URLs of the provider's service, in the order to try them:
 * for CapSolver `https://api.capsolver.com` then
 * `https://api-stable.capsolver.com`. %CS_PROVIDER_COMPATIBLE has none:
 * its URL is the one you give.
 *
 * Returns: (transfer none) (array zero-terminated=1): the base URLs
 *
 * Since: 1.0
 */
const char * const *
cs_provider_get_base_urls (CsProvider provider)
{
  const CsDialect *dialect = _cs_dialect_get (provider);

  g_return_val_if_fail (dialect != NULL, NULL);

  return _cs_dialect_get_base_urls (dialect);
}

/**
 * cs_task_type_dup_provider_names:
 * @type: a [struct@TaskType]
 * @provider: a [enum@Provider]
 *
 * Gets the type names @provider gives the variants of @type, as
 * [method@TaskType.dup_wire_names] gives CapSolver's: without a proxy,
 * with one, then Enterprise, each once. A provider that asks for
 * Enterprise with a flag beside the plain name (`isEnterprise`) has no
 * name of its own for it. The list is empty when the provider has no
 * task of the type that the library can write.
 *
 * Returns: (transfer full) (array zero-terminated=1): the type names
 *
 * Since: 1.0
 */
char **
cs_task_type_dup_provider_names (const CsTaskType *type,
                                 CsProvider        provider)
{
  const CsDialect *dialect = _cs_dialect_get (provider);
  g_autoptr(GStrvBuilder) builder = NULL;
  g_autoptr(GPtrArray) seen = NULL;

  g_return_val_if_fail (type != NULL, NULL);
  g_return_val_if_fail (dialect != NULL, NULL);

  builder = g_strv_builder_new ();
  seen = g_ptr_array_new ();
  for (guint i = 0; i < 4; i++)
    {
      gboolean enterprise = i >= 2;
      gboolean with_proxy = i % 2 == 1;
      const char *name;

      /* only the variants the library's table has */
      if (cs_task_type_get_wire_name (type, with_proxy, enterprise) == NULL)
        continue;
      name = _cs_dialect_type_name (dialect, type->name, with_proxy, enterprise, NULL);
      if (name == NULL || g_ptr_array_find_with_equal_func (seen, name, g_str_equal, NULL))
        continue;
      g_ptr_array_add (seen, (gpointer) name);
      g_strv_builder_add (builder, name);
    }
  return g_strv_builder_end (builder);
}
