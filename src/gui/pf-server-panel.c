/* pf-server-panel.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-error.h"
#include "pf-fetcher.h"
#include "pf-gui-util.h"
#include "pf-provider.h"
#include "pf-server-panel.h"

struct _PfServerPanel
{
  AdwBin           parent_instance;

  PfAccountStatus *status;
  GSignalGroup    *status_signals;
  PfServerView    *view;
  GCancellable    *load_cancellable;
  PfProvider      *provider;

  /* One action at a time: the fetcher takes the account's lock anyway. */
  PfFetcher       *action;
  GCancellable    *action_cancellable;
  char            *action_uid;
  gboolean         survey_wanted;   /* read headers once the view lacks them */

  GtkWidget       *keep_box;
  GtkLabel        *keep_heading;
  GtkLabel        *keep_label;
  GtkButton       *keep_button;
  GtkWidget       *server_box;
  GtkLabel        *summary_label;
  GtkLabel        *detail_label;
  GtkLabel        *error_label;
  GtkListBox      *over_list;
};

G_DEFINE_FINAL_TYPE (PfServerPanel, pf_server_panel, ADW_TYPE_BIN)

static void load_view (PfServerPanel *self);

char *
pf_server_panel_format_summary (const PfServerView *view)
{
  guint n = pf_server_view_get_n_messages (view);
  guint over = pf_server_view_get_over_limit (view)->len;
  g_autofree char *count = g_strdup_printf ("%'u", n);
  g_autofree char *size = g_format_size (pf_server_view_get_total_size (view));

  if (over == 0)
    /* Translators: "On the server: 1,204 messages, 1.3 GB" */
    return g_strdup_printf (ngettext ("On the server: %s message, %s",
                                      "On the server: %s messages, %s", n), count, size);
  /* Translators: "On the server: 1,204 messages, 1.3 GB; 3 over your size limit" */
  return g_strdup_printf (ngettext ("On the server: %s message, %s; %u over your size limit",
                                    "On the server: %s messages, %s; %u over your size limit", n),
                          count, size, over);
}

static PfAccount *
account (PfServerPanel *self)
{
  return self->status != NULL ? pf_account_status_get_account (self->status) : NULL;
}

/* ---- The provider's own setting ------------------------------------------ */

/* Gmail decides what happens to fetched mail on its side, whatever the
 * account's Keep or Delete says: the page says so and links there. */
static void
show_provider (PfServerPanel *self)
{
  PfAccount *acc = account (self);
  PfProvider *provider = NULL;
  const char *note;
  g_autofree char *heading = NULL;
  g_autofree char *button = NULL;

  if (acc != NULL)
    {
      provider = pf_provider_lookup_domain (pf_account_get_address (acc));
      if (provider == NULL && pf_account_get_host (acc) != NULL)
        provider = pf_provider_lookup_server (pf_account_get_host (acc));
    }
  self->provider = provider;
  if (provider == NULL || pf_provider_get_keep_setting_url (provider) == NULL ||
      (note = pf_provider_get_note (provider, "keep")) == NULL)
    {
      gtk_widget_set_visible (self->keep_box, FALSE);
      return;
    }

  /* Translators: %s is a provider's name, "Gmail" */
  heading = g_strdup_printf (_("%s Decides What Stays on the Server"), pf_provider_get_name (provider));
  /* Translators: %s is a provider's name, "Gmail" */
  button = g_strdup_printf (_("Open %s Settings"), pf_provider_get_name (provider));
  gtk_label_set_label (self->keep_heading, heading);
  gtk_label_set_label (self->keep_label, note);
  gtk_button_set_label (self->keep_button, button);
  gtk_widget_set_visible (self->keep_box, TRUE);
}

static void
on_keep_clicked (PfServerPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->provider != NULL)
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                  pf_provider_get_keep_setting_url (self->provider), GDK_CURRENT_TIME);
}

/* ---- Download Anyway, Delete from Server --------------------------------- */

static const char *
subject_of (const PfServerMessage *message)
{
  return message->subject != NULL && *message->subject != '\0' ? message->subject : _("(no subject)");
}

