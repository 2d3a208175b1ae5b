/* fetch-main.c — popfetch-cli-fetch, the ad hoc fetch of popfetch-cli
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-cli-fetch.h"

int
main (int   argc,
      char *argv[])
{
  return pf_cli_fetch_main (argc, argv);
}
