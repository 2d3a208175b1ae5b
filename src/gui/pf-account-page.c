/* pf-account-page.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-account-page.h"
#include "pf-application.h"
#include "pf-diagnosis-view.h"
#include "pf-error.h"
#include "pf-oauth-sign-in.h"
#include "pf-gui-util.h"
#include "pf-index-model.h"
#include "pf-journal.h"
#include "pf-maildir-flags.h"
#include "pf-message-row-factory.h"
#include "pf-message-view.h"
#include "pf-paths.h"
#include "pf-server-deletion.h"
#include "pf-server-panel.h"

/* Changes other programs make in the Maildir arrive as bursts of file
 * events: the index is updated once the burst is over. */
#define MONITOR_SETTLE_MS 400
/* How long search waits for more typing. */
#define SEARCH_DELAY_MS 150
/* Opening an account shows this many rows first, read in a moment, while
 * the whole list is read: more than a window shows. */
#define FIRST_PAGE 60

struct _PfAccountPage
{
  GtkBox           parent_instance;

  PfAccountStatus *status;
  GSignalGroup    *status_signals;

  AdwWindowTitle  *window_title;
  GtkButton       *fetch_button;
  GtkButton       *cancel_button;
  AdwActionRow    *status_row;
  GtkRevealer     *progress_revealer;
  GtkProgressBar  *progress_bar;
  GtkLabel        *progress_label;
  GtkWidget       *error_box;
  PfDiagnosisView *diagnosis_view;
  GtkButton       *change_password_button;
  PfServerPanel   *server_panel;
  PfOAuthSignIn   *sign_in_again;
  GtkToggleButton *search_button;
  GtkToggleButton *conversations_button;
  GtkButton       *all_conversations_button;
  GtkSearchBar    *search_bar;
  GtkSearchEntry  *search_entry;
  GtkCheckButton  *body_check;
  GtkLabel        *count_label;
  GtkStack        *messages_stack;
  GtkListView     *list_view;

  PfIndex          *index;
  PfIndexModel     *model;
  GtkSingleSelection *selection;
  GCancellable     *query_cancellable;
  GCancellable     *update_cancellable;
  gboolean          update_running;
  gboolean          update_again;
  GFileMonitor     *monitors[2];
  guint             settle_id;
  guint             search_id;
  /* With conversations on: the one opened (its messages listed), or 0
   * (the conversations listed). */
  gint64            open_thread;
  gint64            open_thread_message;
  /* The list holds the first rows of the account only, the whole list
   * being read. */
  gboolean          first_page_shown;
  /* A whole list (or a search's) has come since the account opened. */
  gboolean          listed;
  GCancellable     *head_cancellable;
  GdkFrameClock    *paint_clock;
  gulong            paint_handler;
  guint             paint_timeout_id;

  /* The message deleted last, until its toast goes. */
  AdwToast         *delete_toast;
  gint64            deleted_id;
  guint             deleted_position;
  gboolean          delete_undone;
};

G_DEFINE_FINAL_TYPE (PfAccountPage, pf_account_page, GTK_TYPE_BOX)

enum {
  GO_BACK,
  EDIT_ACCOUNT,
  UNREAD_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void start_update (PfAccountPage *self);
static void run_query (PfAccountPage *self);

/* ---- The list ------------------------------------------------------------- */

static void
update_count (PfAccountPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *text = NULL;

  if (self->open_thread != 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Conversation of %u message",
                                         "Conversation of %u messages", n), n);
  else if (pf_index_model_get_conversations (self->model) && search != NULL && *search != '\0')
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conversation found", "%u conversations found", n), n);
  else if (pf_index_model_get_conversations (self->model))
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conversation", "%u conversations", n), n);
  else if (search != NULL && *search != '\0')
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message found", "%u messages found", n), n);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message", "%u messages", n), n);
  gtk_widget_set_visible (GTK_WIDGET (self->all_conversations_button), self->open_thread != 0);
  gtk_label_set_label (self->count_label, text);
  if (n == 0)
    {
      /* The list hides: its focus must not fall out of the page, or the
       * page's keys (Escape, Ctrl+F) stop working. */
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;

      if (focus != NULL && (focus == GTK_WIDGET (self->list_view) ||
                            gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_view))))
        {
          if (gtk_toggle_button_get_active (self->search_button))
            gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
          else
            gtk_widget_grab_focus (GTK_WIDGET (self->fetch_button));
        }
    }
  gtk_stack_set_visible_child_name (self->messages_stack, n > 0 ? "list" : "empty");
  gtk_label_set_label (GTK_LABEL (gtk_stack_get_child_by_name (self->messages_stack, "empty")),
                       search != NULL && *search != '\0' ? _("No messages match the search")
                                                          : _("No messages downloaded yet"));
}