static void
show_action_error (PfServerPanel *self,
                   const GError  *error)
{
  g_autoptr(PfExplanation) explanation = NULL;
  g_autofree char *text = NULL;

  if (error == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
      return;
    }
  explanation = pf_error_explain (error);
  text = g_strdup_printf ("%s\n%s %s", explanation->title, explanation->what, explanation->next);
  gtk_label_set_label (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void show_view (PfServerPanel *self);

static void
on_action_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PfServerPanel) self = user_data;
  g_autoptr(PfFetchResult) fetched = NULL;
  g_autoptr(GError) error = NULL;

  fetched = pf_fetcher_run_finish (PF_FETCHER (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (PF_FETCHER (source) != self->action)
    return;

  g_clear_object (&self->action);
  g_clear_object (&self->action_cancellable);
  g_clear_pointer (&self->action_uid, g_free);
  if (fetched != NULL && fetched->server_view != NULL)
    {
      g_clear_pointer (&self->view, pf_server_view_unref);
      self->view = pf_server_view_ref (fetched->server_view);
      /* The account's summary in the main window counts them too. */
      if (self->status != NULL)
        pf_account_status_set_too_large (self->status,
                                         pf_server_view_get_over_limit (self->view)->len);
    }
  show_view (self);
  show_action_error (self, error);
}

static void
start_action (PfServerPanel *self,
              PfFetchTarget  target,
              const char    *uid)
{
  g_autoptr(GError) error = NULL;

  if (self->action != NULL || account (self) == NULL)
    return;

  show_action_error (self, NULL);
  /* The accounts road, as for a fetch: settings, policy, journal, and the
   * password from the keyring once connected. */
  self->action = pf_account_create_fetcher (account (self), NULL, &error);
  if (self->action == NULL)
    {
      show_action_error (self, error);
      return;
    }
  pf_fetcher_set_target (self->action, target, uid);
  self->action_uid = g_strdup (uid);
  self->action_cancellable = g_cancellable_new ();
  show_view (self);
  pf_fetcher_run_async (self->action, self->action_cancellable, on_action_done, g_object_ref (self));
}

static void
on_download_clicked (GtkButton     *button,
                     PfServerPanel *self)
{
  start_action (self, PF_FETCH_TARGET_ONE, g_object_get_data (G_OBJECT (button), "uid"));
}

typedef struct
{
  PfServerPanel *self;
  char          *uid;
} DeleteChoice;

static void
delete_choice_free (gpointer  data,
                    GClosure *closure)
{
  DeleteChoice *choice = data;

  g_clear_weak_pointer (&choice->self);
  g_free (choice->uid);
  g_free (choice);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    DeleteChoice     *choice)
{
  if (choice->self != NULL && g_strcmp0 (response, "delete") == 0)
    start_action (choice->self, PF_FETCH_TARGET_DELETE_ONE, choice->uid);
}

static void
on_delete_clicked (GtkButton     *button,
                   PfServerPanel *self)
{
  const char *uid = g_object_get_data (G_OBJECT (button), "uid");
  const PfServerMessage *message = self->view != NULL ? pf_server_view_find (self->view, uid) : NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *body = NULL;
  g_autofree char *size = NULL;
  AdwMessageDialog *dialog;
  DeleteChoice *choice;

  if (message == NULL)
    return;

  size = g_format_size (message->size);
  /* Translators: a subject, a sender and a size: "“Photos” from Anna (12.1 MB)" */
  body = g_strdup_printf (_("“%s” from %s (%s) will be deleted from the server. It was never downloaded here: it will be gone."),
                          subject_of (message), message->from ? message->from : _("an unknown sender"), size);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Delete This Message from the Server?"), body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete from Server"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  pf_gui_name_icon_buttons (GTK_WIDGET (dialog));

  choice = g_new0 (DeleteChoice, 1);
  g_set_weak_pointer (&choice->self, self);
  choice->uid = g_strdup (uid);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_delete_response),
                         choice, delete_choice_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- The view ----------------------------------------------------------- */

static GtkWidget *
message_row_new (PfServerPanel         *self,
                 const PfServerMessage *message,
                 gboolean               can_act)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *download = gtk_button_new_with_label (_("Download Anyway"));
  GtkWidget *delete = gtk_button_new_with_label (_("Delete from Server"));
  g_autofree char *size = g_format_size (message->size);
  g_autofree char *subtitle = NULL;
  g_autofree char *download_name = NULL;
  g_autofree char *delete_name = NULL;
  gboolean running = self->action_uid != NULL && g_strcmp0 (self->action_uid, message->uid) == 0;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), subject_of (message));
  /* Translators: sender, date, size: "Anna <anna@example.org>, Tue, 24 Nov 2026 09:15, 12.1 MB" */
  subtitle = g_strdup_printf (_("%s, %s, %s"), message->from ? message->from : _("unknown sender"),
                              message->date ? message->date : _("no date"), size);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  /* Each row's buttons say which message they act on: a screen reader
   * moving from row to row hears the difference. */
  /* Translators: %s is a message's subject */
  download_name = g_strdup_printf (_("Download “%s” anyway"), subject_of (message));
  /* Translators: %s is a message's subject */
  delete_name = g_strdup_printf (_("Delete “%s” from the server"), subject_of (message));
  gtk_accessible_update_property (GTK_ACCESSIBLE (download), GTK_ACCESSIBLE_PROPERTY_LABEL, download_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete), GTK_ACCESSIBLE_PROPERTY_LABEL, delete_name, -1);
  for (GtkWidget **b = (GtkWidget *[]) { download, delete, NULL }; *b; b++)
    {
      gtk_widget_set_valign (*b, GTK_ALIGN_CENTER);
      gtk_widget_set_sensitive (*b, can_act && self->action == NULL);
      g_object_set_data_full (G_OBJECT (*b), "uid", g_strdup (message->uid), g_free);
    }
  g_signal_connect (download, "clicked", G_CALLBACK (on_download_clicked), self);
  g_signal_connect (delete, "clicked", G_CALLBACK (on_delete_clicked), self);

  if (running)
    {
      GtkWidget *spinner = gtk_spinner_new ();

      gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Working on this message"), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), spinner);
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), download);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);
  return row;
}

