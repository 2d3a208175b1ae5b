/* pf-message-view.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>

#include <gmime/gmime.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pf-gui-util.h"
#include "pf-html-text.h"
#include "pf-message-view.h"
#include "pf-mime-file.h"

/* The source view shows this much of a message; the rest is one click
 * away in the mail reader. */
#define SOURCE_MAX (1024 * 1024)

struct _PfMessageView
{
  AdwWindow        parent_instance;

  PfIndex         *index;
  PfIndexMessage  *message;
  GCancellable    *cancellable;
  GPtrArray       *attachments;     /* PfAttachment */

  AdwToastOverlay *toast_overlay;
  GtkStack        *stack;
  GtkTextView     *text_view;
  GtkTextView     *source_view;
  GtkListBox      *attachment_list;
  GtkWidget       *attachment_group;
  GtkButton       *unread_button;
};

G_DEFINE_FINAL_TYPE (PfMessageView, pf_message_view, ADW_TYPE_WINDOW)

enum {
  MARK_UNREAD,
  DELETE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
pf_attachment_free (PfAttachment *attachment)
{
  if (attachment == NULL)
    return;
  g_free (attachment->name);
  g_free (attachment->type);
  g_clear_pointer (&attachment->data, g_bytes_unref);
  g_free (attachment);
}

/* ---- Reading the file (worker thread) ----------------------------------- */

static char *
strip_controls (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text ? text : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = valid; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n' || c == '\t' || !g_unichar_iscntrl (c))
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

static void
append_header (GString    *out,
               const char *name,
               const char *value)
{
  g_autofree char *clean = NULL;

  if (value == NULL || *value == '\0')
    return;
  clean = strip_controls (value);
  g_strdelimit (clean, "\n\t", ' ');
  g_string_append_printf (out, "%s: %s\n", name, clean);
}

/* A name for a file the user saves or opens: the last path part, without
 * leading dots or separators, never empty. */
static char *
safe_file_name (const char *name)
{
  g_autofree char *clean = strip_controls (name ? name : "");
  const char *slash = strrchr (clean, '/');
  const char *base = slash ? slash + 1 : clean;

  while (*base == '.' || *base == ' ')
    base++;
  if (*base == '\0')
    return g_strdup (_("attachment"));
  return g_strdup (base);
}

typedef struct
{
  GMimeTextPart *text;
  GMimeTextPart *html;
  GPtrArray     *attachments;
} Walk;

static void
walk_part (GMimeObject *parent,
           GMimeObject *part,
           gpointer     user_data)
{
  Walk *walk = user_data;
  GMimeContentType *type = g_mime_object_get_content_type (part);
  gboolean attachment;

  if (!GMIME_IS_PART (part))
    return;
  attachment = g_mime_part_is_attachment (GMIME_PART (part)) || !GMIME_IS_TEXT_PART (part);
  if (!attachment)
    {
      if (walk->text == NULL && g_mime_content_type_is_type (type, "text", "plain"))
        walk->text = GMIME_TEXT_PART (part);
      else if (walk->html == NULL && g_mime_content_type_is_type (type, "text", "html"))
        walk->html = GMIME_TEXT_PART (part);
      else
        attachment = walk->text != NULL || walk->html != NULL;
    }
  if (attachment)
    {
      GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (part));
      GMimeStream *stream = g_mime_stream_mem_new ();
      PfAttachment *a = g_new0 (PfAttachment, 1);
      GByteArray *bytes;

      if (content != NULL)
        g_mime_data_wrapper_write_to_stream (content, stream);
      bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
      a->data = g_bytes_new (bytes->data, bytes->len);
      g_object_unref (stream);
      a->name = safe_file_name (g_mime_part_get_filename (GMIME_PART (part)));
      a->type = g_mime_content_type_get_mime_type (type);
      g_ptr_array_add (walk->attachments, a);
    }
}

gboolean
pf_message_view_read (const char  *path,
                      char       **text,
                      GPtrArray  **attachments,
                      char       **source,
                      GError     **error)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  GMimeMessage *message;
  GString *out;
  Walk walk = { NULL, };
  GDateTime *date;

