/* pf-paths.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-paths.h"

char *
pf_paths_config_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "popfetch", NULL);
}

char *
pf_paths_state_dir (void)
{
  return g_build_filename (g_get_user_state_dir (), "popfetch", NULL);
}
