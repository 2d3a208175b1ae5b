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

static void
append_escaped (GString    *out,
                const char *text,
                gboolean    lower)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '+' || *p == '-')
        g_string_append_c (out, lower ? g_ascii_tolower (*p) : *p);
      else
        g_string_append_printf (out, "%%%02X", *p);
    }
}

char *
pf_paths_account_key (const char *host,
                      const char *user)
{
  GString *key;

  g_return_val_if_fail (host != NULL && *host != '\0', NULL);
  g_return_val_if_fail (user != NULL && *user != '\0', NULL);

  key = g_string_new (NULL);
  append_escaped (key, user, FALSE);
  g_string_append_c (key, '@');
  append_escaped (key, host, TRUE);
  return g_string_free (key, FALSE);
}

char *
pf_paths_account_state_dir (const char *host,
                            const char *user)
{
  g_autofree char *state = pf_paths_state_dir ();
  g_autofree char *key = pf_paths_account_key (host, user);

  g_return_val_if_fail (key != NULL, NULL);

  return g_build_filename (state, "accounts", key, NULL);
}