static void
on_query_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  PfAccountPage *self = user_data;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  PfIndexMessage *selected;
  gint64 keep = -1;

  if (g_task_get_source_tag (G_TASK (result)) == pf_index_query_conversations_async)
    ids = pf_index_query_conversations_finish (PF_INDEX (source), result, &error);
  else
    ids = pf_index_query_finish (PF_INDEX (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->query_cancellable);
  if (ids == NULL)
    {
      g_warning ("Could not search the messages: %s", error->message);
      return;
    }
  if (self->model == NULL || pf_index_model_get_index (self->model) != PF_INDEX (source))
    return;

  /* The selection stays on its message across a refresh. */
  selected = gtk_single_selection_get_selected_item (self->selection);
  if (selected != NULL)
    keep = pf_index_message_get_id (selected);
  /* A message waiting for its toast to go stays out of the list. */
  if (self->delete_toast != NULL)
    for (guint i = 0; i < ids->len; i++)
      if ((g_array_get_element_size (ids) == sizeof (PfIndexConversation)
           ? g_array_index (ids, PfIndexConversation, i).id
           : g_array_index (ids, gint64, i)) == self->deleted_id)
        {
          g_array_remove_index (ids, i);
          break;
        }
  if (g_task_get_source_tag (G_TASK (result)) == pf_index_query_conversations_async)
    {
      /* Back from a conversation: on it again. */
      if (self->open_thread_message != 0)
        keep = self->open_thread_message;
      self->open_thread_message = 0;
      pf_index_model_set_conversations (self->model, ids);
    }
  else if (self->first_page_shown)
    {
      /* The rows shown first stay as they are; the rest follow them. */
      pf_index_model_extend_ids (self->model, ids);
    }
  else
    pf_index_model_set_ids (self->model, ids);
  self->first_page_shown = FALSE;
  self->listed = TRUE;
  if (keep >= 0)
    {
      guint position = pf_index_model_find (self->model, keep);

      if (position != G_MAXUINT)
        gtk_single_selection_set_selected (self->selection, position);
    }
  update_count (self);
}

static void
run_query (PfAccountPage *self)
{
  if (self->index == NULL)
    return;
  if (self->query_cancellable != NULL)
    g_cancellable_cancel (self->query_cancellable);
  g_clear_object (&self->query_cancellable);
  self->query_cancellable = g_cancellable_new ();
  if (self->open_thread != 0)
    {
      /* An opened conversation: all its messages, whatever the search
       * that found it. */
      g_autofree char *search = g_strdup_printf ("thread:%" G_GINT64_FORMAT, self->open_thread);

      pf_index_query_async (self->index, search, FALSE, self->query_cancellable, on_query_done, self);
    }
  else if (gtk_toggle_button_get_active (self->conversations_button))
    pf_index_query_conversations_async (self->index, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                                        gtk_check_button_get_active (self->body_check),
                                        self->query_cancellable, on_query_done, self);
  else
    pf_index_query_async (self->index, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                          gtk_check_button_get_active (self->body_check),
                          self->query_cancellable, on_query_done, self);
}

/* ---- Conversations ---------------------------------------------------------- */

static void
open_conversation (PfAccountPage  *self,
                   PfIndexMessage *newest)
{
  self->open_thread = pf_index_message_get_thread (newest);
  self->open_thread_message = pf_index_message_get_id (newest);
  run_query (self);
}

