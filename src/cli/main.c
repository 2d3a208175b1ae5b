/* main.c — popfetch-cli
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-cli.h"

int
main (int   argc,
      char *argv[])
{
  return pf_cli_main (argc, argv);
}
