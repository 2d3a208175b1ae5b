/* pf-bench-listing.c — memory per entry of a large UIDL/LIST answer
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A loopback POP3 server in a thread of this process writes a mailbox of
 * COUNT messages (unique-ids of 16 hex digits, as Dovecot makes them) line
 * by line as it goes, holding none of it. Then:
 *
 *   pf-bench-listing client COUNT   PfPop3Client: UIDL and LIST answers,
 *                                   both held, as the fetcher holds them
 *   pf-bench-listing fetch COUNT    PfFetcher: a whole run (STAT, UIDL and
 *                                   LIST, the plan) up to the first RETR,
 *                                   where the server hangs up
 *   pf-bench-listing again COUNT    the same with every message journaled
 *                                   already (a mailbox kept on the server):
 *                                   the journal is loaded, the run plans,
 *                                   fetches nothing and says QUIT
 *
 * and prints the heap growth (glibc mallinfo2) and the peak resident set
 * growth (getrusage), each in bytes per entry: for the client the heap
 * its two answers hold; for the fetch the heap held when the first RETR
 * arrives (what stays for the fetching: the plan and the UIDL answer).
 */

#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "pf-fetcher.h"
#include "pf-journal.h"
#include "pf-pop3-client.h"

static guint count;
/* The heap in use when the server read the first RETR, or 0. */
static gsize heap_at_retr;

static size_t heap_in_use (void);

/* Message @n's unique-id: 16 hex digits, as Dovecot makes them. */
static void
bench_unique_id (char  buffer[17],
                 guint n)
{
  g_snprintf (buffer, 17, "%08X%08X", 0x5f3a0000u + n, 0x1234u);
}

static gboolean
send_all (GOutputStream *out,
          GString       *buffer)
{
  gboolean ok = g_output_stream_write_all (out, buffer->str, buffer->len, NULL, NULL, NULL);

  g_string_truncate (buffer, 0);
  return ok;
}

static gboolean
send_listing (GOutputStream *out,
              gboolean       uidl)
{
  g_autoptr(GString) buffer = g_string_sized_new (80 * 1024);

  g_string_append (buffer, "+OK\r\n");
  for (guint i = 1; i <= count; i++)
    {
      if (uidl)
        {
          char uid[17];

          bench_unique_id (uid, i);
          g_string_append_printf (buffer, "%u %s\r\n", i, uid);
        }
      else
        g_string_append_printf (buffer, "%u %u\r\n", i, 2000 + i % 5000);
      if (buffer->len > 64 * 1024 && !send_all (out, buffer))
        return FALSE;
    }
  g_string_append (buffer, ".\r\n");
  return send_all (out, buffer);
}

static gboolean
on_run (GThreadedSocketService *service,
        GSocketConnection      *connection,
        GObject                *source_object,
        gpointer                user_data)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GDataInputStream) in =
    g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  g_autoptr(GString) reply = g_string_new ("+OK ready\r\n");
  char *line;

  g_data_input_stream_set_newline_type (in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  if (!send_all (out, reply))
    return TRUE;
  while ((line = g_data_input_stream_read_line (in, NULL, NULL, NULL)) != NULL)
    {
      g_autofree char *command = line;
      gboolean ok;

      if (g_str_has_prefix (command, "UIDL"))
        ok = send_listing (out, TRUE);
      else if (g_str_has_prefix (command, "LIST"))
        ok = send_listing (out, FALSE);
      else if (g_str_has_prefix (command, "RETR") || g_str_has_prefix (command, "QUIT"))
        {
          /* The client waits for this answer: its heap is still. */
          if (g_str_has_prefix (command, "RETR"))
            g_atomic_pointer_set (&heap_at_retr, heap_in_use ());
          break;
        }
      else if (g_str_has_prefix (command, "STAT"))
        {
          g_string_printf (reply, "+OK %u %u\r\n", count, count * 2000u);
          ok = send_all (out, reply);
        }
      else
        {
          g_string_assign (reply, g_str_has_prefix (command, "CAPA") ? "-ERR\r\n" : "+OK\r\n");
          ok = send_all (out, reply);
        }
      if (!ok)
        break;
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static size_t
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

static long
max_rss_kib (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static long
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return strtol (line + 6, NULL, 10);
}

static void
bench_client (guint16 port)
{
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("127.0.0.1", port, PF_SECURITY_NONE);
  g_autoptr(PfPop3Client) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PfUidlList) uids = NULL;
  g_autoptr(GArray) sizes = NULL;
  g_autoptr(GError) error = NULL;
  size_t heap_before;
  long rss_before;

  pf_server_settings_set_allow_plaintext_auth (settings, TRUE);
  client = pf_pop3_client_new_for_settings (settings);
  pf_pop3_client_connect_async (client, NULL, store_result, &result);
  if (!pf_pop3_client_connect_finish (client, wait_for (&result), &error))
    g_error ("connect: %s", error->message);
  g_clear_object (&result);
  pf_pop3_client_authenticate_async (client, "bench", "bench", PF_AUTH_USER, NULL,
                                     store_result, &result);
  if (!pf_pop3_client_authenticate_finish (client, wait_for (&result), NULL, &error))
    g_error ("login: %s", error->message);
  g_clear_object (&result);

  heap_before = heap_in_use ();
  rss_before = rss_kib ();

  pf_pop3_client_uidl_async (client, NULL, store_result, &result);
  uids = pf_pop3_client_uidl_finish (client, wait_for (&result), &error);
  if (uids == NULL)
    g_error ("UIDL: %s", error->message);
  g_clear_object (&result);
  pf_pop3_client_list_async (client, NULL, store_result, &result);
  sizes = pf_pop3_client_list_finish (client, wait_for (&result), &error);
  if (sizes == NULL)
    g_error ("LIST: %s", error->message);
  g_clear_object (&result);

  printf ("client %u entries: heap %.1f bytes/entry held, peak RSS %.1f bytes/entry\n",
          pf_uidl_list_get_length (uids), (double) (heap_in_use () - heap_before) / count,
          (double) (max_rss_kib () - rss_before) * 1024 / count);
}

/* In a process of its own (pf-bench-listing journal COUNT STATE_DIR), so
 * that building it counts in no measurement: every message of the bench
 * mailbox delivered already, with a size and header digest as a fetch
 * journals them. */
static int
write_journal (const char *state_dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PfJournal) journal = pf_journal_open (state_dir, "127.0.0.1", "bench", &error);
  g_autofree PfJournalRecord *records = NULL;
  g_autofree char *uids = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  /* As pf_header_digest_finish() spells them: 32 hex digits. */
  const char *digest = "0b2f9e5c6a1d7e8f9a0b1c2d3e4f5a6b";

  if (journal == NULL || !pf_journal_set_user (journal, "bench", &error))
    g_error ("journal: %s", error->message);
  records = g_new0 (PfJournalRecord, count);
  uids = g_malloc ((gsize) count * 17);
  for (guint i = 0; i < count; i++)
    {
      char *uid = uids + (gsize) i * 17;
      guint64 size = 2000 + (i + 1) % 5000;

      bench_unique_id (uid, i + 1);
      g_ptr_array_add (names, g_strdup_printf ("1700000000.M%uP1Q1.bench,S=%" G_GUINT64_FORMAT,
                                               i + 1, size));
      records[i].uid = uid;
      records[i].name = g_ptr_array_index (names, i);
      records[i].first_seen = 1700000000;
      records[i].size = size;
      records[i].header_digest = digest;
    }
  if (!pf_journal_append (journal, records, count, &error))
    g_error ("journal: %s", error->message);
  return 0;
}