static gboolean
close_conversation (PfAccountPage *self)
{
  if (self->open_thread == 0)
    return FALSE;
  self->open_thread = 0;
  run_query (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
  return TRUE;
}

static void
on_all_conversations_clicked (PfAccountPage *self)
{
  close_conversation (self);
}

static void
on_conversations_toggled (PfAccountPage *self)
{
  self->open_thread = 0;
  self->open_thread_message = 0;
  run_query (self);
}

static void
stop_waiting_for_paint (PfAccountPage *self)
{
  if (self->paint_clock != NULL)
    {
      g_signal_handler_disconnect (self->paint_clock, self->paint_handler);
      self->paint_handler = 0;
      g_clear_object (&self->paint_clock);
    }
  g_clear_handle_id (&self->paint_timeout_id, g_source_remove);
}

/* The first rows are on the screen (or could not be shown): the whole
 * list, and the update of the index, now rather than competing with
 * them for the processor. */
static void
continue_opening (PfAccountPage *self)
{
  stop_waiting_for_paint (self);
  if (self->query_cancellable == NULL)
    run_query (self);
  start_update (self);
}

static gboolean
on_first_page_timeout (gpointer user_data)
{
  PfAccountPage *self = user_data;

  self->paint_timeout_id = 0;
  continue_opening (self);
  return G_SOURCE_REMOVE;
}

static void
on_first_page_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  PfAccountPage *self = user_data;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  GdkFrameClock *clock;

  ids = pf_index_query_finish (PF_INDEX (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->head_cancellable);
  /* Shown unless a search was started meanwhile (its list wins). */
  if (ids == NULL || ids->len == 0 || self->model == NULL || self->query_cancellable != NULL ||
      self->listed || pf_index_model_get_index (self->model) != PF_INDEX (source))
    {
      continue_opening (self);
      return;
    }
  pf_index_model_set_ids (self->model, ids);
  self->first_page_shown = TRUE;
  /* The count comes with the whole list. */
  gtk_label_set_label (self->count_label, "");
  gtk_stack_set_visible_child_name (self->messages_stack, "list");

  clock = gtk_widget_get_mapped (GTK_WIDGET (self)) ? gtk_widget_get_frame_clock (GTK_WIDGET (self)) : NULL;
  if (clock == NULL)
    {
      continue_opening (self);
      return;
    }
  self->paint_clock = g_object_ref (clock);
  self->paint_handler = g_signal_connect_swapped (clock, "after-paint", G_CALLBACK (continue_opening), self);
  /* A window not painting (hidden meanwhile) does not hold the rest up. */
  self->paint_timeout_id = g_timeout_add (250, on_first_page_timeout, self);
}

/* Opening an account: its newest rows at once (a short query), then the
 * whole list, which on a large account takes a moment longer, and the
 * update of the index. */
static void
start_opening (PfAccountPage *self)
{
  if (gtk_toggle_button_get_active (self->conversations_button))
    {
      continue_opening (self);
      return;
    }
  self->head_cancellable = g_cancellable_new ();
  pf_index_query_head_async (self->index, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)),
                             gtk_check_button_get_active (self->body_check), FIRST_PAGE,
                             self->head_cancellable, on_first_page_done, self);
}

static void
on_update_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  PfAccountPage *self = user_data;
  g_autoptr(GError) error = NULL;
  PfIndexStats stats;
  gboolean ok;

  ok = pf_index_update_finish (PF_INDEX (source), result, &stats, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->update_running = FALSE;
  if (!ok)
    g_warning ("Could not update the mail index: %s", error->message);
  else if (stats.added + stats.changed + stats.removed > 0 || stats.rebuilt)
    {
      /* Rows shown may have changed: the list is made again. */
      self->first_page_shown = FALSE;
      run_query (self);
      g_signal_emit (self, signals[UNREAD_CHANGED], 0);
    }
  if (self->update_again && PF_INDEX (source) == self->index)
    {
      self->update_again = FALSE;
      start_update (self);
    }
}

/* Brings the index up to date with the Maildir, then the list. */
static void
start_update (PfAccountPage *self)
{
  if (self->index == NULL)
    return;
  if (self->update_running)
    {
      self->update_again = TRUE;
      return;
    }
  self->update_running = TRUE;
  pf_index_update_async (self->index, TRUE, self->update_cancellable, on_update_done, self);
}