static void
show_view (PfServerPanel *self)
{
  GPtrArray *over;
  GtkWidget *child;
  g_autofree char *summary = NULL;
  g_autoptr(GString) detail = NULL;
  gboolean can_act;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->over_list))) != NULL)
    gtk_list_box_remove (self->over_list, child);

  gtk_widget_set_visible (self->server_box, self->view != NULL);
  if (self->view == NULL)
    return;

  summary = pf_server_panel_format_summary (self->view);
  gtk_label_set_label (self->summary_label, summary);

  detail = g_string_new (NULL);
  if (pf_server_view_get_n_messages (self->view) > 0)
    g_string_append_printf (detail,
                            ngettext ("%u of them is here already.", "%u of them are here already.",
                                      pf_server_view_get_n_here (self->view)),
                            pf_server_view_get_n_here (self->view));
  if (pf_server_view_is_near_quota (self->view) && pf_server_view_get_quota (self->view) > 0)
    {
      g_autofree char *quota = g_format_size (pf_server_view_get_quota (self->view));

      if (detail->len > 0)
        g_string_append_c (detail, '\n');
      /* Translators: %s is a size, "2.1 GB" */
      g_string_append_printf (detail, _("The mailbox is near its limit of %s: new mail may bounce."), quota);
    }
  else if (pf_server_view_is_near_quota (self->view))
    {
      if (detail->len > 0)
        g_string_append_c (detail, '\n');
      g_string_append (detail, _("The server says the mailbox is near its limit: new mail may bounce."));
    }
  over = pf_server_view_get_over_limit (self->view);
  can_act = !pf_server_view_get_no_uidl (self->view);
  if (over->len > 0 && !can_act)
    {
      if (detail->len > 0)
        g_string_append_c (detail, '\n');
      g_string_append (detail, _("The server does not name its messages, so those over the size limit cannot be fetched or deleted one by one."));
    }
  if (self->action != NULL && self->action_uid == NULL)
    {
      if (detail->len > 0)
        g_string_append_c (detail, '\n');
      g_string_append (detail, _("Reading who sent the messages over the size limit…"));
    }
  gtk_label_set_label (self->detail_label, detail->str);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), detail->len > 0);

  for (guint i = 0; i < over->len; i++)
    gtk_list_box_append (self->over_list, message_row_new (self, over->pdata[i], can_act));
  gtk_widget_set_visible (GTK_WIDGET (self->over_list), over->len > 0);
}

/* A fetch leaves the messages over the limit listed by size alone: only a
 * survey reads their headers (TOP n 0), so one runs once after a fetch
 * (or when the page first shows such a view). */
static gboolean
lacks_headers (PfServerView *view)
{
  GPtrArray *over;

  if (view == NULL || pf_server_view_get_no_uidl (view))
    return FALSE;
  over = pf_server_view_get_over_limit (view);
  for (guint i = 0; i < over->len; i++)
    {
      PfServerMessage *message = over->pdata[i];

      if (message->from == NULL && message->subject == NULL && message->date == NULL)
        return TRUE;
    }
  return FALSE;
}