static void
bench_fetch (guint16     port,
             gboolean    journaled,
             const char *self_path)
{
  g_autofree char *dir = g_dir_make_tmp ("pf-bench-listing-XXXXXX", NULL);
  g_autofree char *maildir = g_build_filename (dir, "Mail", NULL);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *command = NULL;
  g_autoptr(PfServerSettings) settings = pf_server_settings_new ("127.0.0.1", port, PF_SECURITY_NONE);
  g_autoptr(PfCredentials) credentials = pf_credentials_new_for_password ("bench");
  g_autoptr(PfFetcher) fetcher = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PfFetchResult) fetched = NULL;
  g_autoptr(GError) error = NULL;
  size_t heap_before;
  size_t heap_retr;
  long rss_before;

  pf_server_settings_set_allow_plaintext_auth (settings, TRUE);
  fetcher = pf_fetcher_new (settings, "bench", maildir);
  pf_fetcher_set_mechanism (fetcher, PF_AUTH_USER);
  pf_fetcher_set_credentials (fetcher, credentials);
  pf_fetcher_set_state_dir (fetcher, state);
  if (journaled)
    {
      g_autofree char *count_text = g_strdup_printf ("%u", count);
      const char *child[] = { self_path, "journal", count_text, state, NULL };
      int status = 0;

      if (!g_spawn_sync (NULL, (char **) child, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                         &status, &error) || !g_spawn_check_wait_status (status, &error))
        g_error ("writing the journal: %s", error->message);
    }

  heap_before = heap_in_use ();
  rss_before = rss_kib ();
  pf_fetcher_run_async (fetcher, NULL, store_result, &result);
  fetched = pf_fetcher_run_finish (fetcher, wait_for (&result), &error);
  heap_retr = g_atomic_pointer_get (&heap_at_retr);
  if (heap_retr > heap_before)
    printf ("%s %u entries (%s): heap %.1f bytes/entry held at the first RETR, "
            "peak RSS %.1f bytes/entry\n", journaled ? "again" : "fetch", count,
            error != NULL ? error->message : "finished",
            (double) (heap_retr - heap_before) / count,
            (double) (max_rss_kib () - rss_before) * 1024 / count);
  else
    printf ("%s %u entries (%s, no RETR): peak RSS %.1f bytes/entry\n",
            journaled ? "again" : "fetch", count, error != NULL ? error->message : "finished",
            (double) (max_rss_kib () - rss_before) * 1024 / count);

  command = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (command) != 0)
    g_warning ("could not remove %s", dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GSocketService) service = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  if (argc == 4 && strcmp (argv[1], "journal") == 0)
    {
      count = (guint) strtoul (argv[2], NULL, 10);
      return write_journal (argv[3]);
    }
  if (argc != 3 || (strcmp (argv[1], "client") != 0 && strcmp (argv[1], "fetch") != 0
                    && strcmp (argv[1], "again") != 0))
    {
      fprintf (stderr, "usage: pf-bench-listing client|fetch|again COUNT\n");
      return 64;
    }
  count = (guint) strtoul (argv[2], NULL, 10);

  service = g_threaded_socket_service_new (2);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error))
    g_error ("listen: %s", error->message);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (service, "run", G_CALLBACK (on_run), NULL);
  g_socket_service_start (service);

  if (strcmp (argv[1], "client") == 0)
    bench_client (port);
  else
    bench_fetch (port, strcmp (argv[1], "again") == 0, argv[0]);

  g_socket_service_stop (service);
  return 0;
}
