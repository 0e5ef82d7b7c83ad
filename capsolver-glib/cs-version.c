/* cs-version.c: run-time version information
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "cs-private.h"

/**
 * cs_get_major_version:
 *
 * Gets the major version of the library loaded at run time, which may be
 * newer than [const@MAJOR_VERSION], the one compiled against.
 *
 * Returns: the major version of the capsolver-glib library in use
 *
 * Since: 1.0
 */
guint
cs_get_major_version (void)
{
  return CS_MAJOR_VERSION;
}

/**
 * cs_get_minor_version:
 *
 * Gets the minor version of the library loaded at run time.
 *
 * Returns: the minor version of the capsolver-glib library in use
 *
 * Since: 1.0
 */
guint
cs_get_minor_version (void)
{
  return CS_MINOR_VERSION;
}

/**
 * cs_get_micro_version:
 *
 * Gets the micro version of the library loaded at run time.
 *
 * Returns: the micro version of the capsolver-glib library in use
 *
 * Since: 1.0
 */
guint
cs_get_micro_version (void)
{
  return CS_MICRO_VERSION;
}