static void
on_view_loaded (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PfServerPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  PfServerView *view;

  view = pf_account_load_server_view_finish (PF_ACCOUNT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Never fetched: nothing to say yet. A damaged file: the next fetch
   * writes it again. */
  if (error != NULL && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_message ("The server view of %s is not readable: %s",
               pf_account_get_name (PF_ACCOUNT (source)), error->message);
  g_clear_pointer (&self->view, pf_server_view_unref);
  self->view = view;
  show_view (self);
  if (self->survey_wanted && self->action == NULL && lacks_headers (view))
    {
      self->survey_wanted = FALSE;
      start_action (self, PF_FETCH_TARGET_SURVEY, NULL);
    }
}

/* After a fetch that failed, the page says why; a survey would only fail
 * the same way. */
static void
on_status_finished (PfServerPanel *self,
                    guint          count,
                    const GError  *error)
{
  self->survey_wanted = error == NULL;
  load_view (self);
}

static void
load_view (PfServerPanel *self)
{
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (account (self) == NULL)
    {
      g_clear_pointer (&self->view, pf_server_view_unref);
      show_view (self);
      return;
    }
  self->load_cancellable = g_cancellable_new ();
  pf_account_load_server_view_async (account (self), self->load_cancellable,
                                     on_view_loaded, g_object_ref (self));
}

static void
on_status_account (PfServerPanel *self)
{
  self->survey_wanted = TRUE;
  show_provider (self);
  load_view (self);
}

void
pf_server_panel_set_status (PfServerPanel   *self,
                            PfAccountStatus *status)
{
  g_return_if_fail (PF_IS_SERVER_PANEL (self));
  g_return_if_fail (!status || PF_IS_ACCOUNT_STATUS (status));

  if (!g_set_object (&self->status, status))
    return;

  if (self->action_cancellable != NULL)
    g_cancellable_cancel (self->action_cancellable);
  g_clear_object (&self->action_cancellable);
  g_clear_object (&self->action);
  g_clear_pointer (&self->action_uid, g_free);
  g_clear_pointer (&self->view, pf_server_view_unref);
  show_action_error (self, NULL);
  g_signal_group_set_target (self->status_signals, status);
  on_status_account (self);
}

static void
pf_server_panel_dispose (GObject *object)
{
  PfServerPanel *self = PF_SERVER_PANEL (object);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->action_cancellable != NULL)
    g_cancellable_cancel (self->action_cancellable);
  g_clear_object (&self->action_cancellable);
  g_clear_object (&self->action);
  g_clear_pointer (&self->action_uid, g_free);
  g_clear_pointer (&self->view, pf_server_view_unref);
  g_clear_object (&self->status_signals);
  g_clear_object (&self->status);
  gtk_widget_dispose_template (GTK_WIDGET (self), PF_TYPE_SERVER_PANEL);

  G_OBJECT_CLASS (pf_server_panel_parent_class)->dispose (object);
}

static void
pf_server_panel_class_init (PfServerPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_server_panel_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-server-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, PfServerPanel, keep_box);
  gtk_widget_class_bind_template_child (widget_class, PfServerPanel, keep_heading);
  gtk_widget_class_bind_template_child (widget_class, PfServerPanel, keep_label);
  gtk_widget_class_bind_template_child (widget_class, PfServerPanel, keep_button);
  gtk_widget_class_bind_template_child (widget_class, PfServerPanel, server_box);
  gtk_widget_class_bind_template_child (widget_class, PfServerPanel, summary_label);
  gtk_widget_class_bind_template_child (widget_class, PfServerPanel, detail_label);
  gtk_widget_class_bind_template_child (widget_class, PfServerPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, PfServerPanel, over_list);
  gtk_widget_class_bind_template_callback (widget_class, on_keep_clicked);
}

static void
pf_server_panel_init (PfServerPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* A fetch, a survey or an account edit elsewhere: read the view again. */
  self->status_signals = g_signal_group_new (PF_TYPE_ACCOUNT_STATUS);
  g_signal_group_connect_swapped (self->status_signals, "finished", G_CALLBACK (on_status_finished), self);
  g_signal_group_connect_swapped (self->status_signals, "notify::account",
                                  G_CALLBACK (on_status_account), self);
}
