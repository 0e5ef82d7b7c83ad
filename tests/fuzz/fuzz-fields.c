/* fuzz-fields.c: the arguments of `capsolver solve TYPE FIELD=…`
 *
 * The input is the argument list, one argument a line: the task type,
 * then fields (NAME=TEXT, NAME:=JSON), and a line "--proxy=TEXT" for the
 * proxy. NAME@=FILE would read files, so inputs with "@=" are skipped.
 * Whatever the task the arguments give, it validates or fails cleanly.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "capsolver.h"
#include "capsolver-glib.h"
#include "cs-private.h"
#include "fuzz-target.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(CsTask) task = NULL;
  g_autoptr(GError) error = NULL;
  const char *proxy = NULL;
  CliTaskOptions options = { NULL, };

  if (strstr (text, "@=") != NULL)
    return 0;
  lines = g_strsplit (text, "\n", 64);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "--proxy="))
        proxy = lines[i] + strlen ("--proxy=");
      else
        g_ptr_array_add (args, lines[i]);
    }
  g_ptr_array_add (args, NULL);

  options.proxy = (char *) proxy;
  task = cli_task_new_from_args (&options, args->len - 1, (char **) args->pdata, &error);
  if (task == NULL)
    {
      g_assert_nonnull (error);
      return 0;
    }
  g_assert_no_error (error);
  if (!cs_task_validate (task, &error))
    g_assert_nonnull (error);
  else
    {
      g_autoptr(JsonObject) json = cs_task_to_json (task);

      g_assert_null (_cs_json_find_invalid_utf8 (json));
    }
  return 0;
}
