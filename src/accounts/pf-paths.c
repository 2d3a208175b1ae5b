/* pf-paths.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "pf-journal.h"
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

static char *
account_file (const char *host,
              const char *user,
              const char *suffix)
{
  g_autofree char *state = pf_paths_state_dir ();
  g_autofree char *key = pf_journal_account_key (host, user);
  g_autofree char *name = g_strconcat (key, suffix, NULL);

  return g_build_filename (state, name, NULL);
}

char *
pf_paths_account_journal (const char *host,
                          const char *user)
{
  g_return_val_if_fail (host != NULL && user != NULL, NULL);

  return account_file (host, user, ".journal");
}

char *
pf_paths_account_lock (const char *host,
                       const char *user)
{
  g_return_val_if_fail (host != NULL && user != NULL, NULL);

  return account_file (host, user, ".lock");
}
