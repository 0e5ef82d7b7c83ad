/* test-tasks.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "mock-server.h"

/* STUB: replaced by the real tests. */
static void
test_stub (void)
{
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tasks/stub", test_stub);
  return g_test_run ();
}
