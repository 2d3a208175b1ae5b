/* pf-test-memory.h — does a secret linger anywhere in this process?
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Header only, for the tests that look for copies of a password once the
 * code under test is done with it. Every writable mapping of the process
 * is read: the heap with its freed blocks, the stacks of every thread, the
 * arenas of other threads, the data of the libraries. A copy that was
 * freed without being wiped is found there as surely as one still in use.
 * Keep the secret itself in read-only data (a string literal) or give its
 * buffer as @own, so the scan does not count it.
 */

#pragma once

#include <stdio.h>
#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/* memmem without _GNU_SOURCE. */
static inline const char *
pf_test_memory_find (const char *haystack,
                     gsize       haystack_len,
                     const char *needle,
                     gsize       len)
{
  const char *end = haystack + haystack_len;

  while ((gsize) (end - haystack) >= len)
    {
      const char *first = memchr (haystack, needle[0], (end - haystack) - len + 1);

      if (first == NULL)
        return NULL;
      if (memcmp (first, needle, len) == 0)
        return first;
      haystack = first + 1;
    }
  return NULL;
}

/* How many times @needle (@len bytes) occurs in the writable memory of
 * this process, leaving out the @own_len bytes at @own (may be NULL).
 * Each hit's address is noted with g_test_message. */
static inline guint
pf_test_memory_count (const void *needle,
                      gsize       len,
                      const void *own,
                      gsize       own_len)
{
  /* The mappings are read into a static buffer: a heap copy of the map
   * would be the only allocation made while scanning. */
  static char maps[1 << 16];
  FILE *file;
  gsize maps_len;
  guint hits = 0;
  char *line;
  char *save = NULL;

  g_assert_cmpuint (len, >, 0);
  file = fopen ("/proc/self/maps", "re");
  g_assert_nonnull (file);
  maps_len = fread (maps, 1, sizeof maps - 1, file);
  g_assert_cmpuint (maps_len, <, sizeof maps - 1);
  maps[maps_len] = '\0';
  fclose (file);

  for (line = strtok_r (maps, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      unsigned long start, end;
      char perms[5];
      const char *p;

      if (sscanf (line, "%lx-%lx %4s", &start, &end, perms) != 3)
        continue;
      if (perms[0] != 'r' || perms[1] != 'w' || strstr (line, "[vvar") != NULL)
        continue;

      p = (const char *) start;
      while (p != NULL && (gsize) ((const char *) end - p) >= len)
        {
          const char *hit = pf_test_memory_find (p, (const char *) end - p, needle, len);

          if (hit == NULL)
            break;
          if (own == NULL || hit < (const char *) own || hit >= (const char *) own + own_len)
            {
              hits++;
              g_test_message ("found at %p in %s", hit, line);
            }
          p = hit + 1;
        }
    }
  return hits;
}

G_END_DECLS