static gboolean
on_settled (gpointer user_data)
{
  PfAccountPage *self = user_data;

  self->settle_id = 0;
  start_update (self);
  return G_SOURCE_REMOVE;
}

static void
on_maildir_changed (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    PfAccountPage     *self)
{
  g_clear_handle_id (&self->settle_id, g_source_remove);
  self->settle_id = g_timeout_add (MONITOR_SETTLE_MS, on_settled, self);
}

static void
stop_watching (PfAccountPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->monitors); i++)
    if (self->monitors[i] != NULL)
      {
        g_signal_handlers_disconnect_by_data (self->monitors[i], self);
        g_file_monitor_cancel (self->monitors[i]);
        g_clear_object (&self->monitors[i]);
      }
  g_clear_handle_id (&self->settle_id, g_source_remove);
}

static void
watch_maildir (PfAccountPage *self,
               const char    *maildir)
{
  const char *folders[] = { "new", "cur" };

  /* Other readers' changes (mutt reading, notmuch tagging, a file
   * manager deleting) show without a restart. */
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *path = g_build_filename (maildir, folders[i], NULL);
      g_autoptr(GFile) dir = g_file_new_for_path (path);

      self->monitors[i] = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (self->monitors[i] != NULL)
        g_signal_connect (self->monitors[i], "changed", G_CALLBACK (on_maildir_changed), self);
    }
}

void
pf_account_page_reload_messages (PfAccountPage *self)
{
  g_autofree char *maildir = NULL;
  g_autofree char *state_dir = NULL;
  g_autofree char *index_path = NULL;

  g_return_if_fail (PF_IS_ACCOUNT_PAGE (self));

  if (self->status == NULL)
    return;

  maildir = pf_account_dup_effective_maildir (pf_account_status_get_account (self->status));
  if (self->index != NULL && g_strcmp0 (pf_index_get_maildir (self->index), maildir) == 0)
    {
      /* The same folder: what a fetch delivered, or others changed. */
      start_update (self);
      return;
    }

  g_cancellable_cancel (self->update_cancellable);
  g_clear_object (&self->update_cancellable);
  self->update_cancellable = g_cancellable_new ();
  if (self->head_cancellable != NULL)
    g_cancellable_cancel (self->head_cancellable);
  g_clear_object (&self->head_cancellable);
  /* The other account's list is of no use now, and a query of it still
   * running would keep this one's from starting (continue_opening). */
  if (self->query_cancellable != NULL)
    g_cancellable_cancel (self->query_cancellable);
  g_clear_object (&self->query_cancellable);
  stop_waiting_for_paint (self);
  self->update_running = FALSE;
  self->update_again = FALSE;
  stop_watching (self);

  state_dir = pf_paths_state_dir ();
  index_path = pf_index_path_for_maildir (state_dir, maildir);
  g_clear_object (&self->index);
  self->index = pf_index_new (index_path, maildir);
  g_clear_object (&self->model);
  self->model = pf_index_model_new (self->index);
  self->open_thread = 0;
  self->open_thread_message = 0;
  self->first_page_shown = FALSE;
  self->listed = FALSE;
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->model));

  /* What the index knows shows at once; the update follows. */
  start_opening (self);
  watch_maildir (self, maildir);
}

/* ---- Opening, read state, deleting ----------------------------------------- */

typedef struct
{
  PfAccountPage *page;    /* weak */
  gint64         id;
} FlagsChange;

static void
on_flags_changed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  FlagsChange *change = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_index_set_flags_finish (PF_INDEX (source), result, &error))
    g_warning ("Could not change the message's flags: %s", error->message);
  if (change->page != NULL)
    {
      if (change->page->model != NULL && pf_index_model_get_index (change->page->model) == PF_INDEX (source))
        {
          /* A conversation's unread count is the query's: asked again. */
          if (pf_index_model_get_conversations (change->page->model))
            run_query (change->page);
          else
            pf_index_model_refresh (change->page->model, change->id);
        }
      g_signal_emit (change->page, signals[UNREAD_CHANGED], 0);
      g_object_remove_weak_pointer (G_OBJECT (change->page), (gpointer *) &change->page);
    }
  g_free (change);
}

