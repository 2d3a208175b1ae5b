/* pf-setup-choice-page.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-gui-util.h"
#include "pf-probe-group.h"
#include "pf-probe-row.h"
#include "pf-provider-hints.h"
#include "pf-setup-choice-page.h"

struct _PfSetupChoicePage
{
  AdwBin               parent_instance;

  PfProbeRow          *unchecked_row;  /* weak: the choice left last, to go back to */

  PfProviderHints     *provider_hints;

  GtkListBox          *recommended_list;
  GtkListBox          *others_list;
  AdwPreferencesGroup *others_group;
};

G_DEFINE_FINAL_TYPE (PfSetupChoicePage, pf_setup_choice_page, ADW_TYPE_BIN)

enum {
  CHOSEN,
  TEST,
  EDIT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A plaintext server checked in the list, waiting for the user's word:
 * @chosen is the row just checked, @previous the choice it replaced. */
typedef struct
{
  PfSetupChoicePage *self;
  PfProbeRow        *chosen;
  PfProbeRow        *previous;
} PlaintextChoice;

static void
plaintext_choice_free (gpointer  data,
                       GClosure *closure)
{
  PlaintextChoice *choice = data;

  g_clear_weak_pointer (&choice->self);
  g_clear_weak_pointer (&choice->chosen);
  g_clear_weak_pointer (&choice->previous);
  g_free (choice);
}

static void
on_plaintext_response (AdwMessageDialog *dialog,
                       const char       *response,
                       PlaintextChoice  *choice)
{
  if (choice->self == NULL || choice->chosen == NULL)
    return;

  if (g_strcmp0 (response, "plaintext") == 0)
    {
      g_signal_emit (choice->self, signals[CHOSEN], 0, pf_probe_row_get_probe (choice->chosen));
      return;
    }

  if (choice->previous != NULL)
    pf_probe_row_set_active (choice->previous, TRUE);
  else
    pf_probe_row_set_active (choice->chosen, FALSE);
}

static void
on_row_active (PfProbeRow        *row,
               GParamSpec        *pspec,
               PfSetupChoicePage *self)
{
  PfProbe *probe = pf_probe_row_get_probe (row);
  AdwMessageDialog *dialog;
  PlaintextChoice *choice;

  if (!pf_probe_row_get_active (row))
    {
      g_set_weak_pointer (&self->unchecked_row, row);
      return;
    }

  if (pf_probe_get_security (probe) != PF_SECURITY_NONE)
    {
      g_signal_emit (self, signals[CHOSEN], 0, probe);
      return;
    }

  choice = g_new0 (PlaintextChoice, 1);
  g_set_weak_pointer (&choice->self, self);
  g_set_weak_pointer (&choice->chosen, row);
  g_set_weak_pointer (&choice->previous, self->unchecked_row);
  dialog = pf_gui_plaintext_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_plaintext_response),
                         choice, plaintext_choice_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The host names of @same_server other than @probe's, or NULL. */
static char *
dup_other_names (const PfProbeGroup *same_server,
                 PfProbe            *probe)
{
  g_autoptr(GString) names = g_string_new (NULL);

  if (same_server == NULL)
    return NULL;
  for (guint i = 0; i <= same_server->aliases->len; i++)
    {
      PfProbe *member = i == 0 ? same_server->probe : same_server->aliases->pdata[i - 1];

      if (member == probe)
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, pf_probe_get_host (member));
    }
  return names->len > 0 ? g_string_free (g_steal_pointer (&names), FALSE) : NULL;
}

static PfProbeRow *
row_new (PfSetupChoicePage  *self,
         PfProbe            *probe,
         const PfProbeGroup *same_server,
         PfProbeRow         *group)
{
  PfProbeRow *row = PF_PROBE_ROW (pf_probe_row_new (probe));
  g_autofree char *aliases = dup_other_names (same_server, probe);

  pf_probe_row_set_aliases (row, aliases);
  pf_probe_row_set_provider (row, pf_provider_hints_get_provider (self->provider_hints));

  if (group != NULL)
    pf_probe_row_set_group (row, group);
  g_signal_connect (row, "notify::active", G_CALLBACK (on_row_active), self);

  return row;
}