  if (!pf_mime_file_read (path, &message, &contents, &length, error))
    return FALSE;
  if (message == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("This file is not a mail message."));
      return FALSE;
    }

  out = g_string_new (NULL);
  {
    InternetAddressList *from = g_mime_message_get_from (message);
    InternetAddressList *to = g_mime_message_get_to (message);
    InternetAddressList *cc = g_mime_message_get_cc (message);
    g_autofree char *from_text = from ? internet_address_list_to_string (from, NULL, FALSE) : NULL;
    g_autofree char *to_text = to ? internet_address_list_to_string (to, NULL, FALSE) : NULL;
    g_autofree char *cc_text = cc ? internet_address_list_to_string (cc, NULL, FALSE) : NULL;

    append_header (out, _("From"), from_text);
    append_header (out, _("To"), to_text);
    append_header (out, _("Cc"), cc_text);
  }
  append_header (out, _("Subject"), g_mime_message_get_subject (message));
  date = g_mime_message_get_date (message);
  if (date != NULL)
    {
      g_autofree char *date_text = g_date_time_format (date, "%c");

      append_header (out, _("Date"), date_text);
    }
  g_string_append_c (out, '\n');

  walk.attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) pf_attachment_free);
  {
    GMimeObject *root = g_mime_message_get_mime_part (message);

    if (root != NULL && GMIME_IS_PART (root))
      walk_part (NULL, root, &walk);
    else
      g_mime_message_foreach (message, walk_part, &walk);
  }

  /* The text part first; an HTML-only message as text, made safely. */
  if (walk.text != NULL)
    {
      g_autofree char *body = g_mime_text_part_get_text (walk.text);
      g_autofree char *clean = strip_controls (body);

      g_string_append (out, clean);
    }
  else if (walk.html != NULL)
    {
      g_autofree char *html = g_mime_text_part_get_text (walk.html);
      g_autofree char *plain = pf_html_to_text (html ? html : "");

      g_string_append (out, plain);
    }
  else
    g_string_append (out, _("This message has no text part."));
  g_object_unref (message);

  *text = g_string_free (out, FALSE);
  *attachments = walk.attachments;
  if (length > SOURCE_MAX)
    contents[SOURCE_MAX] = '\0';
  *source = strip_controls (contents);
  return TRUE;
}

/* ---- The window ---------------------------------------------------------- */

typedef struct
{
  char      *text;
  GPtrArray *attachments;
  char      *source;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_free (loaded->text);
  g_clear_pointer (&loaded->attachments, g_ptr_array_unref);
  g_free (loaded->source);
  g_free (loaded);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Loaded *loaded = g_new0 (Loaded, 1);
  GError *error = NULL;

  if (pf_message_view_read (task_data, &loaded->text, &loaded->attachments, &loaded->source, &error))
    g_task_return_pointer (task, loaded, (GDestroyNotify) loaded_free);
  else
    {
      loaded_free (loaded);
      g_task_return_error (task, error);
    }
}

static void
toast (PfMessageView *self,
       const char    *text)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
  pf_gui_name_icon_buttons (GTK_WIDGET (self->toast_overlay));
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PfMessageView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      g_warning ("Could not save the attachment: %s", error->message);
      toast (self, _("The attachment could not be saved."));
      return;
    }
  toast (self, _("Attachment saved"));
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  PfMessageView   *self)
{
  PfAttachment *a = g_object_get_data (G_OBJECT (dialog), "attachment");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      g_file_replace_contents_bytes_async (file, a->data, NULL, FALSE, G_FILE_CREATE_NONE,
                                           NULL, on_saved, g_object_ref (self));
    }
  g_object_unref (dialog);
}

static void
on_save_clicked (GtkButton     *button,
                 PfMessageView *self)
{
  PfAttachment *a = g_object_get_data (G_OBJECT (button), "attachment");
  GtkFileChooserNative *chooser;

  /* Through the portal when sandboxed: GtkFileChooserNative picks it. */
  chooser = gtk_file_chooser_native_new (_("Save Attachment"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  {
    /* Where people look for what they saved: Downloads, else home (not
     * the directory the app happened to start in). */
    const char *downloads = g_get_user_special_dir (G_USER_DIRECTORY_DOWNLOAD);
    g_autoptr(GFile) folder = g_file_new_for_path (downloads && g_file_test (downloads, G_FILE_TEST_IS_DIR)
                                                   ? downloads : g_get_home_dir ());

    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), a->name);
  g_object_set_data (G_OBJECT (chooser), "attachment", a);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PfMessageView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_debug ("Could not open the attachment: %s", error->message);
      toast (self, _("No application is set up to open this attachment."));
    }
}

