/* test-maildir.c — Maildir naming, CRLF conversion, the tmp/ stream
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "pf-error.h"
#include "pf-maildir.h"

static void
test_naming_base (void)
{
  g_autofree char *base = pf_maildir_make_base (1764322000, 123456, 4242, 17, "mail.example.org");
  g_autofree char *name = pf_maildir_make_name (base, 4096);
  g_autofree char *back = pf_maildir_base_of_name (name);

  g_assert_cmpstr (base, ==, "1764322000.M123456P4242Q17.mail.example.org");
  g_assert_cmpstr (name, ==, "1764322000.M123456P4242Q17.mail.example.org,S=4096");
  g_assert_cmpstr (back, ==, base);
  g_assert_true (pf_maildir_name_is_valid (name));
}

static void
test_naming_escape_host (void)
{
  g_autofree char *a = pf_maildir_escape_host ("host/with:odd,chars");
  g_autofree char *b = pf_maildir_escape_host ("h\\ x");
  g_autofree char *c = pf_maildir_escape_host ("");

  g_assert_cmpstr (a, ==, "host\\057with\\072odd\\054chars");
  g_assert_cmpstr (b, ==, "h\\134\\040x");
  g_assert_cmpstr (c, ==, "localhost");
}

static void
test_naming_base_of_name_rejects (void)
{
  const char *bad[] = { "abc", "abc,S=", "abc,S=12x", ",S=12", "abc,T=12", "abc,S=-1" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *base = pf_maildir_base_of_name (bad[i]);
      g_assert_null (base);
    }
  g_assert_false (pf_maildir_name_is_valid (""));
  g_assert_false (pf_maildir_name_is_valid (".."));
  g_assert_false (pf_maildir_name_is_valid ("a/b"));
  g_assert_false (pf_maildir_name_is_valid ("a b"));
}

static char *
convert_in_chunks (const char *input,
                   gsize       chunk)
{
  gsize len = strlen (input);
  g_autofree guint8 *out = g_malloc (len + 2);
  gsize o = 0;
  gboolean pending = FALSE;

  for (gsize i = 0; i < len; i += chunk)
    o += pf_crlf_to_lf (&pending, (const guint8 *) input + i, MIN (chunk, len - i), out + o);
  o += pf_crlf_finish (&pending, out + o);
  return g_strndup ((char *) out, o);
}

static void
test_crlf_every_split (void)
{
  const char *input = "Subject: x\r\n\r\nline\rlone CR\r\n\r\r\nend\r";
  const char *expected = "Subject: x\n\nline\rlone CR\n\r\nend\r";

  for (gsize chunk = 1; chunk <= strlen (input); chunk++)
    {
      g_autofree char *out = convert_in_chunks (input, chunk);
      g_assert_cmpstr (out, ==, expected);
    }
}

static void
test_stream_writes_lf_and_sha256 (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "maildir", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PfMaildir) maildir = pf_maildir_open (dir, &error);
  g_autofree char *base = NULL;
  g_autoptr(GOutputStream) stream = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected_sha = NULL;
  gsize length;
  GString *big = g_string_new (NULL);

  g_assert_no_error (error);
  base = pf_maildir_next_base (maildir);
  stream = pf_maildir_create_tmp (maildir, base, TRUE, &error);
  g_assert_no_error (error);

  /* More than one buffer's worth, with CRLFs split across writes. */
  for (int i = 0; i < 20000; i++)
    g_string_append_printf (big, "line %d\r\n", i);
  for (gsize off = 0; off < big->len; off += 4093)
    {
      gsize n = MIN (4093, big->len - off);
      g_assert_true (g_output_stream_write_all (stream, big->str + off, n, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (g_output_stream_close (stream, NULL, &error));
  g_assert_no_error (error);

  path = g_build_filename (dir, "tmp", base, NULL);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_null (memchr (contents, '\r', length));
  g_assert_cmpuint (length, ==, big->len - 20000);
  g_assert_cmpuint (pf_maildir_tmp_get_size (stream), ==, length);
  expected_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (guint8 *) contents, length);
  g_assert_cmpstr (pf_maildir_tmp_get_sha256 (stream), ==, expected_sha);
  g_string_free (big, TRUE);

  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  for (guint i = 0; i < 3; i++)
    {
      const char *sub[] = { "tmp", "new", "cur" };
      g_autofree char *p = g_build_filename (dir, sub[i], NULL);
      g_assert_true (g_file_test (p, G_FILE_TEST_IS_DIR));
    }
}

static void
test_deliver_moves_into_new (void)
{
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "maildir", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PfMaildir) maildir = pf_maildir_open (dir, &error);
  g_autofree char *base = pf_maildir_next_base (maildir);
  g_autofree char *base2 = pf_maildir_next_base (maildir);
  g_autoptr(GOutputStream) stream = pf_maildir_create_tmp (maildir, base, FALSE, &error);
  g_autofree char *name = NULL;
  g_autofree char *new_path = NULL;
  g_autoptr(GPtrArray) tmp = NULL;

  g_assert_cmpstr (base, !=, base2);
  g_assert_true (g_output_stream_write_all (stream, "a\r\n", 3, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (stream, NULL, &error));
  g_assert_no_error (error);
  name = pf_maildir_make_name (base, pf_maildir_tmp_get_size (stream));
  g_assert_true (g_str_has_suffix (name, ",S=2"));

  tmp = pf_maildir_list_tmp (maildir, &error);
  g_assert_cmpuint (tmp->len, ==, 1);
  g_assert_true (pf_maildir_sync_files (maildir, &error));
  g_assert_true (pf_maildir_deliver (maildir, base, name, &error));
  g_assert_true (pf_maildir_sync_new (maildir, &error));
  g_assert_no_error (error);
  new_path = g_build_filename (dir, "new", name, NULL);
  g_assert_true (g_file_test (new_path, G_FILE_TEST_IS_REGULAR));
  g_assert_false (pf_maildir_tmp_exists (maildir, base));
}

static void
test_open_unwritable_is_local_disk (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfMaildir) maildir = pf_maildir_open ("/proc/popfetch-no-such/maildir", &error);

  g_assert_null (maildir);
  g_assert_error (error, PF_ERROR, PF_ERROR_LOCAL_DISK);
}

