/* pf-bench-dovecot.c — a private Dovecot with the benchmark mailboxes
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts the test fixture's Dovecot, seeds the mailboxes named on the
 * command line, prints one line of JSON (ports, CA file, password, users)
 * and keeps Dovecot running until standard input closes.
 *
 *   pf-bench-dovecot bulk:5000:4096 mixed:2000 huge:200
 *
 * bulk:N:SIZE  N messages of SIZE bytes
 * mixed:N      70 % 2–8 KB, 25 % 20–100 KB, 5 % 0.5–2 MB (fixed seed)
 * huge:MIB     one message of MIB MiB
 *
 * NAME=KIND:…   the same for the user NAME (many mailboxes of one kind:
 *               a0=bulk:200:4096 a1=bulk:200:4096 …)
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pf-test-dovecot.h"

#define PASSWORD "bench password"

static gboolean
add_huge (PfTestDovecot  *dovecot,
          const char     *user,
          guint           mib,
          GError        **error)
{
  g_autofree char *maildir = pf_test_dovecot_get_maildir (dovecot, user);
  g_autofree char *path = g_build_filename (maildir, "new", "1.M1P1Q1.bench-huge", NULL);
  g_autofree char *line = g_strnfill (1023, 'y');
  FILE *out = fopen (path, "we");

  if (out == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot create %s", path);
      return FALSE;
    }
  fprintf (out, "From: big@popfetch.test\nTo: %s\nSubject: huge\n"
           "Message-ID: <huge@popfetch.test>\n\n", user);
  for (guint i = 0; i < mib * 1024; i++)
    {
      fputs (line, out);
      fputc ('\n', out);
    }
  if (fclose (out) != 0 || g_chmod (path, 0644) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s", path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_mixed (PfTestDovecot  *dovecot,
           const char     *user,
           guint           count,
           GError        **error)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261128);

  for (guint i = 0; i < count; i++)
    {
      guint bucket = i % 20;   /* 14 small, 5 medium, 1 large in every 20 */
      gsize size;

      if (bucket < 14)
        size = g_rand_int_range (rand, 2000, 8000);
      else if (bucket < 19)
        size = g_rand_int_range (rand, 20000, 100000);
      else
        size = g_rand_int_range (rand, 500000, 2000000);
      if (!pf_test_dovecot_add_messages (dovecot, user, 1, size, error))
        return FALSE;
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfTestDovecot) dovecot = NULL;
  g_autoptr(GString) users = g_string_new (NULL);
  char buffer[256];

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s bulk:N:SIZE | mixed:N | huge:MIB …\n", argv[0]);
      return 64;
    }

  dovecot = pf_test_dovecot_start (&error);
  if (dovecot == NULL)
    {
      fprintf (stderr, "cannot start Dovecot: %s\n", error->message);
      return 1;
    }

  for (int i = 1; i < argc; i++)
    {
      const char *equals = strchr (argv[i], '=');
      g_autofree char *named = equals != NULL ? g_strndup (argv[i], equals - argv[i]) : NULL;
      g_auto(GStrv) parts = g_strsplit (equals != NULL ? equals + 1 : argv[i], ":", 3);
      const char *kind = parts[0];
      const char *user = named != NULL ? named : kind;
      gboolean ok;

      if (!pf_test_dovecot_add_user (dovecot, user, PASSWORD, &error))
        break;
      if (g_str_equal (kind, "bulk") && parts[1] != NULL && parts[2] != NULL)
        ok = pf_test_dovecot_add_messages (dovecot, user, atoi (parts[1]), atoi (parts[2]), &error);
      else if (g_str_equal (kind, "mixed") && parts[1] != NULL)
        ok = add_mixed (dovecot, user, atoi (parts[1]), &error);
      else if (g_str_equal (kind, "huge") && parts[1] != NULL)
        ok = add_huge (dovecot, user, atoi (parts[1]), &error);
      else
        {
          fprintf (stderr, "cannot understand %s\n", argv[i]);
          return 64;
        }
      if (!ok)
        break;
      {
        g_autofree char *maildir = pf_test_dovecot_get_maildir (dovecot, user);
        g_string_append_printf (users, "%s\"%s\":\"%s\"", users->len > 0 ? "," : "", user, maildir);
      }
    }
  if (error != NULL)
    {
      fprintf (stderr, "cannot seed the mailboxes: %s\n", error->message);
      return 1;
    }

  printf ("{\"host\":\"127.0.0.1\",\"port\":%u,\"tls_port\":%u,\"ca_file\":\"%s\","
          "\"password\":\"%s\",\"users\":{%s}}\n",
          pf_test_dovecot_get_port (dovecot), pf_test_dovecot_get_tls_port (dovecot),
          pf_test_dovecot_get_ca_file (dovecot), PASSWORD, users->str);
  fflush (stdout);

  while (fgets (buffer, sizeof buffer, stdin) != NULL)
    ;
  return 0;
}