static void
on_open_clicked (GtkButton     *button,
                 PfMessageView *self)
{
  PfAttachment *a = g_object_get_data (G_OBJECT (button), "attachment");
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), "popfetch", "attachments", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkAppLaunchContext) context = NULL;

  /* A private directory of its own, so that a name cannot collide with
   * another attachment's and no other user can read it. */
  if (g_mkdir_with_parents (base, 0700) != 0)
    {
      toast (self, _("The attachment could not be saved."));
      return;
    }
  dir = g_build_filename (base, "XXXXXX", NULL);
  if (g_mkdtemp_full (dir, 0700) == NULL)
    {
      toast (self, _("The attachment could not be saved."));
      return;
    }
  path = g_build_filename (dir, a->name, NULL);
  /* Small enough to write at once: it is in memory already. */
  if (!g_file_set_contents_full (path, g_bytes_get_data (a->data, NULL), g_bytes_get_size (a->data),
                                 G_FILE_SET_CONTENTS_NONE, 0600, &error))
    {
      g_warning ("Could not write the attachment: %s", error->message);
      toast (self, _("The attachment could not be saved."));
      return;
    }
  file = g_file_new_for_path (path);
  uri = g_file_get_uri (file);
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           on_launched, g_object_ref (self));
}

static GtkWidget *
attachment_row (PfMessageView *self,
                PfAttachment  *a)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *save = gtk_button_new_with_label (_("Save…"));
  GtkWidget *open = gtk_button_new_with_label (_("Open"));
  g_autofree char *size = g_format_size (g_bytes_get_size (a->data));
  g_autofree char *subtitle = NULL;
  g_autofree char *save_label = NULL;
  g_autofree char *open_label = NULL;

  /* Translators: an attachment's type and size, "application/pdf · 12 kB" */
  subtitle = g_strdup_printf (_("%s · %s"), a->type, size);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), a->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("mail-attachment-symbolic"));
  for (GtkWidget *b = save; b != NULL; b = (b == save ? open : NULL))
    {
      gtk_widget_set_valign (b, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (b), "attachment", a);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), b);
    }
  /* Translators: accessible name of a button, %s is a file name */
  save_label = g_strdup_printf (_("Save “%s”"), a->name);
  /* Translators: accessible name of a button, %s is a file name */
  open_label = g_strdup_printf (_("Open “%s”"), a->name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (save), GTK_ACCESSIBLE_PROPERTY_LABEL, save_label, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (open), GTK_ACCESSIBLE_PROPERTY_LABEL, open_label, -1);
  g_signal_connect (save, "clicked", G_CALLBACK (on_save_clicked), self);
  g_signal_connect (open, "clicked", G_CALLBACK (on_open_clicked), self);
  return row;
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  PfMessageView *self;
  g_autoptr(GError) error = NULL;
  Loaded *loaded;

  loaded = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = PF_MESSAGE_VIEW (user_data);
  if (loaded == NULL)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), error->message, -1);
      return;
    }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), loaded->text, -1);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->source_view), loaded->source, -1);
  self->attachments = g_steal_pointer (&loaded->attachments);
  for (guint i = 0; i < self->attachments->len; i++)
    gtk_list_box_append (self->attachment_list, attachment_row (self, self->attachments->pdata[i]));
  gtk_widget_set_visible (self->attachment_group, self->attachments->len > 0);
  loaded_free (loaded);
}

static void
on_unread_clicked (PfMessageView *self)
{
  g_signal_emit (self, signals[MARK_UNREAD], 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->unread_button), FALSE);
  toast (self, _("Marked as unread"));
}

static void
on_delete_clicked (PfMessageView *self)
{
  g_signal_emit (self, signals[DELETE], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_source_toggled (GtkToggleButton *button,
                   PfMessageView   *self)
{
  gtk_stack_set_visible_child_name (self->stack, gtk_toggle_button_get_active (button) ? "source" : "message");
}

static void
on_message_launched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(PfMessageView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_debug ("Could not open the message: %s", error->message);
      toast (self, _("No mail reader is set up to open this message"));
    }
}

static void
on_open_reader_clicked (PfMessageView *self)
{
  /* Where the file is now: opening it marked it read, which renamed it. */
  g_autoptr(PfIndexMessage) current = pf_index_get_message (self->index, pf_index_message_get_id (self->message));
  g_autoptr(GFile) file = g_file_new_for_path (pf_index_message_get_path (current ? current : self->message));
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GdkAppLaunchContext) context = NULL;

  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           on_message_launched, g_object_ref (self));
}

