/* pf-fetcher-steps.c — PfFetcher: a run's blocking file work, each step in
 * a worker thread (open, prepare tmp/ files, group commit, compact, record
 * deletions) with its callback back on the run's main context
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-fetcher-private.h"

/* ------------------------------------------------------------------ */
/* Recording deletions                                                  */

void
pf_fetcher_gone_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  Run *run = task_data;
  GError *error = NULL;
  g_autoptr(GError) view_error = NULL;
  g_autofree char *view_path = pf_fetcher_server_view_path (run->journal);

  /* The view is a convenience: failing to write it fails no fetch. */
  if (run->view != NULL && !pf_server_view_save (run->view, view_path, &view_error))
    g_warning ("Could not record what is on the server: %s", view_error->message);
  if (run->deleted_uids->len > 0
      && !pf_journal_record_gone (run->journal, (const char * const *) run->deleted_uids->pdata,
                                  run->deleted_uids->len, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
pf_fetcher_on_gone_recorded (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GError) error = NULL;

  run->recording = FALSE;
  /* The deletions are committed whatever happened here: a gone record
   * that did not make it only leaves an id compaction forgets later. */
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not record deleted messages: %s", error->message);
  if (run->log_in_again)
    {
      pf_fetcher_session_reset (run);
      pf_fetcher_run_connect (run);
      return;
    }
  pf_fetcher_run_return (run);
}

/* ------------------------------------------------------------------ */
/* The reader's deletion requests                                       */

/* Blocking: the reader's "to delete" list beside the journal, one
 * unique-id a line; missing is empty. Ids no longer on the server are
 * harmless: a reused id names new mail, which the header check keeps.
 * A link under its name is not followed: it asks for nothing. */
static GHashTable *
read_requested (PfJournal *journal)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *requested;

  if (!pf_journal_read_beside (journal, ".delete", &contents, NULL, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("%s", error->message);
      return NULL;
    }
  requested = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (*g_strstrip (lines[i]) != '\0')
      g_hash_table_add (requested, g_strdup (lines[i]));
  return requested;
}

/* ------------------------------------------------------------------ */
/* Group commit                                                         */

static void
commit_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Step *step = task_data;
  Run *run = step->run;
  GPtrArray *batch = step->batch;
  g_autofree PfJournalRecord *records = g_new0 (PfJournalRecord, batch->len);
  g_autoptr(GHashTable) seen = NULL;
  guint n_records = 0;
  GError *error = NULL;

  /* 1. Every file of the batch, and its tmp/ entry, durable at once. */
  pf_fetcher_fault_point (run->fault, "before-sync");
  if (!pf_maildir_sync_files (run->maildir, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  pf_fetcher_fault_point (run->fault, "after-sync");

  /* 2. Their journal records, one fdatasync. */
  if (run->no_uidl)
    seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < batch->len; i++)
    {
      Message *message = g_ptr_array_index (batch, i);

      if (run->no_uidl
          && (pf_journal_lookup (run->journal, message->uid, NULL, NULL)
              || !g_hash_table_add (seen, message->uid)))
        {
          message->duplicate = TRUE;
          continue;
        }
      records[n_records].uid = message->uid;
      records[n_records].name = message->name;
      records[n_records].first_seen = run->now;
      records[n_records].size = message->server_size;
      records[n_records].header_digest = message->header_digest;
      n_records++;
    }
  if (!pf_journal_append (run->journal, records, n_records, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  pf_fetcher_fault_point (run->fault, "after-journal");

  /* 3. Into new/, one directory fsync. */
  for (guint i = 0; i < batch->len; i++)
    {
      Message *message = g_ptr_array_index (batch, i);
      gboolean ok;

      if (message->duplicate)
        ok = pf_maildir_remove_tmp (run->maildir, message->base, &error);
      else
        ok = pf_maildir_deliver (run->maildir, message->base, message->name, &error);
      if (!ok)
        {
          /* Journaled already: recovery finishes the move next run. */
          g_task_return_error (task, error);
          return;
        }
    }
  pf_fetcher_fault_point (run->fault, "after-rename");
  if (!pf_maildir_sync_new (run->maildir, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  pf_fetcher_fault_point (run->fault, "after-commit");
  g_task_return_boolean (task, TRUE);
}

static void
on_commit (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Run *run = user_data;
  Step *step = g_task_get_task_data (G_TASK (result));
  GPtrArray *batch = step->batch;
  g_autoptr(GError) error = NULL;

  run->committing = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      pf_fetcher_run_fail (run, g_steal_pointer (&error));
    }
  else
    {
      for (guint i = 0; i < batch->len; i++)
        {
          Message *message = g_ptr_array_index (batch, i);

          if (message->duplicate)
            run->result->duplicates++;
          else
            {
              run->result->fetched++;
              run->result->fetched_bytes += message->size;
            }
          if (pf_fetcher_policy_deletes (run, run->now) && !run->session_lost)
            pf_fetcher_queue_delete (run, message->msgno, message->uid, message->server_size);
        }
    }

  if (run->ready->len > 0)
    pf_fetcher_commit_start (run);
  pf_fetcher_run_maybe_finish (run);
}

void
pf_fetcher_commit_start (Run *run)
{
  g_autoptr(GTask) task = NULL;
  GPtrArray *batch;
  Step *step;

  if (run->committing || run->ready->len == 0)
    return;
  if (run->error != NULL && !g_error_matches (run->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && run->error->domain == PF_ERROR && run->error->code == PF_ERROR_LOCAL_DISK)
    {
      /* The disk failed: what is still waiting stays in tmp/ as pending
       * and is fetched again next run. */
      g_ptr_array_set_size (run->ready, 0);
      return;
    }

  /* Everything that arrived while the last commit ran goes in this one:
   * the batch grows with the rate, one flush per batch. */
  batch = g_steal_pointer (&run->ready);
  run->ready = g_ptr_array_new_with_free_func (pf_fetcher_message_free);
  run->committing = TRUE;

  task = g_task_new (NULL, NULL, on_commit, run);
  g_task_set_source_tag (task, pf_fetcher_commit_start);
  step = pf_fetcher_step_new (run);
  step->batch = batch;
  g_task_set_task_data (task, step, pf_fetcher_step_free);
  g_task_run_in_thread (task, commit_thread);
}

/* ------------------------------------------------------------------ */
/* Making tmp/ files ahead                                              */

/* Creating a file can cost the file system far more than writing a small
 * one (ext4 searches its inode tables), so tmp/ files are made ahead, a
 * few dozen at a time, in a worker thread, and the read loop never waits
 * on them. */
static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Step *step = task_data;
  Run *run = step->run;
  guint wanted = step->wanted;
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func (pf_fetcher_slot_free);
  GError *error = NULL;

  for (guint i = 0; i < wanted; i++)
    {
      Slot *slot = g_new0 (Slot, 1);

      slot->base = pf_maildir_next_base (run->maildir);
      g_ptr_array_add (slots, slot);
      if (!pf_journal_note_pending (run->journal, slot->base, &error)
          || (slot->stream = pf_maildir_create_tmp (run->maildir, slot->base,
                                                    run->no_uidl, &error)) == NULL)
        {
          /* Files made so far are announced: recovery removes them. */
          for (guint j = 0; j + 1 < slots->len; j++)
            {
              Slot *made = g_ptr_array_index (slots, j);

              g_output_stream_close (made->stream, NULL, NULL);
              pf_maildir_remove_tmp (run->maildir, made->base, NULL);
            }
          g_task_return_error (task, error);
          return;
        }
    }
  g_task_return_pointer (task, g_steal_pointer (&slots), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_prepared (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  g_autoptr(GPtrArray) slots = NULL;
  GError *error = NULL;

  run->preparing = FALSE;
  slots = g_task_propagate_pointer (G_TASK (result), &error);
  if (slots == NULL)
    pf_fetcher_run_fail (run, error);
  else
    for (guint i = 0; i < slots->len; i++)
      g_queue_push_tail (&run->spare, g_steal_pointer (&slots->pdata[i]));

  pf_fetcher_run_queue_retrieves (run);
  pf_fetcher_run_maybe_finish (run);
}

void
pf_fetcher_prepare_start (Run *run)
{
  g_autoptr(GTask) task = NULL;
  guint remaining = run->todo->len - run->next_to_queue;
  guint wanted;
  Step *step;

  if (run->preparing || run->error != NULL || remaining <= g_queue_get_length (&run->spare))
    return;
  wanted = MIN (remaining - g_queue_get_length (&run->spare), PREPARE_BATCH);

  run->preparing = TRUE;
  task = g_task_new (NULL, NULL, on_prepared, run);
  g_task_set_source_tag (task, pf_fetcher_prepare_start);
  step = pf_fetcher_step_new (run);
  step->wanted = wanted;
  g_task_set_task_data (task, step, pf_fetcher_step_free);
  g_task_run_in_thread (task, prepare_thread);
}

/* Files prepared but not needed after all (a failure, a cancel). */
void
pf_fetcher_drop_spare (Run *run)
{
  Slot *slot;

  /* Unlinking an empty file; recovery would remove it as well. */
  while ((slot = g_queue_pop_head (&run->spare)) != NULL)
    {
      g_output_stream_close (slot->stream, NULL, NULL);
      pf_maildir_remove_tmp (run->maildir, slot->base, NULL);
      pf_fetcher_slot_free (slot);
    }
}

/* ------------------------------------------------------------------ */
/* Compacting                                                           */

/* The names in DIR/cur without the ":2,…" a mail reader adds: base → the
 * file's name there. */
static GHashTable *
cur_names (const char *maildir_path)
{
  g_autofree char *path = g_build_filename (maildir_path, "cur", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      const char *colon = strchr (name, ':');

      g_hash_table_replace (names, colon != NULL ? g_strndup (name, colon - name) : g_strdup (name),
                            g_strdup (name));
    }
  return names;
}

/* The header digest of the delivered file @name, in new/ or (renamed by a
 * mail reader) cur/; NULL when it is in neither. Reads the header only
 * (at most HEADER_CAP bytes, as TOP's answer is held to). */
static char *
delivered_header_digest (const char  *maildir_path,
                         const char  *name,
                         GHashTable **cur)
{
  g_autofree char *path = g_build_filename (maildir_path, "new", name, NULL);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(PfHeaderDigest) digest = NULL;
  g_autofree guint8 *buffer = NULL;
  gsize total = 0;

  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, NULL);
  if (stream == NULL)
    {
      const char *in_cur;

      if (*cur == NULL)
        *cur = cur_names (maildir_path);
      in_cur = g_hash_table_lookup (*cur, name);
      if (in_cur == NULL)
        return NULL;
      g_clear_pointer (&path, g_free);
      g_clear_object (&file);
      path = g_build_filename (maildir_path, "cur", in_cur, NULL);
      file = g_file_new_for_path (path);
      stream = g_file_read (file, NULL, NULL);
      if (stream == NULL)
        return NULL;
    }

  digest = pf_header_digest_new ();
  buffer = g_malloc (64 * 1024);
  while (total <= HEADER_CAP)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, 64 * 1024, NULL, NULL);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      pf_header_digest_update (digest, buffer, n);
      total += n;
    }
  return pf_header_digest_finish (digest);
}

void
pf_fetcher_compact_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  Run *run = task_data;
  g_autoptr(GHashTable) cur = NULL;
  GError *error = NULL;

  /* The main thread leaves run->unverified alone until this returns. */
  for (guint i = 0; run->unverified != NULL && i < run->unverified->len; i++)
    {
      Confirm *confirm = g_ptr_array_index (run->unverified, i);

      g_free (confirm->header_digest);
      confirm->header_digest = delivered_header_digest (run->self->maildir, confirm->name, &cur);
    }

  if (!pf_journal_compact_counted (run->journal, run->listed_known, run->listed_count, run->now,
                                   NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* ------------------------------------------------------------------ */
/* Opening: lock, journal, recovery                                     */

void
pf_fetcher_open_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  Run *run = task_data;
  PfFetcher *self = run->self;
  GError *error = NULL;
  guint delivered = 0, removed = 0;

  if (!pf_server_settings_load_ca_file (run->settings, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The lock first: recovery must not race another run's deliveries. */
  if (self->account_name != NULL)
    {
      g_autofree char *key = pf_journal_saved_account_key (self->account_name);
      g_autofree char *legacy_key = pf_journal_account_key (pf_server_settings_get_host (self->settings), self->user);

      run->journal = pf_journal_open_keyed (self->state_dir, key, legacy_key,
                                            self->account_name, &error);
    }
  else
    run->journal = pf_journal_open (self->state_dir, pf_server_settings_get_host (self->settings), self->user, &error);
  if (run->journal == NULL || !pf_journal_set_user (run->journal, self->user, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  run->requested = read_requested (run->journal);
  {
    g_autofree char *view_path = pf_fetcher_server_view_path (run->journal);

    /* Missing or damaged: the headers are read again. */
    run->previous_view = pf_server_view_load (view_path, NULL);
  }
  if (self->account_name == NULL && pf_journal_get_n_entries (run->journal) == 0)
    {
      g_autofree char *other = pf_journal_find_other_holding (run->journal, self->user,
                                                              self->maildir);

      /* Refused before anything is downloaded: going on would fetch every
       * message the Maildir already has a second time. */
      if (other != NULL)
        {
          g_task_return_new_error (task, PF_ERROR, PF_ERROR_INVALID_INPUT,
                                   _("The Maildir %s already holds mail fetched for %s under "
                                     "another record (%s). Fetching it under the name %s would "
                                     "download all of it again. Fetch it as before: the saved "
                                     "account, or the same server name. If the server was "
                                     "renamed, rename that file to %s to carry the record over."),
                                   self->maildir, self->user, other,
                                   pf_server_settings_get_host (self->settings),
                                   pf_journal_get_path (run->journal));
          return;
        }
    }
  run->maildir = pf_maildir_open (self->maildir, &error);
  if (run->maildir == NULL
      || !pf_journal_recover (run->journal, run->maildir, &delivered, &removed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  run->result->recovered = delivered;
  run->result->discarded = removed;
  g_task_return_boolean (task, TRUE);
}

void
pf_fetcher_on_opened (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Run *run = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      pf_fetcher_run_fail (run, error);
      run->quitting = TRUE;
      pf_fetcher_run_return (run);
      return;
    }
  pf_fetcher_run_connect (run);
}
