/* fuzz-main.c: a fuzz target run over its corpus, as a test
 *
 * Without libFuzzer, every target links this main(): each argument is a
 * file, or a directory whose files are all run, given once to the
 * target's LLVMFuzzerTestOneInput(). No input may crash, warn or leak.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "fuzz-target.h"

static guint n_inputs;

static void
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  g_print ("ok %u %s\n", ++n_inputs, path);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
run_path (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      run_file (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  /* in a stable order, so that a failure names the same input each run */
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    run_file (g_ptr_array_index (names, i));
}

int
main (int    argc,
      char **argv)
{
  for (int i = 1; i < argc; i++)
    run_path (argv[i]);
  g_print ("1..%u\n", n_inputs);
  return n_inputs > 0 ? 0 : 1;
}