static GtkWidget *
text_view_new (const char *label,
               gboolean    monospace)
{
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), monospace);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
  gtk_widget_set_vexpand (view, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return view;
}

static GtkWidget *
icon_button (const char *icon,
             const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return button;
}

static void
build (PfMessageView *self)
{
  const char *subject = pf_index_message_get_subject (self->message);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *title;
  GtkWidget *scrolled, *content, *source_scrolled, *button, *source_button;

  if (*subject == '\0')
    subject = _("(no subject)");
  title = adw_window_title_new (subject, pf_index_message_get_from (self->message));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);

  button = icon_button ("user-trash-symbolic", _("Delete Message"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_delete_clicked), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), button);
  self->unread_button = GTK_BUTTON (gtk_button_new_with_label (_("Mark as Unread")));
  g_signal_connect_swapped (self->unread_button, "clicked", G_CALLBACK (on_unread_clicked), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), GTK_WIDGET (self->unread_button));

  button = icon_button ("document-open-symbolic", _("Open in Mail Reader"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_open_reader_clicked), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), button);
  source_button = gtk_toggle_button_new_with_label (_("Source"));
  gtk_widget_set_tooltip_text (source_button, _("Show the message as it was received"));
  g_signal_connect (source_button, "toggled", G_CALLBACK (on_source_toggled), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), source_button);

  /* The message: attachments above the text, so they are seen. */
  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->attachment_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->attachment_group), _("Attachments"));
  gtk_widget_set_margin_start (self->attachment_group, 12);
  gtk_widget_set_margin_end (self->attachment_group, 12);
  gtk_widget_set_margin_top (self->attachment_group, 12);
  gtk_widget_set_visible (self->attachment_group, FALSE);
  self->attachment_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->attachment_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->attachment_list), "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->attachment_list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Attachments"), -1);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->attachment_group), GTK_WIDGET (self->attachment_list));
  gtk_box_append (GTK_BOX (content), self->attachment_group);
  self->text_view = GTK_TEXT_VIEW (text_view_new (_("Message text"), FALSE));
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->text_view));
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), content);

  self->source_view = GTK_TEXT_VIEW (text_view_new (_("Message source"), TRUE));
  source_scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (source_scrolled), GTK_WIDGET (self->source_view));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, scrolled, "message");
  gtk_stack_add_named (self->stack, source_scrolled, "source");
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  self->toast_overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (self->toast_overlay, box);
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->toast_overlay));
  gtk_window_set_title (GTK_WINDOW (self), subject);
  gtk_window_set_default_size (GTK_WINDOW (self), 720, 640);
}

PfMessageView *
pf_message_view_new (GtkWindow      *parent,
                     PfIndex        *index,
                     PfIndexMessage *message)
{
  PfMessageView *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (PF_IS_INDEX_MESSAGE (message), NULL);

  self = g_object_new (PF_TYPE_MESSAGE_VIEW, "transient-for", parent, NULL);
  self->index = g_object_ref (index);
  self->message = g_object_ref (message);
  build (self);

  task = g_task_new (NULL, self->cancellable, on_loaded, self);
  g_task_set_task_data (task, g_strdup (pf_index_message_get_path (message)), g_free);
  g_task_run_in_thread (task, load_thread);
  return self;
}

PfIndexMessage *
pf_message_view_get_message (PfMessageView *self)
{
  g_return_val_if_fail (PF_IS_MESSAGE_VIEW (self), NULL);
  return self->message;
}

static void
pf_message_view_dispose (GObject *object)
{
  PfMessageView *self = PF_MESSAGE_VIEW (object);

  /* The load's callback only runs while the window lives. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->message);
  g_clear_object (&self->index);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);

  G_OBJECT_CLASS (pf_message_view_parent_class)->dispose (object);
}

static void
pf_message_view_class_init (PfMessageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_message_view_dispose;

  signals[MARK_UNREAD] =
    g_signal_new ("mark-unread", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[DELETE] =
    g_signal_new ("delete", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
pf_message_view_init (PfMessageView *self)
{
  self->cancellable = g_cancellable_new ();
}