static void
change_flags (PfAccountPage *self,
              gint64         id,
              const char    *add,
              const char    *remove)
{
  FlagsChange *change = g_new0 (FlagsChange, 1);

  change->page = self;
  change->id = id;
  g_object_add_weak_pointer (G_OBJECT (self), (gpointer *) &change->page);
  pf_index_set_flags_async (self->index, id, add, remove, NULL, on_flags_changed, change);
}

static void
on_view_mark_unread (PfMessageView *view,
                     PfAccountPage *self)
{
  if (self->index != NULL)
    change_flags (self, pf_index_message_get_id (pf_message_view_get_message (view)), NULL, "S");
}

static void delete_message (PfAccountPage *self, gint64 id);

static void
on_view_delete (PfMessageView *view,
                PfAccountPage *self)
{
  delete_message (self, pf_index_message_get_id (pf_message_view_get_message (view)));
}

static void
open_message (PfAccountPage  *self,
              PfIndexMessage *message)
{
  PfMessageView *view;

  if (pf_index_message_get_id (message) == 0)
    return;
  view = pf_message_view_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->index, message);
  g_signal_connect_object (view, "mark-unread", G_CALLBACK (on_view_mark_unread), self, 0);
  g_signal_connect_object (view, "delete", G_CALLBACK (on_view_delete), self, 0);
  gtk_window_present (GTK_WINDOW (view));

  /* Opened is read, the Maildir way: new/ to cur/ with :2,S. */
  if (pf_index_message_get_unread (message))
    change_flags (self, pf_index_message_get_id (message), "S", NULL);
}

static void
on_list_activate (PfAccountPage *self,
                  guint          position)
{
  g_autoptr(PfIndexMessage) message = g_list_model_get_item (G_LIST_MODEL (self->model), position);

  /* A conversation of several messages opens to its messages. */
  if (message != NULL && pf_index_message_get_conversation_count (message) > 1)
    open_conversation (self, message);
  else if (message != NULL)
    open_message (self, message);
}

typedef struct
{
  gint64  id;
  char   *base;          /* the file's unique part */
  char   *journal_path;  /* set when the server copy goes too */
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_free (data->base);
  g_free (data->journal_path);
  g_free (data);
}

static void
remove_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  RemoveData *data = task_data;
  GError *error = NULL;

  /* The server's copy first: the id is looked up by the file's name,
   * which the journal keeps whether the file is here or not. */
  if (data->journal_path != NULL && data->base != NULL)
    {
      const char *bases[] = { data->base, NULL };
      g_autoptr(GError) local_error = NULL;

      if (!pf_server_deletion_request (data->journal_path, bases, NULL, &local_error))
        g_debug ("Could not ask for the server's copy to be deleted: %s", local_error->message);
    }
  if (pf_index_remove (source, data->id, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    g_warning ("Could not remove the message: %s", error->message);
}

/* The toast went: the deletion is final, the file goes (and, as the
 * account says, the server's copy at the next fetch). */
static void
finish_delete (PfAccountPage *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(PfIndexMessage) message = NULL;
  RemoveData *data;
  PfAccount *account;

  if (self->delete_toast == NULL)
    return;
  g_clear_object (&self->delete_toast);
  if (self->delete_undone || self->index == NULL)
    return;
  data = g_new0 (RemoveData, 1);
  data->id = self->deleted_id;
  message = pf_index_get_message (self->index, self->deleted_id);
  account = self->status ? pf_account_status_get_account (self->status) : NULL;
  if (message != NULL && account != NULL && pf_account_get_delete_on_server (account))
    {
      g_autofree char *name = g_path_get_basename (pf_index_message_get_path (message));
      g_autofree char *state_dir = pf_paths_state_dir ();
      g_autofree char *key = pf_journal_saved_account_key (pf_account_get_name (account));
      g_autofree char *journal = g_strconcat (key, ".journal", NULL);

      pf_maildir_name_split (name, &data->base, NULL);
      data->journal_path = g_build_filename (state_dir, journal, NULL);
    }
  task = g_task_new (self->index, NULL, on_removed, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) remove_data_free);
  g_task_run_in_thread (task, remove_thread);
}

