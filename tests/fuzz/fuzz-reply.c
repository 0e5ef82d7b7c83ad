/* fuzz-reply.c: feed arbitrary bytes to the reply parser
 *
 * Built with libFuzzer when the project is configured with clang and
 * -Dfuzzing=true. Otherwise the same entry point runs once over every file
 * of the corpus given on the command line, as a regression test: no input
 * may crash the parser or make it warn.
 *
 * SPDX-FileCopyrightText: 2026 The capsolver-glib authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "cs-private.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
exercise_solution (JsonObject *object)
{
  g_autoptr(CsSolution) solution = cs_solution_new (object);
  g_autofree char *text = cs_solution_to_string (solution);

  (void) cs_solution_get_text (solution);
  (void) cs_solution_get_token (solution);
  (void) cs_solution_get_user_agent (solution);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) body = g_bytes_new_static (data, size);
  g_auto(CsReply) reply = { 0, };
  g_autoptr(GError) error = NULL;

  _cs_reply_parse (&reply, 200, body, "CAP-FUZZ", &error);
  if (reply.solution != NULL)
    exercise_solution (reply.solution);
  if (reply.root != NULL)
    {
      g_autoptr(CsBalance) balance = _cs_balance_new_from_reply (&reply, NULL);
    }
  return 0;
}

#ifndef CS_FUZZING_ENGINE
int
main (int    argc,
      char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *contents = NULL;
      gsize length = 0;
      g_autoptr(GError) error = NULL;

      if (!g_file_get_contents (argv[i], &contents, &length, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
      g_print ("ok %d %s\n", i, argv[i]);
    }
  g_print ("1..%d\n", argc - 1);
  return 0;
}
#endif
