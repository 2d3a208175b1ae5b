/* pf-server-deletion.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "pf-journal.h"
#include "pf-server-deletion.h"

char *
pf_server_deletion_path (const char *journal_path)
{
  g_autofree char *base = NULL;

  g_return_val_if_fail (journal_path != NULL, NULL);

  base = g_str_has_suffix (journal_path, ".journal")
         ? g_strndup (journal_path, strlen (journal_path) - strlen (".journal"))
         : g_strdup (journal_path);
  return g_strconcat (base, ".delete", NULL);
}

static gboolean
request_in_dir (int                 dir_fd,
                const char         *dir_path,
                const char         *journal_path,
                const char * const *bases,
                guint              *n_added,
                GError            **error)
{
  g_autoptr(GHashTable) by_name = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) known = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *journal = NULL;
  g_autofree char *list_path = pf_server_deletion_path (journal_path);
  g_autofree char *journal_name = NULL;
  g_autofree char *list_name = NULL;
  g_autofree char *old_list = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GHashTable) written = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) old_lines = NULL;
  gsize length = 0;
  guint added = 0;

  journal_name = g_path_get_basename (journal_path);
  list_name = g_path_get_basename (list_path);
  if (!pf_journal_read_state_file (dir_fd, dir_path, journal_name, &journal, &length, error))
    return FALSE;

  /* Every delivered message: its file's name to its unique-id. */
  for (const char *p = journal, *end = journal + length; p < end;)
    {
      const char *eol = memchr (p, '\n', end - p);
      gsize len = eol ? (gsize) (eol - p) : (gsize) (end - p);
      PfJournalLine line = { 0, };

      if (pf_journal_parse_record (p, len, &line) && line.kind == PF_JOURNAL_LINE_DELIVERED &&
          line.uid != NULL && line.name != NULL)
        {
          g_hash_table_replace (by_name, g_steal_pointer (&line.name), g_strdup (line.uid));
        }
      pf_journal_line_clear (&line);
      p += len + 1;
    }
  {
    GHashTableIter iter;
    gpointer uid;

    g_hash_table_iter_init (&iter, by_name);
    while (g_hash_table_iter_next (&iter, NULL, &uid))
      g_hash_table_add (known, uid);
  }

  /* What the list held, still known to the journal, then the new ones. */
  if (pf_journal_read_state_file (dir_fd, dir_path, list_name, &old_list, NULL, NULL))
    {
      old_lines = g_strsplit (old_list, "\n", -1);
      for (guint i = 0; old_lines[i] != NULL; i++)
        {
          char *uid = g_strstrip (old_lines[i]);

          if (*uid != '\0' && g_hash_table_contains (known, uid) && g_hash_table_add (written, uid))
            g_string_append_printf (out, "%s\n", uid);
        }
    }
  for (guint i = 0; bases[i] != NULL; i++)
    {
      char *uid = g_hash_table_lookup (by_name, bases[i]);

      if (uid == NULL)
        continue;
      added++;
      if (g_hash_table_add (written, uid))
        g_string_append_printf (out, "%s\n", uid);
    }

  if (n_added != NULL)
    *n_added = added;
  return pf_journal_replace_state_file (dir_fd, dir_path, list_name, out->str, out->len, error);
}

gboolean
pf_server_deletion_request (const char         *journal_path,
                            const char * const *bases,
                            guint              *n_added,
                            GError            **error)
{
  g_autofree char *dir_path = NULL;
  gboolean ok;
  int dir_fd;

  g_return_val_if_fail (journal_path != NULL && bases != NULL, FALSE);

  /* Both files live in the state directory: read and written inside its
   * descriptor, never through a symbolic link planted there. */
  dir_fd = pf_journal_open_parent_dir (journal_path, &dir_path, error);
  if (dir_fd < 0)
    return FALSE;
  ok = request_in_dir (dir_fd, dir_path, journal_path, bases, n_added, error);
  close (dir_fd);
  return ok;
}