static void
on_delete_toast_dismissed (AdwToast      *toast,
                           PfAccountPage *self)
{
  if (toast == self->delete_toast)
    finish_delete (self);
}

static void
on_delete_undo (AdwToast      *toast,
                PfAccountPage *self)
{
  if (toast != self->delete_toast)
    return;
  self->delete_undone = TRUE;
  if (self->model != NULL)
    {
      pf_index_model_insert_id (self->model, self->deleted_position, self->deleted_id);
      gtk_single_selection_set_selected (self->selection, self->deleted_position);
      update_count (self);
    }
  change_flags (self, self->deleted_id, NULL, "T");
}

static void
delete_message (PfAccountPage *self,
                gint64         id)
{
  GtkWidget *overlay;
  AdwToast *toast;
  guint position;

  if (self->index == NULL || self->model == NULL || id == 0)
    return;
  /* One pending deletion at a time: the one before becomes final. */
  if (self->delete_toast != NULL)
    {
      AdwToast *previous = g_object_ref (self->delete_toast);

      finish_delete (self);
      adw_toast_dismiss (previous);
      g_object_unref (previous);
    }

  position = pf_index_model_find (self->model, id);
  if (position == G_MAXUINT)
    return;
  /* Trashed (T) at once, so other readers hide it too; removed when the
   * toast goes without Undo. */
  change_flags (self, id, "T", NULL);
  pf_index_model_remove_id (self->model, id);
  update_count (self);
  if (position < g_list_model_get_n_items (G_LIST_MODEL (self->model)))
    gtk_single_selection_set_selected (self->selection, position);

  toast = adw_toast_new (_("Message deleted"));
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_timeout (toast, 5);
  /* Undo is useful only now: ahead of a toast already shown (a fetch's
   * "new messages"), not queued behind it. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_delete_undo), self, 0);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_delete_toast_dismissed), self, 0);
  self->delete_toast = g_object_ref (toast);
  self->deleted_id = id;
  self->deleted_position = position;
  self->delete_undone = FALSE;

  overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    {
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
      pf_gui_name_icon_buttons (overlay);
    }
  else
    {
      /* No place to offer Undo: final now. */
      g_object_unref (toast);
      finish_delete (self);
    }
}

static gboolean
on_delete_key (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  PfAccountPage *self = PF_ACCOUNT_PAGE (widget);
  PfIndexMessage *message;

  if (self->selection == NULL)
    return FALSE;
  message = gtk_single_selection_get_selected_item (self->selection);
  if (message == NULL)
    return FALSE;
  /* A conversation of several messages is deleted message by message,
   * once opened: one key press never takes more than one message. */
  if (pf_index_message_get_conversation_count (message) > 1)
    return FALSE;
  delete_message (self, pf_index_message_get_id (message));
  return TRUE;
}

/* ---- Search ----------------------------------------------------------------- */

static gboolean
on_search_timeout (gpointer user_data)
{
  PfAccountPage *self = user_data;

  self->search_id = 0;
  run_query (self);
  return G_SOURCE_REMOVE;
}

static void
on_search_changed (PfAccountPage *self)
{
  /* GtkSearchEntry already waits a little; a toggle does not. A new
   * search lists conversations again, not the one opened. */
  self->open_thread = 0;
  g_clear_handle_id (&self->search_id, g_source_remove);
  self->search_id = g_timeout_add (SEARCH_DELAY_MS, on_search_timeout, self);
}

