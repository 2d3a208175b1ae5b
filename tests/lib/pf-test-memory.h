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
 *
 * A freed block may be reused before a scan reaches it, so a test program
 * that defines PF_TEST_MEMORY_WATCH_FREES before including this header
 * (in one file only) also replaces free() and realloc(): while
 * pf_test_memory_watching is set, every block given back to the
 * allocator, or left behind by a realloc that moved, is passed to the
 * program's pf_test_memory_block_is_secret(), and the blocks it finds are
 * counted in pf_test_memory_unwiped_frees. Not under AddressSanitizer,
 * whose allocator this cannot stand in for, and whose poisoned memory a
 * scan must not read: PF_TEST_MEMORY_UNDER_ASAN says so, for skipping.
 */

#pragma once

#include <stdio.h>
#include <string.h>

#include <glib.h>

#if defined(__SANITIZE_ADDRESS__)
#define PF_TEST_MEMORY_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PF_TEST_MEMORY_UNDER_ASAN 1
#endif
#endif

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

#ifdef PF_TEST_MEMORY_WATCH_FREES
#include <malloc.h>
#include <stdlib.h>

/* TRUE when @block (@size bytes) holds a piece of the secret. Unused
 * under ASan, where nothing watches the frees. */
static gboolean pf_test_memory_block_is_secret (const void *block,
                                                gsize       size) G_GNUC_UNUSED;

static gint pf_test_memory_watching;
static gint pf_test_memory_unwiped_frees;

#ifndef PF_TEST_MEMORY_UNDER_ASAN
/* glibc's own entry points, which its free and realloc stand for. */
extern void  __libc_free    (void *ptr);
extern void *__libc_realloc (void *ptr,
                             size_t size);

static gboolean
pf_test_memory_check_block (void *ptr)
{
  return ptr != NULL && g_atomic_int_get (&pf_test_memory_watching) &&
         pf_test_memory_block_is_secret (ptr, malloc_usable_size (ptr));
}

void
free (void *ptr)
{
  if (pf_test_memory_check_block (ptr))
    g_atomic_int_inc (&pf_test_memory_unwiped_frees);
  __libc_free (ptr);
}

/* A block that moves is freed by the allocator itself, unwiped. */
void *
realloc (void   *ptr,
         size_t  size)
{
  gboolean had_secret = pf_test_memory_check_block (ptr);
  void *moved = __libc_realloc (ptr, size);

  if (had_secret && moved != ptr)
    g_atomic_int_inc (&pf_test_memory_unwiped_frees);
  return moved;
}
#endif
#endif

G_END_DECLS