/* The header digest covers the header and its empty line, the same
 * whether the bytes come CRLF (TOP) or LF (the file as written). */
static void
test_header_digest (void)
{
  const char *crlf = "Subject: a\r\nFrom: b\r\n\r\nbody\r\n";
  const char *top = "Subject: a\r\nFrom: b\r\n\r\n";
  const char *other_body = "Subject: a\nFrom: b\n\nanother body\n";
  const char *other_header = "Subject: c\r\nFrom: b\r\n\r\n";
  g_autofree char *a = pf_maildir_header_digest (crlf, strlen (crlf));
  g_autofree char *b = pf_maildir_header_digest (top, strlen (top));
  g_autofree char *c = pf_maildir_header_digest (other_body, strlen (other_body));
  g_autofree char *d = pf_maildir_header_digest (other_header, strlen (other_header));
  g_autoptr(PfHeaderDigest) chunked = pf_header_digest_new ();
  g_autofree char *e = NULL;

  g_assert_cmpuint (strlen (a), ==, 32);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, ==, c);
  g_assert_cmpstr (a, !=, d);
  /* Fed a byte at a time, as chunks may split it anywhere. */
  for (const char *p = other_body; *p != '\0'; p++)
    pf_header_digest_update (chunked, (const guint8 *) p, 1);
  e = pf_header_digest_finish (chunked);
  g_assert_cmpstr (a, ==, e);
}

/* Fields an mbox server adds once a message was read do not count:
 * "Status: RO" after the RETR must not make TOP look like another
 * message. */
static void
test_header_digest_volatile_fields (void)
{
  const char *delivered = "Subject: a\r\nFrom: b\r\n\r\nbody\r\n";
  const char *read = "Subject: a\r\nstatus: RO\r\nX-UID: 7\r\n  continued\r\nFrom: b\r\n"
                     "X-Status: A\r\n\r\n";
  const char *other = "Subject: a\r\nStatusX: RO\r\nFrom: b\r\n\r\n";
  g_autofree char *a = pf_maildir_header_digest (delivered, strlen (delivered));
  g_autofree char *b = pf_maildir_header_digest (read, strlen (read));
  g_autofree char *c = pf_maildir_header_digest (other, strlen (other));
  g_autoptr(GString) lf = g_string_new (NULL);

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);

  /* Any split into chunks gives the same. */
  for (const char *p = read; *p != '\0'; p++)
    if (*p != '\r')
      g_string_append_c (lf, *p);
  for (gsize split = 0; split <= lf->len; split++)
    {
      g_autoptr(PfHeaderDigest) digest = pf_header_digest_new ();
      g_autofree char *d = NULL;

      pf_header_digest_update (digest, (const guint8 *) lf->str, split);
      pf_header_digest_update (digest, (const guint8 *) lf->str + split, lf->len - split);
      d = pf_header_digest_finish (digest);
      g_assert_cmpstr (a, ==, d);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/delivery/maildir/naming/base-and-name", test_naming_base);
  g_test_add_func ("/engine/delivery/maildir/naming/host-escaped", test_naming_escape_host);
  g_test_add_func ("/engine/delivery/maildir/naming/base-of-name-rejects", test_naming_base_of_name_rejects);
  g_test_add_func ("/engine/delivery/maildir/crlf/every-chunk-split", test_crlf_every_split);
  g_test_add_func ("/engine/delivery/maildir/stream/lf-size-sha256", test_stream_writes_lf_and_sha256);
  g_test_add_func ("/engine/delivery/maildir/deliver/into-new", test_deliver_moves_into_new);
  g_test_add_func ("/engine/delivery/maildir/open/unwritable-is-local-disk", test_open_unwritable_is_local_disk);
  g_test_add_func ("/engine/delivery/maildir/header-digest", test_header_digest);
  g_test_add_func ("/engine/delivery/maildir/header-digest/volatile-fields", test_header_digest_volatile_fields);

  return g_test_run ();
}