static void
on_stop_search (PfAccountPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_toggle_button_set_active (self->search_button, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
on_search_activate (PfAccountPage *self)
{
  /* Enter in the entry: to the results. */
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static gboolean
on_escape_key (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  PfAccountPage *self = PF_ACCOUNT_PAGE (widget);
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  /* Escape leaves an opened conversation first, then the search. */
  if (close_conversation (self))
    return TRUE;
  /* From anywhere on the page, Escape leaves the search. */
  if (!gtk_toggle_button_get_active (self->search_button) && (search == NULL || *search == '\0'))
    return FALSE;
  on_stop_search (self);
  return TRUE;
}

static gboolean
on_find_key (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  PfAccountPage *self = PF_ACCOUNT_PAGE (widget);

  gtk_toggle_button_set_active (self->search_button, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  return TRUE;
}

static void
update_status (PfAccountPage *self)
{
  PfAccount *account;
  const GError *error;
  gboolean busy;
  const char *progress;

  if (self->status == NULL)
    return;

  account = pf_account_status_get_account (self->status);
  error = pf_account_status_get_error (self->status);
  busy = pf_account_status_get_busy (self->status);
  progress = pf_account_status_get_progress_text (self->status);

  adw_window_title_set_title (self->window_title, pf_account_get_name (account));
  adw_window_title_set_subtitle (self->window_title, pf_account_get_address (account));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row),
                                 pf_account_status_get_summary (self->status));
  gtk_widget_set_visible (GTK_WIDGET (self->fetch_button), !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);
  gtk_revealer_set_reveal_child (self->progress_revealer, busy);
  gtk_progress_bar_set_fraction (self->progress_bar, pf_account_status_get_fraction (self->status));
  gtk_label_set_label (self->progress_label, progress ? progress : "");

  gtk_widget_set_visible (self->error_box, error != NULL && !busy);
  if (error != NULL)
    {
      pf_diagnosis_view_set_error (self->diagnosis_view, error,
                                   pf_account_status_get_transcript (self->status));
      gtk_widget_set_visible (GTK_WIDGET (self->change_password_button),
                              pf_gui_fix_for_error (error) == PF_FIX_PASSWORD);
      pf_oauth_sign_in_set_account (self->sign_in_again, account);
      gtk_widget_set_visible (GTK_WIDGET (self->sign_in_again),
                              pf_oauth_sign_in_error_needs_sign_in (error));
    }
}

static void
on_finished (PfAccountPage *self,
             guint          count,
             const GError  *error)
{
  if (error == NULL)
    pf_account_page_reload_messages (self);
}

void
pf_account_page_set_status (PfAccountPage   *self,
                            PfAccountStatus *status)
{
  g_return_if_fail (PF_IS_ACCOUNT_PAGE (self));
  g_return_if_fail (!status || PF_IS_ACCOUNT_STATUS (status));

  if (!g_set_object (&self->status, status))
    return;

  g_signal_group_set_target (self->status_signals, status);
  pf_server_panel_set_status (self->server_panel, status);
  update_status (self);
  pf_account_page_reload_messages (self);
}

PfAccountStatus *
pf_account_page_get_status (PfAccountPage *self)
{
  g_return_val_if_fail (PF_IS_ACCOUNT_PAGE (self), NULL);
  return self->status;
}

static void
on_back_clicked (PfAccountPage *self)
{
  g_signal_emit (self, signals[GO_BACK], 0);
}

static void
on_settings_clicked (PfAccountPage *self)
{
  g_signal_emit (self, signals[EDIT_ACCOUNT], 0, FALSE);
}

static void on_fetch_clicked (PfAccountPage *self);

static void
on_signed_in_again_saved (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(PfAccountPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pf_oauth_sign_in_save_finish (PF_OAUTH_SIGN_IN (source), result, &error))
    {
      pf_diagnosis_view_set_error (self->diagnosis_view, error, NULL);
      return;
    }
  on_fetch_clicked (self);
}

/* The new sign-in's refresh token goes to the keyring, then a fetch shows
 * that it works. */
static void
on_signed_in_again (PfAccountPage *self)
{
  if (self->status == NULL)
    return;
  pf_oauth_sign_in_save_async (self->sign_in_again, pf_account_status_get_account (self->status),
                               NULL, on_signed_in_again_saved, g_object_ref (self));
}

static void
on_sign_in_again_failed (PfAccountPage *self,
                         const GError  *error)
{
  pf_diagnosis_view_set_error (self->diagnosis_view, error, NULL);
}

static void
on_change_password_clicked (PfAccountPage *self)
{
  g_signal_emit (self, signals[EDIT_ACCOUNT], 0, TRUE);
}

static void
on_fetch_clicked (PfAccountPage *self)
{
  /* Through the window's queue: a few at a time, one per mailbox. */
  if (self->status != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.fetch-account", "s",
                                pf_account_get_name (pf_account_status_get_account (self->status)));
}

static void
on_cancel_clicked (PfAccountPage *self)
{
  if (self->status != NULL)
    pf_account_status_cancel (self->status);
}

static void
on_open_folder_clicked (PfAccountPage *self)
{
  g_autofree char *maildir = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (self->status == NULL)
    return;

  maildir = pf_account_dup_effective_maildir (pf_account_status_get_account (self->status));
  file = g_file_new_for_path (maildir);
  uri = g_file_get_uri (file);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), uri, GDK_CURRENT_TIME);
}

