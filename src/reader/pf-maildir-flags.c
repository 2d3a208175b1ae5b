/* pf-maildir-flags.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pf-maildir-flags.h"

void
pf_maildir_name_split (const char  *name,
                       char       **base,
                       char       **flags)
{
  const char *colon;

  g_return_if_fail (name != NULL);

  colon = strchr (name, ':');
  if (base != NULL)
    *base = colon ? g_strndup (name, colon - name) : g_strdup (name);
  if (flags != NULL)
    *flags = (colon && g_str_has_prefix (colon, ":2,")) ? g_strdup (colon + 3) : g_strdup ("");
}

gboolean
pf_maildir_flags_has (const char *flags,
                      char        flag)
{
  return flags != NULL && strchr (flags, flag) != NULL;
}

char *
pf_maildir_flags_change (const char *flags,
                         const char *add,
                         const char *remove)
{
  gboolean present[128] = { FALSE, };
  GString *out = g_string_new (NULL);

  /* Only printable ASCII letters are flags; anything else in a foreign
   * name is dropped rather than carried into a name we write. */
  for (const char *p = flags ? flags : ""; *p; p++)
    if (*p > 0x20 && *p < 0x7f && *p != ',' && *p != '/' && *p != ':')
      present[(guchar) *p] = TRUE;
  for (const char *p = add ? add : ""; *p; p++)
    if (*p > 0x20 && *p < 0x7f && *p != ',' && *p != '/' && *p != ':')
      present[(guchar) *p] = TRUE;
  for (const char *p = remove ? remove : ""; *p; p++)
    if ((guchar) *p < 128)
      present[(guchar) *p] = FALSE;
  for (guint c = 0; c < 128; c++)
    if (present[c])
      g_string_append_c (out, (char) c);

  return g_string_free (out, FALSE);
}

char *
pf_maildir_name_for_cur (const char *base,
                         const char *flags)
{
  g_autofree char *sorted = pf_maildir_flags_change (flags, NULL, NULL);

  return g_strconcat (base, ":2,", sorted, NULL);
}

static guint
count_folder (const char *maildir,
              const char *folder,
              gboolean    all)
{
  g_autofree char *path = g_build_filename (maildir, folder, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint count = 0;

  if (dir == NULL)
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *flags = NULL;

      if (name[0] == '.')
        continue;
      if (all)
        {
          count++;
          continue;
        }
      pf_maildir_name_split (name, NULL, &flags);
      if (!pf_maildir_flags_has (flags, 'S') && !pf_maildir_flags_has (flags, 'T'))
        count++;
    }
  return count;
}

guint
pf_maildir_count_unread (const char *maildir)
{
  g_return_val_if_fail (maildir != NULL, 0);

  return count_folder (maildir, "new", TRUE) + count_folder (maildir, "cur", FALSE);
}
