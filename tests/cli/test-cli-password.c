/* test-cli-password.c — the password reader leaves no copy behind
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * pf_cli_read_password() reads a line a byte at a time into one buffer of
 * the largest size, so that no grown buffer is freed with part of the
 * password in it. Here it reads from a pipe on standard input and from a
 * file; once its result is freed with pf_wipe_string(), no piece of
 * the password may be anywhere in the process, and no block may have gone
 * back to the allocator unwiped (tests/lib/pf-test-memory.h).
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "pf-cli-common.h"

#define PF_TEST_MEMORY_WATCH_FREES
#include "pf-test-memory.h"

/* The secret lives here only: the scans leave these bytes out. */
static char password[4097];

#define WINDOW 20

static gboolean
pf_test_memory_block_is_secret (const void *block,
                                gsize       size)
{
  gsize len = strlen (password);

  return pf_test_memory_find (block, size, password, WINDOW) != NULL ||
         pf_test_memory_find (block, size, password + len / 2 - WINDOW / 2, WINDOW) != NULL ||
         pf_test_memory_find (block, size, password + len - WINDOW, WINDOW) != NULL;
}

static guint
count_copies (void)
{
  gsize len = strlen (password);

  return pf_test_memory_count (password, WINDOW, password, sizeof password) +
         pf_test_memory_count (password + len / 2 - WINDOW / 2, WINDOW, password, sizeof password) +
         pf_test_memory_count (password + len - WINDOW, WINDOW, password, sizeof password);
}

static void
make_password (gsize len,
               guint seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  explicit_bzero (password, sizeof password);
  for (gsize i = 0; i < len; i++)
    password[i] = (char) g_rand_int_range (rand, '!', '~' + 1);
}

/* Writes the password and a newline to @fd a byte at a time, from the
 * static buffer, so that no copy is made on the way. */
static void
write_password (int fd)
{
  for (gsize i = 0; password[i] != '\0'; i++)
    g_assert_cmpint (write (fd, password + i, 1), ==, 1);
  g_assert_cmpint (write (fd, "\n", 1), ==, 1);
}

static void
check_read (gboolean    from_stdin,
            const char *file)
{
  g_autoptr(GError) error = NULL;
  char *read;

  g_atomic_int_set (&pf_test_memory_unwiped_frees, 0);
  g_atomic_int_set (&pf_test_memory_watching, TRUE);
  read = pf_cli_read_password (from_stdin, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (strcmp (read, password) == 0);
  pf_wipe_string (read);
  g_atomic_int_set (&pf_test_memory_watching, FALSE);

  g_assert_cmpint (g_atomic_int_get (&pf_test_memory_unwiped_frees), ==, 0);
  g_assert_cmpuint (count_copies (), ==, 0);
}

typedef struct
{
  gsize length;
  guint seed;
} Case;

static void
test_stdin (gconstpointer data)
{
  const Case *c = data;
  int pipe_fds[2];
  int saved_stdin;

#ifdef PF_TEST_MEMORY_UNDER_ASAN
  g_test_skip ("ASan's allocator poisons freed memory");
  return;
#endif
  make_password (c->length, c->seed);
  g_assert_cmpuint (count_copies (), ==, 0);

  /* The pipe holds the line in the kernel until it is read. */
  g_assert_cmpint (pipe (pipe_fds), ==, 0);
  write_password (pipe_fds[1]);
  close (pipe_fds[1]);
  saved_stdin = dup (STDIN_FILENO);
  g_assert_cmpint (dup2 (pipe_fds[0], STDIN_FILENO), ==, STDIN_FILENO);
  close (pipe_fds[0]);

  check_read (TRUE, NULL);

  g_assert_cmpint (dup2 (saved_stdin, STDIN_FILENO), ==, STDIN_FILENO);
  close (saved_stdin);
}

static void
test_file (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = g_build_filename (g_get_user_runtime_dir (), "password", NULL);
  int fd;

#ifdef PF_TEST_MEMORY_UNDER_ASAN
  g_test_skip ("ASan's allocator poisons freed memory");
  return;
#endif
  make_password (c->length, c->seed);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_runtime_dir (), 0700), ==, 0);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  write_password (fd);
  close (fd);

  check_read (FALSE, path);
  g_unlink (path);
}

static const Case cases[] = {
  { 24, 1 },
  { 200, 2 },
  { 4096, 3 },
};

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *stdin_path = g_strdup_printf ("/cli/password/no-copy/stdin-%zu", cases[i].length);
      g_autofree char *file_path = g_strdup_printf ("/cli/password/no-copy/file-%zu", cases[i].length);

      g_test_add_data_func (stdin_path, &cases[i], test_stdin);
      g_test_add_data_func (file_path, &cases[i], test_file);
    }

  return g_test_run ();
}