static gboolean
probe_is_choice (PfProbe *probe)
{
  switch (pf_probe_get_verdict (probe))
    {
    case PF_PROBE_VERDICT_SECURE:
    case PF_PROBE_VERDICT_PINNED:
    case PF_PROBE_VERDICT_CERT_INVALID:
    case PF_PROBE_VERDICT_PLAINTEXT:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

void
pf_setup_choice_page_set_provider (PfSetupChoicePage *self,
                                   PfProvider        *provider)
{
  g_return_if_fail (PF_IS_SETUP_CHOICE_PAGE (self));

  pf_provider_hints_set_provider (self->provider_hints, provider);
}

/* The group holding @probe, as its first probe or as another name. */
static PfProbeGroup *
find_group (GPtrArray *groups,
            PfProbe   *probe)
{
  for (guint i = 0; i < groups->len; i++)
    {
      PfProbeGroup *group = groups->pdata[i];

      if (group->probe == probe || g_ptr_array_find (group->aliases, probe, NULL))
        return group;
    }
  return NULL;
}

void
pf_setup_choice_page_show (PfSetupChoicePage *self,
                           PfProbe           *recommended,
                           GPtrArray         *probes)
{
  g_autoptr(GPtrArray) groups = NULL;
  PfProbeGroup *recommended_group = NULL;
  PfProbeRow *group = NULL;
  guint others = 0;

  g_return_if_fail (PF_IS_SETUP_CHOICE_PAGE (self));
  g_return_if_fail (!recommended || PF_IS_PROBE (recommended));
  g_return_if_fail (probes != NULL);

  clear_list (self->recommended_list);
  clear_list (self->others_list);
  g_clear_weak_pointer (&self->unchecked_row);

  groups = pf_probe_groups_new (probes);
  if (recommended != NULL)
    recommended_group = find_group (groups, recommended);

  if (recommended != NULL)
    {
      /* The recommended probe leads its group, whatever name came first. */
      group = row_new (self, recommended, recommended_group, NULL);
      gtk_list_box_append (self->recommended_list, GTK_WIDGET (group));
      pf_probe_row_set_active (group, TRUE);
    }
  else
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No secure server found"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Choose one of the other options, or enter the settings your provider gives you."));
      gtk_list_box_append (self->recommended_list, row);
    }

  for (guint i = 0; i < groups->len; i++)
    {
      PfProbeGroup *same_server = g_ptr_array_index (groups, i);
      PfProbeRow *row;

      if (same_server == recommended_group || !probe_is_choice (same_server->probe))
        continue;
      row = row_new (self, same_server->probe, same_server, group);
      if (group == NULL)
        group = row;
      gtk_list_box_append (self->others_list, GTK_WIDGET (row));
      others++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->others_group), others > 0);
}

static void
on_test_clicked (PfSetupChoicePage *self)
{
  g_signal_emit (self, signals[TEST], 0);
}

static void
on_edit_clicked (PfSetupChoicePage *self)
{
  g_signal_emit (self, signals[EDIT], 0);
}

static void
pf_setup_choice_page_dispose (GObject *object)
{
  PfSetupChoicePage *self = PF_SETUP_CHOICE_PAGE (object);

  g_clear_weak_pointer (&self->unchecked_row);

  G_OBJECT_CLASS (pf_setup_choice_page_parent_class)->dispose (object);
}

static void
pf_setup_choice_page_class_init (PfSetupChoicePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pf_setup_choice_page_dispose;

  g_type_ensure (PF_TYPE_PROVIDER_HINTS);

  signals[CHOSEN] =
    g_signal_new ("chosen", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, PF_TYPE_PROBE);
  signals[TEST] =
    g_signal_new ("test", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[EDIT] =
    g_signal_new ("edit", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-setup-choice-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PfSetupChoicePage, provider_hints);
  gtk_widget_class_bind_template_child (widget_class, PfSetupChoicePage, recommended_list);
  gtk_widget_class_bind_template_child (widget_class, PfSetupChoicePage, others_list);
  gtk_widget_class_bind_template_child (widget_class, PfSetupChoicePage, others_group);
  gtk_widget_class_bind_template_callback (widget_class, on_test_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_edit_clicked);
}

static void
pf_setup_choice_page_init (PfSetupChoicePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