static void
pf_account_page_dispose (GObject *object)
{
  PfAccountPage *self = PF_ACCOUNT_PAGE (object);

  if (self->query_cancellable != NULL)
    g_cancellable_cancel (self->query_cancellable);
  g_clear_object (&self->query_cancellable);
  if (self->update_cancellable != NULL)
    g_cancellable_cancel (self->update_cancellable);
  g_clear_object (&self->update_cancellable);
  if (self->head_cancellable != NULL)
    g_cancellable_cancel (self->head_cancellable);
  g_clear_object (&self->head_cancellable);
  stop_waiting_for_paint (self);
  stop_watching (self);
  g_clear_handle_id (&self->search_id, g_source_remove);
  /* A deletion waiting for its toast becomes final: the toast may
   * outlive the page, its signals do not. */
  if (self->delete_toast != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->delete_toast, self);
      finish_delete (self);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), PF_TYPE_ACCOUNT_PAGE);
  g_clear_object (&self->status_signals);
  g_clear_object (&self->status);
  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->index);

  G_OBJECT_CLASS (pf_account_page_parent_class)->dispose (object);
}

static void
pf_account_page_class_init (PfAccountPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_account_page_dispose;

  signals[GO_BACK] =
    g_signal_new ("go-back", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[EDIT_ACCOUNT] =
    g_signal_new ("edit-account", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /* The account's read state changed (read, unread, deleted, or other
   * programs' changes picked up): its unread count may differ. */
  signals[UNREAD_CHANGED] =
    g_signal_new ("unread-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (PF_TYPE_DIAGNOSIS_VIEW);
  g_type_ensure (PF_TYPE_SERVER_PANEL);
  g_type_ensure (PF_TYPE_OAUTH_SIGN_IN);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-account-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, fetch_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, status_row);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, error_box);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, diagnosis_view);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, change_password_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, server_panel);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, sign_in_again);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, search_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, conversations_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, all_conversations_button);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, body_check);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, messages_stack);
  gtk_widget_class_bind_template_child (widget_class, PfAccountPage, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_settings_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_change_password_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_signed_in_again);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_again_failed);
  gtk_widget_class_bind_template_callback (widget_class, on_fetch_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_open_folder_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_conversations_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_all_conversations_clicked);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, on_find_key, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Delete, 0, on_delete_key, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, on_escape_key, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Delete, 0, on_delete_key, NULL);
}

/* The switch is kept across runs when the settings schema has it. */
static void
bind_conversations_setting (PfAccountPage *self)
{
  GApplication *app = g_application_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  GSettings *settings;

  if (!PF_IS_APPLICATION (app))
    return;
  settings = pf_application_get_settings (PF_APPLICATION (app));
  if (settings == NULL)
    return;
  g_object_get (settings, "settings-schema", &schema, NULL);
  if (schema != NULL && g_settings_schema_has_key (schema, "conversations"))
    g_settings_bind (settings, "conversations", self->conversations_button, "active", G_SETTINGS_BIND_DEFAULT);
}

static void
pf_account_page_init (PfAccountPage *self)
{
  g_autoptr(GtkListItemFactory) factory = pf_message_row_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->selection, TRUE);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  bind_conversations_setting (self);

  self->status_signals = g_signal_group_new (PF_TYPE_ACCOUNT_STATUS);
  g_signal_group_connect_swapped (self->status_signals, "notify", G_CALLBACK (update_status), self);
  g_signal_group_connect_swapped (self->status_signals, "finished", G_CALLBACK (on_finished), self);
}
